// TokenBridgeResponse.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

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
    /// The answer to <c>Send</c>: any HTTP status but a 401 after a new login (which fails).
    /// Everything is copied out of the library's memory before it is freed.
    /// </summary>
    public sealed class TokenBridgeResponse
    {
        private static readonly Encoding StrictUtf8 = new UTF8Encoding(false, true);

        /// <summary>The HTTP status.</summary>
        public int Status { get; }
        /// <summary>The headers in the order they came; names in lower case.</summary>
        public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }
        /// <summary>The body, byte for byte.</summary>
        public byte[] Body { get; }

        private TokenBridgeResponse(int status, IReadOnlyList<KeyValuePair<string, string>> headers, byte[] body)
        {
            Status = status;
            Headers = headers;
            Body = body;
        }

        /// <summary>The body as UTF-8 text; <see cref="DecoderFallbackException"/> when it is not UTF-8.</summary>
        public string Text
        {
            get { return StrictUtf8.GetString(Body); }
        }

        /// <summary>The first header called <paramref name="name"/> (any case), or null when absent.</summary>
        public string Header(string name)
        {
            Native.NotNull(name, "name");
            foreach (var h in Headers)
                if (string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase))
                    return h.Value;
            return null;
        }

        internal delegate int SendFn<H>(H client, RequestHandle request, out ResponseHandle response);

        /// <summary>Sends, copies the answer, frees it.</summary>
        internal static TokenBridgeResponse Send<H>(H client, TokenBridgeRequest request, SendFn<H> send)
        {
            Native.NotNull(request, "request");
            ResponseHandle r;
            Native.Check(send(client, request.Handle, out r));
            using (r)
            {
                IntPtr bytes;
                UIntPtr len;
                Native.Check(Native.tb_response_body(r, out bytes, out len));
                byte[] body = Native.CopyBytes(bytes, len);
                ulong count = Native.tb_response_header_count(r).ToUInt64();
                var headers = new List<KeyValuePair<string, string>>((int)count);
                for (ulong i = 0; i < count; i++)
                {
                    IntPtr name, value;
                    UIntPtr nameLen, valueLen;
                    Native.Check(Native.tb_response_header_at(r, new UIntPtr(i), out name, out nameLen, out value, out valueLen));
                    headers.Add(new KeyValuePair<string, string>(Native.CopyUtf8(name, nameLen), Native.CopyUtf8(value, valueLen)));
                }
                return new TokenBridgeResponse(Native.tb_response_status(r), headers, body);
            }
        }
    }
}
