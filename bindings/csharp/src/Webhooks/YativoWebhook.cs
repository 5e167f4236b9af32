// YativoWebhook.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

using System;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Runtime.InteropServices;

namespace TokenBridge
{
    /// <summary>
    /// Checks a Yativo webhook request before you trust it: the HMAC-SHA256 of the raw body
    /// (the bytes as received: a body parsed and written again no longer matches) against
    /// the signature header, for each secret given (one, or two during a rotation), compared
    /// in constant time by the native library. Thread-safe.
    /// </summary>
    public static class YativoWebhook
    {
        /// <summary>The signature headers Yativo uses, in the order the header-collection overloads look for them.</summary>
        public static readonly IReadOnlyList<string> SignatureHeaders =
            Array.AsReadOnly(new[] { "X-Yativo-Signature", "X-Webhook-Signature", "Signature" });

        /// <summary>
        /// Verifies a request and reads its event.
        /// </summary>
        /// <param name="body">The raw request body.</param>
        /// <param name="headerName">The signature header's name as received: <c>X-Yativo-Signature</c>, <c>X-Webhook-Signature</c> or <c>Signature</c>, in any case.</param>
        /// <param name="headerValue">Its value: 64 hex digits, with or without <c>sha256=</c>.</param>
        /// <param name="secrets">The webhook secret(s), at least one: during a rotation, both.</param>
        /// <exception cref="WebhookVerificationException">The request failed the check (answer 401): <see cref="WebhookVerificationException.Part"/> says which part.</exception>
        /// <exception cref="ArgumentNullException">An argument (or a secret) is null.</exception>
        /// <exception cref="ArgumentException">No secret, an empty secret, or too many (<c>secrets</c>).</exception>
        public static YativoEvent Verify(byte[] body, string headerName, string headerValue, params string[] secrets)
        {
            Native.NotNull(body, "body");
            byte[] name = Native.Utf8(headerName, "headerName");
            byte[] value = Native.Utf8(headerValue, "headerValue");
            Native.NotNull(secrets, "secrets");
            var pointers = new IntPtr[secrets.Length];
            var lengths = new int[secrets.Length];
            try
            {
                for (int i = 0; i < secrets.Length; i++)
                {
                    byte[] s = Native.Utf8(secrets[i], "secrets");
                    lengths[i] = s.Length;
                    pointers[i] = Marshal.AllocHGlobal(s.Length);
                    Marshal.Copy(s, 0, pointers[i], s.Length);
                    Array.Clear(s, 0, s.Length);
                }
                YativoEventHandle handle;
                int status = Native.tb_yativo_webhook_verify(body, (UIntPtr)(uint)body.Length, name, value,
                    pointers, (UIntPtr)(uint)pointers.Length, out handle);
                using (handle)
                {
                    if (status != 0) Refused(status);
                    return new YativoEvent(handle);
                }
            }
            finally
            {
                for (int i = 0; i < pointers.Length; i++)
                {
                    if (pointers[i] == IntPtr.Zero) continue;
                    for (int j = 0; j < lengths[i]; j++) Marshal.WriteByte(pointers[i], j, 0);
                    Marshal.FreeHGlobal(pointers[i]);
                }
            }
        }

        /// <summary>
        /// Verifies a request given its headers (e.g. <c>HttpListenerRequest.Headers</c>; any
        /// case): the first of <see cref="SignatureHeaders"/> present is checked.
        /// </summary>
        /// <exception cref="WebhookVerificationException">No signature header (<see cref="WebhookVerificationException.Part"/> <c>headers</c>), or the request failed the check.</exception>
        public static YativoEvent Verify(byte[] body, NameValueCollection headers, params string[] secrets)
        {
            Native.NotNull(headers, "headers");
            foreach (var name in SignatureHeaders)
            {
                string value = headers.Get(name);
                if (value != null) return Verify(body, name, value, secrets);
            }
            throw NoSignatureHeader();
        }

        /// <summary>
        /// Verifies a request given its headers as name/value pairs (any case; e.g. ASP.NET
        /// Core's <c>Request.Headers</c> flattened): the first of <see cref="SignatureHeaders"/>
        /// present is checked.
        /// </summary>
        /// <exception cref="WebhookVerificationException">No signature header (<see cref="WebhookVerificationException.Part"/> <c>headers</c>), or the request failed the check.</exception>
        public static YativoEvent Verify(byte[] body, IEnumerable<KeyValuePair<string, string>> headers, params string[] secrets)
        {
            Native.NotNull(headers, "headers");
            foreach (var name in SignatureHeaders)
                foreach (var h in headers)
                    if (h.Key != null && h.Value != null && string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase))
                        return Verify(body, h.Key, h.Value, secrets);
            throw NoSignatureHeader();
        }

        private static WebhookVerificationException NoSignatureHeader()
        {
            return new WebhookVerificationException("headers", "no signature header (" + string.Join(", ", SignatureHeaders) + ")");
        }

        // A refusal of the request's parts is a WebhookVerificationException; anything else
        // (the secrets, an internal error) throws as every call does. Read as data: the C
        // parameter and reason, never the message.
        private static void Refused(int status)
        {
            if (status == (int)TokenBridgeStatus.InvalidArgument)
            {
                string parameter = Native.TakeString(Native.tb_last_error_parameter());
                if (parameter == "header_name" || parameter == "header_value" || parameter == "body")
                    throw new WebhookVerificationException(ParamNames.Map(ParamNames.WebhookVerify, parameter),
                        Native.TakeString(Native.tb_last_error_reason()));
            }
            Native.Check(status, ParamNames.WebhookVerify);
        }
    }
}
