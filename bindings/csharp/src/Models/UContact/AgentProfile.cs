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
        private const int PublishedFields = (int)AgentField.Token + 1;
        private readonly string[] published = new string[PublishedFields];
        private readonly List<KeyValuePair<string, string>> fields = new List<KeyValuePair<string, string>>();

        /// <summary><c>token</c>: the session token (what a login is for).</summary>
        public string Token { get { return published[(int)AgentField.Token]; } }
        /// <summary><c>id</c> as a number, or null when the server sent none.</summary>
        public long? Id { get; }
        /// <summary><c>limite</c> as a number, or null when the server sent none.</summary>
        public long? Limite { get; }
        /// <summary><c>name</c>: the agent's SIP name.</summary>
        public string Name { get { return published[(int)AgentField.Name]; } }
        /// <summary><c>fullname</c>.</summary>
        public string FullName { get { return published[(int)AgentField.FullName]; } }
        /// <summary><c>callerid</c>.</summary>
        public string CallerId { get { return published[(int)AgentField.CallerId]; } }
        /// <summary><c>context</c>.</summary>
        public string Context { get { return published[(int)AgentField.Context]; } }
        /// <summary><c>type</c>.</summary>
        public string Kind { get { return published[(int)AgentField.Type]; } }
        /// <summary>Every field (name, value as text), sorted by name (ordinal, as the library gives them); never <c>secret</c> or <c>md5secret</c>.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Fields { get { return fields; } }
        /// <summary>The profile as JSON text (the server's value written anew, keys sorted), without <c>secret</c> and <c>md5secret</c> (it holds the token).</summary>
        public string RawJson { get; }

        internal AgentProfile(AgentProfileHandle p)
        {
            for (int f = 0; f < PublishedFields; f++)
            {
                IntPtr s;
                UIntPtr len;
                Native.Check(Native.tb_agent_profile_text(p, f, out s, out len));
                published[f] = Native.CopyUtf8(s, len);
            }
            long n;
            if (Native.tb_agent_profile_id(p, out n)) Id = n;
            if (Native.tb_agent_profile_limite(p, out n)) Limite = n;
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
            if (field < AgentField.Id || field > AgentField.Token)
                throw new ArgumentOutOfRangeException("field", "not an AgentField");
            return published[(int)field];
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
