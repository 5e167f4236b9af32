// AgentProfile.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TokenBridge
{
    /// <summary>
    /// An agent's SIP profile as uContact's AgentLogin sent it, without <c>secret</c> and
    /// <c>md5secret</c>, read through the library's accessors (<c>tb_agent_profile_*</c>)
    /// and copied: it holds no native memory. The common fields are properties; every
    /// published field is <see cref="Text"/>, any field at all <see cref="Get"/>.
    /// Numbers and booleans come as their JSON text ("42", "true").
    /// </summary>
    public sealed class AgentProfile
    {
        /// <summary>
        /// Each published text field's own getter (<c>tb_agent_profile_name</c>, ...); the
        /// numbers <see cref="Id"/> and <see cref="Limite"/> come as text by their wire name.
        /// </summary>
        internal static readonly Dictionary<AgentField, Native.LentText<AgentProfileHandle>> Getters =
            new Dictionary<AgentField, Native.LentText<AgentProfileHandle>>
        {
            { AgentField.Id, ByName("id") },
            { AgentField.Limite, ByName("limite") },
            { AgentField.Name, Native.tb_agent_profile_name },
            { AgentField.Host, Native.tb_agent_profile_host },
            { AgentField.Nat, Native.tb_agent_profile_nat },
            { AgentField.Type, Native.tb_agent_profile_type },
            { AgentField.AccountCode, Native.tb_agent_profile_accountcode },
            { AgentField.CallGroup, Native.tb_agent_profile_callgroup },
            { AgentField.CallerId, Native.tb_agent_profile_callerid },
            { AgentField.CanReinvite, Native.tb_agent_profile_canreinvite },
            { AgentField.Context, Native.tb_agent_profile_context },
            { AgentField.DtmfMode, Native.tb_agent_profile_dtmfmode },
            { AgentField.Insecure, Native.tb_agent_profile_insecure },
            { AgentField.Language, Native.tb_agent_profile_language },
            { AgentField.Mailbox, Native.tb_agent_profile_mailbox },
            { AgentField.PickupGroup, Native.tb_agent_profile_pickupgroup },
            { AgentField.Qualify, Native.tb_agent_profile_qualify },
            { AgentField.Disallow, Native.tb_agent_profile_disallow },
            { AgentField.Allow, Native.tb_agent_profile_allow },
            { AgentField.Port, Native.tb_agent_profile_port },
            { AgentField.DefaultUser, Native.tb_agent_profile_defaultuser },
            { AgentField.SubscribeContext, Native.tb_agent_profile_subscribecontext },
            { AgentField.Record, Native.tb_agent_profile_record },
            { AgentField.Email, Native.tb_agent_profile_email },
            { AgentField.PhoneType, Native.tb_agent_profile_phonetype },
            { AgentField.Transport, Native.tb_agent_profile_transport },
            { AgentField.Encryption, Native.tb_agent_profile_encryption },
            { AgentField.Did, Native.tb_agent_profile_did },
            { AgentField.OutboundProxy, Native.tb_agent_profile_outboundproxy },
            { AgentField.FullName, Native.tb_agent_profile_fullname },
            { AgentField.LogLevel, Native.tb_agent_profile_loglevel },
            { AgentField.Token, Native.tb_agent_profile_token },
        };

        private static Native.LentText<AgentProfileHandle> ByName(string wireName)
        {
            byte[] name = Native.Utf8(wireName, "wireName");
            return (AgentProfileHandle p, out IntPtr s, out UIntPtr len) => Native.tb_agent_profile_get(p, name, out s, out len);
        }

        private readonly Dictionary<AgentField, string> published = new Dictionary<AgentField, string>();
        private readonly List<KeyValuePair<string, string>> fields = new List<KeyValuePair<string, string>>();

        /// <summary><c>token</c>: the session token (what a login is for).</summary>
        public string Token { get { return Text(AgentField.Token); } }
        /// <summary><c>id</c> as a number, or null when the server sent none.</summary>
        public long? Id { get; }
        /// <summary><c>limite</c> as a number, or null when the server sent none.</summary>
        public long? Limite { get; }
        /// <summary><c>name</c>: the agent's SIP name.</summary>
        public string Name { get { return Text(AgentField.Name); } }
        /// <summary><c>fullname</c>.</summary>
        public string FullName { get { return Text(AgentField.FullName); } }
        /// <summary><c>callerid</c>.</summary>
        public string CallerId { get { return Text(AgentField.CallerId); } }
        /// <summary><c>context</c>.</summary>
        public string Context { get { return Text(AgentField.Context); } }
        /// <summary><c>type</c>.</summary>
        public string Kind { get { return Text(AgentField.Type); } }
        /// <summary>Every field (name, value as text), sorted by name (ordinal, as the library gives them); never <c>secret</c> or <c>md5secret</c>.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Fields { get { return fields; } }
        /// <summary>The profile as JSON text (the server's value written anew, keys sorted), without <c>secret</c> and <c>md5secret</c> (it holds the token).</summary>
        public string RawJson { get; }

        internal AgentProfile(AgentProfileHandle p)
        {
            foreach (var g in Getters)
                published[g.Key] = Native.Lent(p, g.Value);
            long n;
            if (Native.Present(Native.tb_agent_profile_id(p, out n))) Id = n;
            if (Native.Present(Native.tb_agent_profile_limite(p, out n))) Limite = n;
            ulong count = Native.tb_agent_profile_field_count(p).ToUInt64();
            for (ulong i = 0; i < count; i++)
            {
                IntPtr name, value;
                UIntPtr nameLen, valueLen;
                Native.Check(Native.tb_agent_profile_field_at(p, new UIntPtr(i), out name, out nameLen, out value, out valueLen));
                fields.Add(new KeyValuePair<string, string>(Native.CopyUtf8(name, nameLen), Native.CopyUtf8(value, valueLen)));
            }
            RawJson = Native.Lent(p, Native.tb_agent_profile_raw_json);
        }

        /// <summary>A published field, or null when the server did not send it.</summary>
        public string Text(AgentField field)
        {
            string value;
            if (!published.TryGetValue(field, out value) && !Getters.ContainsKey(field))
                throw new ArgumentOutOfRangeException("field", "not an AgentField");
            return value;
        }

        /// <summary>
        /// Any field by its wire name (exact case), including those the vendor does not
        /// publish, or null when the profile has none (always for <c>secret</c> and <c>md5secret</c>).
        /// </summary>
        public string Get(string name)
        {
            Native.NotNull(name, "name");
            foreach (var f in fields)
                if (string.Equals(f.Key, name, StringComparison.Ordinal))
                    return f.Value;
            return null;
        }

        /// <summary>Never shows the token.</summary>
        public override string ToString()
        {
            return "AgentProfile(id " + (Id.HasValue ? Id.Value.ToString(CultureInfo.InvariantCulture) : "?") + ", name " + (Name ?? "?") + ")";
        }
    }
}
