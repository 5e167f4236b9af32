// TokenBridgeRequest.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

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
    /// A request for <c>Send</c>/<c>SendAsync</c> of any client: method, path (relative to the
    /// client's base URL, without query), query parameters, headers and one body (form
    /// fields, JSON or raw bytes; setting another kind replaces it). Each setter returns the
    /// request, for chaining, and checks its own arguments (the request is unchanged after a
    /// refusal). Not consumed by a send: send it as often as you like, to any client. Not
    /// thread-safe to change; unchanged, it may be sent from several threads at once.
    /// </summary>
    public sealed class TokenBridgeRequest : IDisposable
    {
        internal readonly RequestHandle Handle;

        /// <summary>A request: <paramref name="method"/> GET, HEAD, OPTIONS, POST, PUT, PATCH or DELETE.</summary>
        public TokenBridgeRequest(string method, string path)
        {
            RequestHandle h;
            Native.Check(Native.tb_request_new(Native.Utf8(method, "method"), Native.Utf8(path, "path"), out h));
            Handle = h;
        }

        /// <summary>Adds a query parameter (percent-encoded when sent; names may repeat).</summary>
        public TokenBridgeRequest AddQuery(string name, string value)
        {
            Native.Check(Native.tb_request_add_query(Handle, Native.Utf8(name, "name"), Native.Utf8(value, "value")));
            return this;
        }

        /// <summary>
        /// Adds a header. Checked when sent: an invalid name, <c>Host</c>, <c>Content-Length</c>,
        /// <c>Transfer-Encoding</c>, <c>Connection</c>, <c>TE</c>, <c>Upgrade</c>, a value with
        /// CR/LF, and <c>Authorization</c> without <see cref="AllowAuthorizationHeader"/> make the
        /// send fail with <see cref="TokenBridgeStatus.InvalidArgument"/>; nothing is sent.
        /// </summary>
        public TokenBridgeRequest AddHeader(string name, string value)
        {
            Native.Check(Native.tb_request_add_header(Handle, Native.Utf8(name, "name"), Native.Utf8(value, "value")));
            return this;
        }

        /// <summary>Adds a form field: the body is <c>application/x-www-form-urlencoded</c>.</summary>
        public TokenBridgeRequest AddFormField(string name, string value)
        {
            Native.Check(Native.tb_request_add_form_field(Handle, Native.Utf8(name, "name"), Native.Utf8(value, "value")));
            return this;
        }

        /// <summary>The body is this JSON text (checked), sent as <c>application/json</c>.</summary>
        public TokenBridgeRequest SetJson(string json)
        {
            Native.Check(Native.tb_request_set_json(Handle, Native.Utf8(json, "json")));
            return this;
        }

        /// <summary>The body is these bytes (copied), sent with this <c>Content-Type</c>.</summary>
        public TokenBridgeRequest SetBody(string contentType, byte[] body)
        {
            Native.NotNull(body, "body");
            Native.Check(Native.tb_request_set_body(Handle, Native.Utf8(contentType, "contentType"),
                body.Length == 0 ? null : body, new UIntPtr((uint)body.Length)), ParamNames.RequestBody);
            return this;
        }

        /// <summary>Sends <c>Idempotency-Key</c> on every send and retry; makes a POST or PATCH retryable.</summary>
        public TokenBridgeRequest SetIdempotencyKey(string idempotencyKey)
        {
            Native.Check(Native.tb_request_set_idempotency_key(Handle, Native.Utf8(idempotencyKey, "idempotencyKey")), ParamNames.IdempotencyKey);
            return this;
        }

        /// <summary>Lets an added <c>Authorization</c> header replace the client's token (no login; a 401 fails at once).</summary>
        public TokenBridgeRequest AllowAuthorizationHeader(bool allow = true)
        {
            Native.Check(Native.tb_request_allow_authorization_header(Handle, allow));
            return this;
        }

        /// <summary>Frees the native request.</summary>
        public void Dispose()
        {
            Handle.Dispose();
        }
    }
}
