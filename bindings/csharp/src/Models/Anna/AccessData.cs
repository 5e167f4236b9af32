// AccessData.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

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
    /// What AnnA's UserHash answers: the hash and the chat URLs, read through the library's
    /// accessors (<c>tb_access_data_*</c>) and copied: it holds no native memory.
    /// </summary>
    public sealed class AccessData
    {
        /// <summary><c>Hash</c>: the access hash (a credential: do not log it).</summary>
        public string Hash { get; }
        /// <summary><c>ChatURL</c>: the chat URL (it carries the hash).</summary>
        public string ChatUrl { get; }
        /// <summary><c>EmbeddedURL</c>: the embedded chat URL (it carries the hash).</summary>
        public string EmbeddedUrl { get; }
        /// <summary>
        /// <c>Expires</c>: when the hash expires, in AnnA's local time (AnnA sends no zone,
        /// hence <see cref="DateTimeKind.Unspecified"/>), or null when AnnA wrote something
        /// other than a date (see <see cref="ExpiresRaw"/>).
        /// </summary>
        public DateTime? Expires { get; }
        /// <summary><c>Expires</c> as AnnA wrote it (normally "yyyyMMddHHmmss").</summary>
        public string ExpiresRaw { get; }
        /// <summary>The <c>accessData</c> object as JSON text (AnnA's value written anew, keys sorted; it holds the hash).</summary>
        public string RawJson { get; }

        internal AccessData(AccessDataHandle d)
        {
            Hash = Native.Lent(d, Native.tb_access_data_hash);
            ChatUrl = Native.Lent(d, Native.tb_access_data_chat_url);
            EmbeddedUrl = Native.Lent(d, Native.tb_access_data_embedded_url);
            ExpiresRaw = Native.Lent(d, Native.tb_access_data_expires_raw);
            RawJson = Native.Lent(d, Native.tb_access_data_raw_json);
            Native.DateTimeParts when;
            if (Native.Present(Native.tb_access_data_expires(d, out when)))
                Expires = when.ToDateTime();
        }

        /// <summary>Never shows the hash (nor the URLs, which carry it).</summary>
        public override string ToString()
        {
            return "AccessData(expires " + (ExpiresRaw ?? "?") + ")";
        }
    }
}
