// MessengerRequest.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

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
    /// One messenger request (a conversation) of a user. AnnA does not publish the items'
    /// field names: the properties are the library's reading of the likely spellings
    /// (<c>tb_messenger_requests_*</c>); <see cref="Get"/> and <see cref="Fields"/> reach
    /// every field as sent (values as text; numbers, objects and arrays as JSON text).
    /// </summary>
    public sealed class MessengerRequest
    {
        private readonly List<KeyValuePair<string, string>> fields;

        /// <summary>Department, or null when not sent.</summary>
        public string Department { get; }
        /// <summary>Channel, or null when not sent.</summary>
        public string Channel { get; }
        /// <summary>Description, or null when not sent.</summary>
        public string Description { get; }
        /// <summary>When it was opened, as AnnA wrote it (e.g. "15/03/2024 09:30:00").</summary>
        public string OpenedAt { get; }
        /// <summary>Protocol number, or null when not sent.</summary>
        public string Protocol { get; }
        /// <summary>Open or closed, or null when AnnA sent no status or another word (see <see cref="StatusText"/>).</summary>
        public MessengerRequestStatus? Status { get; }
        /// <summary>The status as AnnA wrote it (e.g. "A"), or null when not sent.</summary>
        public string StatusText { get; }
        /// <summary>Whether it awaits the user's answer, or null when AnnA did not say.</summary>
        public bool? Pending { get; }
        /// <summary>Link to the conversation, or null when not sent.</summary>
        public string Link { get; }
        /// <summary>Every field (wire name, value as text), sorted by name (ordinal, as the library gives them).</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Fields { get { return fields; } }

        internal MessengerRequest(MessengerRequestsHandle l, ulong index)
        {
            var i = new UIntPtr(index);
            Department = Native.Lent(l, i, Native.tb_messenger_requests_department);
            Channel = Native.Lent(l, i, Native.tb_messenger_requests_channel);
            Description = Native.Lent(l, i, Native.tb_messenger_requests_description);
            OpenedAt = Native.Lent(l, i, Native.tb_messenger_requests_opened_at);
            Protocol = Native.Lent(l, i, Native.tb_messenger_requests_protocol);
            StatusText = Native.Lent(l, i, Native.tb_messenger_requests_status_raw);
            Link = Native.Lent(l, i, Native.tb_messenger_requests_link);
            int status, pending;
            if (Native.Present(Native.tb_messenger_requests_status(l, i, out status))
                && (status == (int)MessengerRequestStatus.Open || status == (int)MessengerRequestStatus.Closed))
                Status = (MessengerRequestStatus)status;
            if (Native.Present(Native.tb_messenger_requests_pending(l, i, out pending)) && (pending == 1 || pending == 2))
                Pending = pending == 1;
            ulong count = Native.tb_messenger_requests_field_count(l, i).ToUInt64();
            fields = new List<KeyValuePair<string, string>>((int)Math.Min(count, 1024));
            for (ulong k = 0; k < count; k++)
            {
                IntPtr name, value;
                UIntPtr nameLen, valueLen;
                Native.Check(Native.tb_messenger_requests_field_at(l, i, new UIntPtr(k), out name, out nameLen, out value, out valueLen));
                fields.Add(new KeyValuePair<string, string>(Native.CopyUtf8(name, nameLen), Native.CopyUtf8(value, valueLen)));
            }
        }

        /// <summary>Any field by its wire name (exact case, e.g. "DepartmentAlias"), or null when the item has none.</summary>
        public string Get(string name)
        {
            Native.NotNull(name, "name");
            foreach (var f in fields)
                if (string.Equals(f.Key, name, StringComparison.Ordinal))
                    return f.Value;
            return null;
        }

        /// <summary>"MessengerRequest(protocol, status)".</summary>
        public override string ToString()
        {
            return "MessengerRequest(" + (Protocol ?? "?") + ", " + (StatusText ?? "?") + ")";
        }
    }
}
