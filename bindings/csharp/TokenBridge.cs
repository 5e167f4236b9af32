// TokenBridge for .NET: clients (blocking, and Tasks that cancel for real) for the uContact, Yativo and AnnA REST APIs,
// a thin P/Invoke face over the tokenbridge C ABI (docs/c-api.md, include/tokenbridge.h).
// Drop this one file into a project and ship the native library beside it
// (libtokenbridge.so / tokenbridge.dll / libtokenbridge.dylib), or use TokenBridge.csproj,
// which packs it under runtimes/<rid>/native/.
//
// Source level: C# 7.0 (Mono's `mcs -langversion:7`), .NET Standard 2.0, .NET 6+, Mono.
//
// Memory rules kept here (see STYLE.md, "Bindings"):
// * No P/Invoke returns `string`: the marshaller would free the library's memory with the
//   runtime's allocator. Strings come back as IntPtr, are copied as UTF-8 and handed to
//   tb_string_free (static strings such as tb_version are copied and never freed).
// * Strings go in as UTF-8 byte arrays with a trailing NUL (the default marshalling is
//   ANSI on Mono and .NET Framework, which would mangle any non-ASCII password).
// * Two kinds of strings come out (the header's one rule): OWNED ones from a client call's
//   `char **out` (tokens, links, messages, last-error texts) are copied, then given to
//   tb_string_free (TakeString); LENT ones from an answer handle's accessors (IntPtr +
//   length) are copied as UTF-8 with Marshal.Copy while the handle lives (Lent, CopyUtf8)
//   and never freed by us. C `bool` returns are [return: MarshalAs(U1)]; tb_datetime is a
//   sequential struct of six int32 (Native.DateTimeParts).
// * Each handle type has its own SafeHandle class whose ReleaseHandle calls the matching
//   tb_*_free, so a handle is freed exactly once, never while a call on it is running,
//   and even when Dispose is forgotten. The finalizer thread never waits for the network:
//   a forgotten uContact client (whose free may send EndSession) is freed on the thread
//   pool instead (UContactHandle).
// * Answers (agent profile, access data, messenger structure and requests) are handles
//   read with the library's accessors; each model copies what it needs in its constructor
//   and the handle is freed before the call returns, so models hold no native memory and
//   need no Dispose. There is no JSON parser here: the only JSON is the RawJson escape
//   hatches (text, not parsed) and the bodies a TokenBridgeRequest sends.
// * Borrowed memory (log records, tb_response_*) is copied before the call returns or the
//   handle is freed.
// * Async: one helper (Calls.Run) runs the blocking call on the thread pool on a handle of
//   the same client made with tb_<api>_client_with_options and a tb_cancel_token of its
//   own; CancellationToken.Register cancels that token, so the native call stops.
// * Logging: the delegate the library calls is a static field (alive for the process) and
//   catches everything: no exception unwinds into native code.
// * Errors: TB_TIMEOUT is TimeoutException, TB_CANCELLED OperationCanceledException (each
//   wrapping the TokenBridgeException); a null argument is ArgumentNullException naming the
//   C# parameter, a bad value inside an options object (MessengerFilter) ArgumentException
//   naming the parameter, and messages name C# parameters, not C ones.

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TokenBridge
{
    /// <summary>The library's status codes (<c>tb_status</c>, same numbers).</summary>
    public enum TokenBridgeStatus
    {
        /// <summary><c>TB_OK</c>: success.</summary>
        Ok = 0,
        /// <summary><c>TB_INVALID_ARGUMENT</c>: bad argument or setting (the message names it); nothing was sent.</summary>
        InvalidArgument = 1,
        /// <summary><c>TB_DNS</c>: host name not resolved.</summary>
        Dns = 10,
        /// <summary><c>TB_CONNECT</c>: could not connect.</summary>
        Connect = 11,
        /// <summary><c>TB_TLS</c>: TLS handshake or certificate failure.</summary>
        Tls = 12,
        /// <summary><c>TB_TIMEOUT</c>: a timeout ran out.</summary>
        Timeout = 13,
        /// <summary><c>TB_RESET</c>: connection reset or closed early.</summary>
        Reset = 14,
        /// <summary><c>TB_PROXY</c>: proxy failure.</summary>
        Proxy = 15,
        /// <summary><c>TB_PROTOCOL</c>: invalid HTTP from the server.</summary>
        Protocol = 16,
        /// <summary><c>TB_IO</c>: other I/O failure.</summary>
        Io = 17,
        /// <summary><c>TB_HTTP_STATUS</c>: unexpected HTTP status (see <see cref="TokenBridgeException.HttpStatus"/>).</summary>
        HttpStatus = 20,
        /// <summary><c>TB_REJECTED</c>: the API said no (see <see cref="TokenBridgeException.VendorMessage"/>).</summary>
        Rejected = 21,
        /// <summary><c>TB_UNAUTHORIZED</c>: HTTP 401 even after one re-login.</summary>
        Unauthorized = 22,
        /// <summary><c>TB_UNEXPECTED_RESPONSE</c>: the answer could not be understood.</summary>
        UnexpectedResponse = 23,
        /// <summary><c>TB_CANCELLED</c>: the call was cancelled.</summary>
        Cancelled = 24,
        /// <summary><c>TB_WOULD_DEADLOCK</c>: called from inside the same client's login on the
        /// same thread (a log callback calling the client back); it failed at once instead of
        /// waiting for itself. Nothing was sent; call again after the callback returned.</summary>
        WouldDeadlock = 25,
        /// <summary><c>TB_PANIC</c>: internal error (a bug); the client stays usable.</summary>
        Panic = 99,
    }

    /// <summary>
    /// A call failed. Carries the library's status, its message (which never contains a
    /// password, secret or token), the HTTP status when one is known and the API's own
    /// message when the API refused.
    /// </summary>
    public class TokenBridgeException : Exception
    {
        /// <summary>What kind of failure this is.</summary>
        public TokenBridgeStatus Status { get; }

        /// <summary>The HTTP status involved, or 0 when none.</summary>
        public int HttpStatus { get; }

        /// <summary>The API's own message (for <see cref="TokenBridgeStatus.Rejected"/>), or null.</summary>
        public string VendorMessage { get; }

        /// <summary>Builds an exception (the library builds them from its last error).</summary>
        public TokenBridgeException(TokenBridgeStatus status, string message, int httpStatus, string vendorMessage)
            : base(message ?? Library.StatusName(status))
        {
            Status = status;
            HttpStatus = httpStatus;
            VendorMessage = vendorMessage;
        }
    }

    /// <summary>The library's version and status names.</summary>
    public static class Library
    {
        /// <summary>The native library's version, "MAJOR.MINOR.PATCH".</summary>
        public static string Version
        {
            get { return Native.CopyStatic(Native.tb_version()); }
        }

        /// <summary>MAJOR*10000 + MINOR*100 + PATCH.</summary>
        public static uint VersionNumber
        {
            get { return Native.tb_version_number(); }
        }

        /// <summary>The C name of a status, such as "TB_REJECTED".</summary>
        public static string StatusName(TokenBridgeStatus status)
        {
            return Native.CopyStatic(Native.tb_status_name((int)status));
        }

        // The delegate the library calls: one for the process, kept in a static field so that
        // the garbage collector never frees the thunk the library holds.
        private static readonly Native.LogCallback nativeLogCallback = OnNativeLog;
        private static readonly object logLock = new object();
        private static volatile Action<LogLevel, string, string> logger;
        private static volatile int logMaxLevel;

        /// <summary>
        /// Sends the library's log records (level, target such as "tokenbridge::http", message)
        /// to <paramref name="logger"/>, up to <paramref name="maxLevel"/>; null turns logging
        /// off (the default). One logger per process; each call replaces the previous one.
        /// No record holds a password, app secret, company hash or token, at any level.
        /// The logger runs on the thread whose call made the record (several at once): it
        /// must be thread-safe and quick, and must not call this library. Exceptions it
        /// throws are swallowed (they must not reach native code).
        /// </summary>
        public static void SetLogger(Action<LogLevel, string, string> logger, LogLevel maxLevel = LogLevel.Info)
        {
            lock (logLock)
            {
                if (logger == null)
                {
                    Native.Check(Native.tb_set_log_callback(null, 0, IntPtr.Zero));
                    Library.logger = null;
                    return;
                }
                if (maxLevel < LogLevel.Error || maxLevel > LogLevel.Trace)
                    throw new ArgumentOutOfRangeException("maxLevel", "not a LogLevel");
                var previous = Library.logger;
                Library.logger = logger;
                logMaxLevel = (int)maxLevel;
                try
                {
                    Native.Check(Native.tb_set_log_callback(nativeLogCallback, (int)maxLevel, IntPtr.Zero),
                        "callback", "logger", "max_level", "maxLevel");
                }
                catch
                {
                    Library.logger = previous;
                    throw;
                }
            }
        }

        private static void OnNativeLog(IntPtr userData, int level, IntPtr target, UIntPtr targetLen, IntPtr message, UIntPtr messageLen)
        {
            // Nothing may unwind into native code.
            try
            {
                var l = logger;
                if (l != null)
                    l((LogLevel)level, Native.CopyUtf8(target, targetLen), Native.CopyUtf8(message, messageLen));
            }
            catch
            {
            }
        }

        /// <summary>A record of the binding itself (target "tokenbridge::csharp").</summary>
        internal static void Emit(LogLevel level, string message)
        {
            try
            {
                var l = logger;
                if (l != null && (int)level <= logMaxLevel)
                    l(level, "tokenbridge::csharp", message);
            }
            catch
            {
            }
        }
    }

    /// <summary>The level of a log record (<c>tb_log_level</c>, same numbers).</summary>
    public enum LogLevel
    {
        /// <summary><c>TB_LOG_ERROR</c>.</summary>
        Error = 1,
        /// <summary><c>TB_LOG_WARN</c>.</summary>
        Warn = 2,
        /// <summary><c>TB_LOG_INFO</c>: logins, refreshes, retries, ended sessions.</summary>
        Info = 3,
        /// <summary><c>TB_LOG_DEBUG</c>: one record per HTTP request.</summary>
        Debug = 4,
        /// <summary><c>TB_LOG_TRACE</c>: what the HTTP libraries log, secrets replaced.</summary>
        Trace = 5,
    }

    /// <summary>
    /// The one helper behind every <c>...Async</c> method: runs the blocking native call on
    /// the thread pool, on a new handle of the same client (same connections, same token;
    /// <c>tb_&lt;api&gt;_client_with_options</c>) carrying a cancel token of its own and the
    /// client's deadline, if any. Cancelling the <see cref="CancellationToken"/> cancels the
    /// native call (TB_CANCELLED within about 100 ms); the task then ends as canceled.
    /// </summary>
    internal static class Calls
    {
        internal delegate int WithOptions<H>(H client, CallOptionsHandle opts, out H limited);

        /// <summary>Options with a deadline (none when null) and a cancel token (none when null).</summary>
        internal static CallOptionsHandle Options(TimeSpan? deadline, CancelTokenHandle cancel)
        {
            var opts = Native.tb_call_options_new();
            if (opts.IsInvalid) throw new OutOfMemoryException("tb_call_options_new returned NULL");
            try
            {
                if (deadline.HasValue)
                    Native.Check(Native.tb_call_options_set_deadline_ms(opts, Native.Millis(deadline.Value, "timeout")), "deadline_ms", "timeout");
                if (cancel != null)
                    Native.Check(Native.tb_call_options_set_cancel_token(opts, cancel));
                return opts;
            }
            catch
            {
                opts.Dispose();
                throw;
            }
        }

        /// <summary>A new handle of <paramref name="client"/> whose calls run with these options.</summary>
        internal static H Limited<H>(H client, TimeSpan? deadline, CancelTokenHandle cancel, WithOptions<H> withOptions) where H : SafeHandle
        {
            using (var opts = Options(deadline, cancel))
            {
                H limited;
                Native.Check(withOptions(client, opts, out limited), "deadline_ms", "timeout");
                return limited;
            }
        }

        internal static Task<T> Run<TClient, T>(Func<CancelTokenHandle, TClient> limited, Func<TClient, T> call, CancellationToken cancellationToken)
            where TClient : IDisposable
        {
            return Task.Run(() =>
            {
                using (var cancel = Native.tb_cancel_token_new())
                {
                    if (cancel.IsInvalid) throw new OutOfMemoryException("tb_cancel_token_new returned NULL");
                    using (TClient client = limited(cancel))
                    // Disposed before the cancel token is: the callback never sees it freed
                    // (Dispose waits for a callback already running).
                    using (cancellationToken.Register(CancelNative, cancel))
                    {
                        try
                        {
                            return call(client);
                        }
                        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested)
                        {
                            // Carries the token, so that the task ends as canceled.
                            throw new OperationCanceledException(e.Message, e.InnerException, cancellationToken);
                        }
                    }
                }
            }, cancellationToken);
        }

        private static void CancelNative(object cancel)
        {
            try
            {
                Native.tb_cancel_token_cancel((CancelTokenHandle)cancel);
            }
            catch (ObjectDisposedException)
            {
                // The call already ended.
            }
        }
    }

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
                body.Length == 0 ? null : body, new UIntPtr((uint)body.Length)), "content_type", "contentType", "bytes", "body");
            return this;
        }

        /// <summary>Sends <c>Idempotency-Key</c> on every send and retry; makes a POST or PATCH retryable.</summary>
        public TokenBridgeRequest SetIdempotencyKey(string idempotencyKey)
        {
            Native.Check(Native.tb_request_set_idempotency_key(Handle, Native.Utf8(idempotencyKey, "idempotencyKey")),
                "idempotency_key", "idempotencyKey");
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

    /// <summary>Which trust roots TLS uses.</summary>
    public enum TlsRoots
    {
        /// <summary>Mozilla's roots, built into the library (the default).</summary>
        Mozilla = 0,
        /// <summary>The operating system's trust store.</summary>
        OperatingSystem = 1,
    }

    /// <summary>
    /// Client settings. Clients copy the settings when they are created, so one config can
    /// build several clients and be disposed right after. Not thread-safe to change.
    /// Each setter returns the config, for chaining; an invalid value throws a
    /// <see cref="TokenBridgeException"/> with <see cref="TokenBridgeStatus.InvalidArgument"/>.
    /// </summary>
    public sealed class TokenBridgeConfig : IDisposable
    {
        internal readonly ConfigHandle Handle;

        /// <summary>A config with the library's defaults.</summary>
        public TokenBridgeConfig()
        {
            Handle = Native.tb_config_new();
            if (Handle.IsInvalid)
                throw new OutOfMemoryException("tb_config_new returned NULL");
        }

        /// <summary>Connect timeout (must be positive).</summary>
        public TokenBridgeConfig SetConnectTimeout(TimeSpan timeout)
        {
            Native.Check(Native.tb_config_set_timeout_connect_ms(Handle, Native.Millis(timeout, "timeout")), "timeout_connect_ms", "timeout");
            return this;
        }

        /// <summary>Timeout for sending a request (must be positive).</summary>
        public TokenBridgeConfig SetSendTimeout(TimeSpan timeout)
        {
            Native.Check(Native.tb_config_set_timeout_send_ms(Handle, Native.Millis(timeout, "timeout")), "timeout_send_ms", "timeout");
            return this;
        }

        /// <summary>Timeout for receiving an answer (must be positive).</summary>
        public TokenBridgeConfig SetReceiveTimeout(TimeSpan timeout)
        {
            Native.Check(Native.tb_config_set_timeout_receive_ms(Handle, Native.Millis(timeout, "timeout")), "timeout_receive_ms", "timeout");
            return this;
        }

        /// <summary>Sends every request through this proxy (e.g. "http://proxy:3128").</summary>
        public TokenBridgeConfig SetProxy(string url)
        {
            Native.Check(Native.tb_config_set_proxy(Handle, Native.Utf8(url, "url")));
            return this;
        }

        /// <summary>Uses no proxy, whatever the environment says.</summary>
        public TokenBridgeConfig SetNoProxy()
        {
            Native.Check(Native.tb_config_set_no_proxy(Handle));
            return this;
        }

        /// <summary>The User-Agent header.</summary>
        public TokenBridgeConfig SetUserAgent(string userAgent)
        {
            Native.Check(Native.tb_config_set_user_agent(Handle, Native.Utf8(userAgent, "userAgent")), "user_agent", "userAgent");
            return this;
        }

        /// <summary>Allows plain http:// URLs (for local test servers only).</summary>
        public TokenBridgeConfig SetAllowHttp(bool allow)
        {
            Native.Check(Native.tb_config_set_allow_http(Handle, allow));
            return this;
        }

        /// <summary>Largest answer body accepted.</summary>
        public TokenBridgeConfig SetMaxResponseBytes(ulong maxBytes)
        {
            Native.Check(Native.tb_config_set_max_response_bytes(Handle, maxBytes), "max_response_bytes", "maxBytes");
            return this;
        }

        /// <summary>Which trust roots TLS uses.</summary>
        public TokenBridgeConfig SetTlsRoots(TlsRoots roots)
        {
            Native.Check(Native.tb_config_set_tls_roots(Handle, (int)roots));
            return this;
        }

        /// <summary>A PEM file of extra CA certificates (checked when a client is created).</summary>
        public TokenBridgeConfig SetExtraCaFile(string path)
        {
            Native.Check(Native.tb_config_set_extra_ca_file(Handle, Native.Utf8(path, "path")));
            return this;
        }

        /// <summary>Retries of failed requests, with exponential back-off between the two delays.</summary>
        public TokenBridgeConfig SetRetries(uint maxRetries, TimeSpan baseDelay, TimeSpan maxDelay)
        {
            Native.Check(Native.tb_config_set_retries(Handle, maxRetries,
                Native.Millis(baseDelay, "baseDelay"), Native.Millis(maxDelay, "maxDelay")),
                "max_retries", "maxRetries", "base_delay_ms", "baseDelay", "max_delay_ms", "maxDelay");
            return this;
        }

        /// <summary>How long before its expiry a cached token is renewed.</summary>
        public TokenBridgeConfig SetRefreshAhead(TimeSpan refreshAhead)
        {
            Native.Check(Native.tb_config_set_refresh_ahead_ms(Handle, Native.Millis(refreshAhead, "refreshAhead")));
            return this;
        }

        /// <summary>
        /// How long a client keeps the addresses its host name resolved to (default 60 s, as
        /// libcurl); <see cref="TimeSpan.Zero"/> asks DNS before every request. A failed
        /// connection forgets them at once.
        /// </summary>
        public TokenBridgeConfig SetDnsCacheTtl(TimeSpan ttl)
        {
            Native.Check(Native.tb_config_set_dns_cache_ttl_ms(Handle, Native.Millis(ttl, "ttl")));
            return this;
        }

        /// <summary>Whether disposing of a uContact client ends its live session first.</summary>
        public TokenBridgeConfig SetEndSessionOnClose(bool endSession)
        {
            Native.Check(Native.tb_config_set_end_session_on_close(Handle, endSession));
            return this;
        }

        /// <summary>Frees the native config.</summary>
        public void Dispose()
        {
            Handle.Dispose();
        }
    }

    /// <summary>A token and when it expires.</summary>
    public sealed class AccessToken
    {
        /// <summary>The token.</summary>
        public string Token { get; }
        /// <summary>When it expires, or null when unknown.</summary>
        public DateTimeOffset? ExpiresAt { get; }

        internal AccessToken(string token, long expiresAtUnix)
        {
            Token = token;
            ExpiresAt = Native.FromUnix(expiresAtUnix);
        }

        /// <summary>Never shows the token.</summary>
        public override string ToString()
        {
            return "AccessToken(expires " + (ExpiresAt.HasValue ? ExpiresAt.Value.ToString("o", CultureInfo.InvariantCulture) : "unknown") + ")";
        }
    }

    /// <summary>How a uContact client logs in.</summary>
    public enum UContactLoginKind
    {
        /// <summary>An API user (getUserToken).</summary>
        ApiUser = 0,
        /// <summary>An agent (AgentLogin).</summary>
        Agent = 1,
    }

    /// <summary>
    /// A published field of the agent profile (<c>tb_agent_field</c>, same numbers), for
    /// <see cref="AgentProfile.Text"/>. The wire names are in lower case but for
    /// <c>LogLevel</c>. <c>secret</c> and <c>md5secret</c> (the SIP password and its
    /// digest) are deliberately not reachable.
    /// </summary>
    public enum AgentField
    {
        /// <summary><c>id</c> (a number; also <see cref="AgentProfile.Id"/>).</summary>
        Id = 0,
        /// <summary><c>name</c>.</summary>
        Name,
        /// <summary><c>host</c>.</summary>
        Host,
        /// <summary><c>nat</c>.</summary>
        Nat,
        /// <summary><c>type</c>.</summary>
        Type,
        /// <summary><c>accountcode</c>.</summary>
        AccountCode,
        /// <summary><c>callgroup</c>.</summary>
        CallGroup,
        /// <summary><c>callerid</c>.</summary>
        CallerId,
        /// <summary><c>canreinvite</c>.</summary>
        CanReinvite,
        /// <summary><c>context</c>.</summary>
        Context,
        /// <summary><c>dtmfmode</c>.</summary>
        DtmfMode,
        /// <summary><c>insecure</c>.</summary>
        Insecure,
        /// <summary><c>language</c>.</summary>
        Language,
        /// <summary><c>mailbox</c>.</summary>
        Mailbox,
        /// <summary><c>pickupgroup</c>.</summary>
        PickupGroup,
        /// <summary><c>qualify</c>.</summary>
        Qualify,
        /// <summary><c>disallow</c>.</summary>
        Disallow,
        /// <summary><c>allow</c>.</summary>
        Allow,
        /// <summary><c>port</c>.</summary>
        Port,
        /// <summary><c>defaultuser</c>.</summary>
        DefaultUser,
        /// <summary><c>subscribecontext</c>.</summary>
        SubscribeContext,
        /// <summary><c>record</c>.</summary>
        Record,
        /// <summary><c>email</c>.</summary>
        Email,
        /// <summary><c>phonetype</c>.</summary>
        PhoneType,
        /// <summary><c>transport</c>.</summary>
        Transport,
        /// <summary><c>encryption</c>.</summary>
        Encryption,
        /// <summary><c>did</c>.</summary>
        Did,
        /// <summary><c>outboundproxy</c>.</summary>
        OutboundProxy,
        /// <summary><c>fullname</c>.</summary>
        FullName,
        /// <summary><c>LogLevel</c>.</summary>
        LogLevel,
        /// <summary><c>limite</c> (a number; also <see cref="AgentProfile.Limite"/>).</summary>
        Limite,
        /// <summary><c>token</c>: the session token (also cached by the client).</summary>
        Token,
    }

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

    /// <summary>
    /// A uContact client: one connection pool, one set of credentials, one cached token.
    /// Thread-safe; nothing is sent until the first call.
    /// </summary>
    public sealed class UContactClient : IDisposable
    {
        private readonly UContactHandle handle;
        private readonly TimeSpan? timeout;

        /// <summary>
        /// A client for <paramref name="server"/> (a cloud domain such as "mycompany", or a full URL).
        /// </summary>
        public UContactClient(string server, string user, string password,
            UContactLoginKind kind = UContactLoginKind.ApiUser, TokenBridgeConfig config = null)
        {
            Native.NotNull(server, "server");
            Native.NotNull(user, "user");
            Native.NotNull(password, "password");
            UContactHandle h = null;
            Native.WithConfig(config, cfg => Native.tb_ucontact_client_new(cfg,
                Native.Utf8(server, "server"), Native.Utf8(user, "user"), Native.Utf8(password, "password"), (int)kind, out h));
            handle = h;
        }

        private UContactClient(UContactHandle handle, TimeSpan? timeout)
        {
            this.handle = handle;
            this.timeout = timeout;
        }

        /// <summary>
        /// The same client (connections, token, session) whose every call, async ones too,
        /// must end within <paramref name="timeout"/> (logins, retries and the answer
        /// included) or fails with <see cref="TimeoutException"/>. Dispose it when done;
        /// that does not end the session while this client lives.
        /// </summary>
        public UContactClient WithTimeout(TimeSpan timeout)
        {
            return new UContactClient(Calls.Limited(handle, timeout, null, Native.tb_ucontact_client_with_options), timeout);
        }

        private Task<T> Async<T>(Func<UContactClient, T> call, CancellationToken cancellationToken)
        {
            return Calls.Run(cancel => new UContactClient(Calls.Limited(handle, timeout, cancel, Native.tb_ucontact_client_with_options), timeout), call, cancellationToken);
        }

        /// <summary><see cref="GetUserToken"/> on the thread pool; cancelling stops the native call.</summary>
        public Task<string> GetUserTokenAsync(CancellationToken cancellationToken = default(CancellationToken))
        {
            return Async(c => c.GetUserToken(), cancellationToken);
        }

        /// <summary><see cref="AgentLogin"/> on the thread pool; cancelling stops the native call.</summary>
        public Task<AgentProfile> AgentLoginAsync(CancellationToken cancellationToken = default(CancellationToken))
        {
            return Async(c => c.AgentLogin(), cancellationToken);
        }

        /// <summary><see cref="EndSession"/> on the thread pool; cancelling stops the native call.</summary>
        public Task EndSessionAsync(CancellationToken cancellationToken = default(CancellationToken))
        {
            return Async<object>(c => { c.EndSession(); return null; }, cancellationToken);
        }

        /// <summary><see cref="GetValidToken"/> on the thread pool; cancelling stops the native call.</summary>
        public Task<string> GetValidTokenAsync(CancellationToken cancellationToken = default(CancellationToken))
        {
            return Async(c => c.GetValidToken(), cancellationToken);
        }

        /// <summary>
        /// Sends a request built with <see cref="TokenBridgeRequest"/> with the client's token
        /// (<c>Basic {token}</c>), logging in again once on 401.
        /// </summary>
        public TokenBridgeResponse Send(TokenBridgeRequest request)
        {
            return TokenBridgeResponse.Send(handle, request, Native.tb_ucontact_send);
        }

        /// <summary><see cref="Send"/> on the thread pool; cancelling stops the native call.</summary>
        public Task<TokenBridgeResponse> SendAsync(TokenBridgeRequest request, CancellationToken cancellationToken = default(CancellationToken))
        {
            return Async(c => c.Send(request), cancellationToken);
        }

        /// <summary>getUserToken: logs in as the API user and returns the token.</summary>
        public string GetUserToken()
        {
            IntPtr s;
            Native.Check(Native.tb_ucontact_get_user_token(handle, out s));
            return Native.TakeString(s);
        }

        /// <summary>AgentLogin: logs in as the agent and returns the agent's profile.</summary>
        public AgentProfile AgentLogin()
        {
            AgentProfileHandle p;
            Native.Check(Native.tb_ucontact_agent_login(handle, out p));
            using (p)
                return new AgentProfile(p);
        }

        /// <summary>EndSession: ends the live session (does nothing without one).</summary>
        public void EndSession()
        {
            Native.Check(Native.tb_ucontact_end_session(handle));
        }

        /// <summary>A valid token: the cached one, or a new login.</summary>
        public string GetValidToken()
        {
            IntPtr s;
            Native.Check(Native.tb_ucontact_token(handle, out s));
            return Native.TakeString(s);
        }

        /// <summary>Uses this token from now on (e.g. one saved from an earlier run).</summary>
        public void SetToken(string token)
        {
            Native.Check(Native.tb_ucontact_set_token(handle, Native.Utf8(token, "token")));
        }

        /// <summary>
        /// Frees the client (ending a live session first when the config says so) once
        /// calls still running on other threads have returned. A client nobody disposed is
        /// freed from the finalizer without waiting for the network: the free (and the end
        /// of the session) runs on the thread pool, and a warning is logged.
        /// </summary>
        public void Dispose()
        {
            handle.DisposeByOwner();
        }
    }

    /// <summary>
    /// A Yativo client: one connection pool, one set of credentials, one cached token.
    /// Thread-safe; nothing is sent until the first call.
    /// </summary>
    public sealed class YativoClient : IDisposable
    {
        /// <summary>Yativo's production API (<c>TB_YATIVO_PRODUCTION_URL</c>).</summary>
        public const string ProductionUrl = "https://api.yativo.com/api/v1";
        /// <summary>Yativo's sandbox API (<c>TB_YATIVO_SANDBOX_URL</c>).</summary>
        public const string SandboxUrl = "https://smtp.yativo.com/api/v1";

        private readonly YativoHandle handle;
        private readonly TimeSpan? timeout;

        /// <summary>A client for the API at <paramref name="baseUrl"/> (e.g. <see cref="ProductionUrl"/>).</summary>
        public YativoClient(string baseUrl, string accountId, string appSecret, TokenBridgeConfig config = null)
        {
            Native.NotNull(baseUrl, "baseUrl");
            Native.NotNull(accountId, "accountId");
            Native.NotNull(appSecret, "appSecret");
            YativoHandle h = null;
            Native.WithConfig(config, cfg => Native.tb_yativo_client_new(cfg,
                Native.Utf8(baseUrl, "baseUrl"), Native.Utf8(accountId, "accountId"), Native.Utf8(appSecret, "appSecret"), out h));
            handle = h;
        }

        private YativoClient(YativoHandle handle, TimeSpan? timeout)
        {
            this.handle = handle;
            this.timeout = timeout;
        }

        /// <summary>
        /// The same client (connections, token) whose every call, async ones too, must end
        /// within <paramref name="timeout"/> (logins, retries and the answer included) or
        /// fails with <see cref="TimeoutException"/>. Dispose it when done.
        /// </summary>
        public YativoClient WithTimeout(TimeSpan timeout)
        {
            return new YativoClient(Calls.Limited(handle, timeout, null, Native.tb_yativo_client_with_options), timeout);
        }

        private Task<T> Async<T>(Func<YativoClient, T> call, CancellationToken cancellationToken)
        {
            return Calls.Run(cancel => new YativoClient(Calls.Limited(handle, timeout, cancel, Native.tb_yativo_client_with_options), timeout), call, cancellationToken);
        }

        /// <summary><see cref="Login"/> on the thread pool; cancelling stops the native call.</summary>
        public Task<AccessToken> LoginAsync(CancellationToken cancellationToken = default(CancellationToken))
        {
            return Async(c => c.Login(), cancellationToken);
        }

        /// <summary><see cref="RefreshToken"/> on the thread pool; cancelling stops the native call.</summary>
        public Task<AccessToken> RefreshTokenAsync(CancellationToken cancellationToken = default(CancellationToken))
        {
            return Async(c => c.RefreshToken(), cancellationToken);
        }

        /// <summary><see cref="GetValidToken"/> on the thread pool; cancelling stops the native call.</summary>
        public Task<string> GetValidTokenAsync(CancellationToken cancellationToken = default(CancellationToken))
        {
            return Async(c => c.GetValidToken(), cancellationToken);
        }

        /// <summary>
        /// Sends a request built with <see cref="TokenBridgeRequest"/> with the client's token
        /// (<c>Bearer</c>), logging in again once on 401. POSTs without an idempotency key get a
        /// fresh one per send.
        /// </summary>
        public TokenBridgeResponse Send(TokenBridgeRequest request)
        {
            return TokenBridgeResponse.Send(handle, request, Native.tb_yativo_send);
        }

        /// <summary><see cref="Send"/> on the thread pool; cancelling stops the native call.</summary>
        public Task<TokenBridgeResponse> SendAsync(TokenBridgeRequest request, CancellationToken cancellationToken = default(CancellationToken))
        {
            return Async(c => c.Send(request), cancellationToken);
        }

        /// <summary>Logs in and returns the new access token.</summary>
        public AccessToken Login()
        {
            IntPtr s;
            long expiresAt;
            Native.Check(Native.tb_yativo_login(handle, out s, out expiresAt));
            return new AccessToken(Native.TakeString(s), expiresAt);
        }

        /// <summary>Refreshes the current token and returns the new one.</summary>
        public AccessToken RefreshToken()
        {
            IntPtr s;
            long expiresAt;
            Native.Check(Native.tb_yativo_refresh_token(handle, out s, out expiresAt));
            return new AccessToken(Native.TakeString(s), expiresAt);
        }

        /// <summary>A valid token: the cached one, a refreshed one or a new login.</summary>
        public string GetValidToken()
        {
            IntPtr s;
            Native.Check(Native.tb_yativo_token(handle, out s));
            return Native.TakeString(s);
        }

        /// <summary>
        /// Uses this token from now on. Without <paramref name="expiresAt"/>, the expiry is
        /// read from the token (a JWT), else taken as 10 minutes.
        /// </summary>
        public void SetToken(string token, DateTimeOffset? expiresAt = null)
        {
            Native.Check(Native.tb_yativo_set_token(handle, Native.Utf8(token, "token"), Native.ToUnix(expiresAt)));
        }

        /// <summary>Frees the client once calls still running on other threads have returned.</summary>
        public void Dispose()
        {
            handle.Dispose();
        }
    }

    /// <summary>An AnnA user: by id, or by document.</summary>
    public sealed class AnnaUser
    {
        /// <summary>The user id, or null when chosen by document.</summary>
        public string Id { get; }
        /// <summary>The document type (e.g. "CPF"), or null when chosen by id.</summary>
        public string DocumentType { get; }
        /// <summary>The document number, or null when chosen by id.</summary>
        public string DocumentValue { get; }

        private AnnaUser(string id, string docType, string docValue)
        {
            Id = id;
            DocumentType = docType;
            DocumentValue = docValue;
        }

        /// <summary>The user with this id.</summary>
        public static AnnaUser ById(string id)
        {
            return new AnnaUser(Native.NotNull(id, "id"), null, null);
        }

        /// <summary>The user holding this document (e.g. "CPF", "12345678900").</summary>
        public static AnnaUser ByDocument(string type, string value)
        {
            return new AnnaUser(null, Native.NotNull(type, "type"), Native.NotNull(value, "value"));
        }
    }

    /// <summary>
    /// A messenger request's status (<c>tb_messenger_status</c>, same numbers): in a
    /// <see cref="MessengerFilter"/>, which requests to count or list; in a
    /// <see cref="MessengerRequest"/>, what AnnA said.
    /// </summary>
    public enum MessengerRequestStatus
    {
        /// <summary>Open (<c>A</c> on the wire).</summary>
        Open = 1,
        /// <summary>Closed (<c>E</c> on the wire).</summary>
        Closed = 2,
    }

    /// <summary>
    /// Which messenger requests <see cref="AnnaClient.GetMessengerAlertCounter"/> and
    /// <see cref="AnnaClient.GetMessengerRequests"/> count or list; a null (or empty)
    /// property does not filter. A plain object: each call builds the library's filter
    /// from it (<c>tb_messenger_filter_*</c>), so one filter may serve many calls and
    /// threads. A bad value is an <see cref="ArgumentException"/> naming the call's
    /// <c>filter</c> parameter and the property; nothing is sent.
    /// </summary>
    public sealed class MessengerFilter
    {
        /// <summary>Only this department (its <see cref="MessengerDepartment.Alias"/>).</summary>
        public string DepartmentAlias { get; set; }
        /// <summary>Only this channel (its <see cref="MessengerChannel.Alias"/>).</summary>
        public string ChannelAlias { get; set; }
        /// <summary>Opened on or after this day (the time of day is ignored).</summary>
        public DateTime? DateFrom { get; set; }
        /// <summary>Opened on or before this day (the time of day is ignored); not before <see cref="DateFrom"/>.</summary>
        public DateTime? DateTo { get; set; }
        /// <summary>Only open or only closed requests.</summary>
        public MessengerRequestStatus? Status { get; set; }
        /// <summary>Only pending (true) or only not pending (false) requests.</summary>
        public bool? Pending { get; set; }

        /// <summary>Never null: the library's filter, checked (the caller frees it).</summary>
        internal MessengerFilterHandle ToNative(string parameter)
        {
            if (DateFrom.HasValue && DateTo.HasValue && DateFrom.Value.Date > DateTo.Value.Date)
                throw new ArgumentException(parameter + ".DateFrom (" + Day(DateFrom.Value) + ") is after " + parameter + ".DateTo (" + Day(DateTo.Value) + ")", parameter);
            if (Status.HasValue && Status.Value != MessengerRequestStatus.Open && Status.Value != MessengerRequestStatus.Closed)
                throw new ArgumentException(parameter + ".Status is not a MessengerRequestStatus", parameter);
            var f = Native.tb_messenger_filter_new();
            if (f.IsInvalid) throw new OutOfMemoryException("tb_messenger_filter_new returned NULL");
            try
            {
                string[] renames =
                {
                    "alias", parameter + ".DepartmentAlias",
                    "date_from", parameter + ".DateFrom",
                    "date_to", parameter + ".DateTo",
                };
                if (!string.IsNullOrEmpty(DepartmentAlias))
                    Native.CheckArgument(Native.tb_messenger_filter_set_department_alias(f, Native.OptionalUtf8(DepartmentAlias, parameter, parameter + ".DepartmentAlias")), parameter, renames);
                renames[1] = parameter + ".ChannelAlias";
                if (!string.IsNullOrEmpty(ChannelAlias))
                    Native.CheckArgument(Native.tb_messenger_filter_set_channel_alias(f, Native.OptionalUtf8(ChannelAlias, parameter, parameter + ".ChannelAlias")), parameter, renames);
                if (DateFrom.HasValue)
                {
                    var d = DateFrom.Value;
                    Native.CheckArgument(Native.tb_messenger_filter_set_date_from(f, d.Year, d.Month, d.Day), parameter, renames);
                }
                if (DateTo.HasValue)
                {
                    var d = DateTo.Value;
                    Native.CheckArgument(Native.tb_messenger_filter_set_date_to(f, d.Year, d.Month, d.Day), parameter, renames);
                }
                if (Status.HasValue)
                    Native.CheckArgument(Native.tb_messenger_filter_set_status(f, (int)Status.Value), parameter, renames);
                if (Pending.HasValue)
                    Native.CheckArgument(Native.tb_messenger_filter_set_pending(f, Pending.Value ? 1 : 2), parameter, renames);
                return f;
            }
            catch
            {
                f.Dispose();
                throw;
            }
        }

        private static string Day(DateTime d)
        {
            return d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        /// <summary>The filter in words, e.g. for a log.</summary>
        public override string ToString()
        {
            var parts = new List<string>();
            if (!string.IsNullOrEmpty(DepartmentAlias)) parts.Add("department " + DepartmentAlias);
            if (!string.IsNullOrEmpty(ChannelAlias)) parts.Add("channel " + ChannelAlias);
            if (DateFrom.HasValue) parts.Add("from " + Day(DateFrom.Value));
            if (DateTo.HasValue) parts.Add("to " + Day(DateTo.Value));
            if (Status.HasValue) parts.Add(Status.Value.ToString().ToLowerInvariant());
            if (Pending.HasValue) parts.Add(Pending.Value ? "pending" : "not pending");
            return "MessengerFilter(" + (parts.Count == 0 ? "everything" : string.Join(", ", parts)) + ")";
        }
    }

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
            if (Native.tb_access_data_expires(d, out when))
                Expires = when.ToDateTime();
        }

        /// <summary>Never shows the hash (nor the URLs, which carry it).</summary>
        public override string ToString()
        {
            return "AccessData(expires " + (ExpiresRaw ?? "?") + ")";
        }
    }

    /// <summary>A messenger channel.</summary>
    public sealed class MessengerChannel
    {
        /// <summary>Alias (used in filters).</summary>
        public string Alias { get; }
        /// <summary>Display name.</summary>
        public string Name { get; }

        internal MessengerChannel(string alias, string name)
        {
            Alias = alias;
            Name = name;
        }

        /// <summary>"Name (alias)".</summary>
        public override string ToString()
        {
            return Name + " (" + Alias + ")";
        }
    }

    /// <summary>A messenger department and its channels.</summary>
    public sealed class MessengerDepartment
    {
        /// <summary>Alias (used in filters).</summary>
        public string Alias { get; }
        /// <summary>Display name.</summary>
        public string Name { get; }
        /// <summary>The department's channels, in AnnA's order.</summary>
        public IReadOnlyList<MessengerChannel> Channels { get; }

        internal MessengerDepartment(string alias, string name, IReadOnlyList<MessengerChannel> channels)
        {
            Alias = alias;
            Name = name;
            Channels = channels;
        }

        /// <summary>"Name (alias)".</summary>
        public override string ToString()
        {
            return Name + " (" + Alias + ")";
        }
    }

    /// <summary>
    /// The company's messenger structure: departments and their channels, read through the
    /// library's accessors (<c>tb_messenger_structure_*</c>) and copied.
    /// </summary>
    public sealed class MessengerStructure
    {
        /// <summary><c>CompaniesHash</c>: the company hash (a credential: do not log it).</summary>
        public string CompaniesHash { get; }
        /// <summary><c>CompaniesName</c>: the company name.</summary>
        public string CompaniesName { get; }
        /// <summary>The departments, in AnnA's order.</summary>
        public IReadOnlyList<MessengerDepartment> Departments { get; }
        /// <summary>The <c>structure</c> object as JSON text (AnnA's value written anew, keys sorted; it holds the company hash).</summary>
        public string RawJson { get; }

        internal MessengerStructure(MessengerStructureHandle s)
        {
            CompaniesHash = Native.Lent(s, Native.tb_messenger_structure_companies_hash);
            CompaniesName = Native.Lent(s, Native.tb_messenger_structure_companies_name);
            RawJson = Native.Lent(s, Native.tb_messenger_structure_raw_json);
            ulong count = Native.tb_messenger_structure_department_count(s).ToUInt64();
            var departments = new List<MessengerDepartment>();
            for (ulong d = 0; d < count; d++)
            {
                IntPtr alias, name;
                UIntPtr aliasLen, nameLen;
                Native.Check(Native.tb_messenger_structure_department(s, new UIntPtr(d), out alias, out aliasLen, out name, out nameLen));
                ulong channelCount = Native.tb_messenger_structure_channel_count(s, new UIntPtr(d)).ToUInt64();
                var channels = new List<MessengerChannel>();
                for (ulong c = 0; c < channelCount; c++)
                {
                    IntPtr chAlias, chName;
                    UIntPtr chAliasLen, chNameLen;
                    Native.Check(Native.tb_messenger_structure_channel(s, new UIntPtr(d), new UIntPtr(c), out chAlias, out chAliasLen, out chName, out chNameLen));
                    channels.Add(new MessengerChannel(Native.CopyUtf8(chAlias, chAliasLen), Native.CopyUtf8(chName, chNameLen)));
                }
                departments.Add(new MessengerDepartment(Native.CopyUtf8(alias, aliasLen), Native.CopyUtf8(name, nameLen), channels));
            }
            Departments = departments;
        }

        /// <summary>Never shows the company hash.</summary>
        public override string ToString()
        {
            return "MessengerStructure(" + (CompaniesName ?? "?") + ", " + Departments.Count.ToString(CultureInfo.InvariantCulture) + " departments)";
        }
    }

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
            StatusText = Native.Lent(l, i, Native.tb_messenger_requests_status);
            Link = Native.Lent(l, i, Native.tb_messenger_requests_link);
            int status, pending;
            Native.Check(Native.tb_messenger_requests_status_kind(l, i, out status));
            if (status == (int)MessengerRequestStatus.Open || status == (int)MessengerRequestStatus.Closed)
                Status = (MessengerRequestStatus)status;
            Native.Check(Native.tb_messenger_requests_pending(l, i, out pending));
            if (pending == 1) Pending = true;
            else if (pending == 2) Pending = false;
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

    /// <summary>A user's messenger requests, in AnnA's order (copied out of the library's list).</summary>
    public sealed class MessengerRequests : IReadOnlyList<MessengerRequest>
    {
        private readonly List<MessengerRequest> items = new List<MessengerRequest>();

        /// <summary>The <c>userRequests</c> array as JSON text (AnnA's value written anew, keys sorted).</summary>
        public string RawJson { get; }

        internal MessengerRequests(MessengerRequestsHandle l)
        {
            ulong count = Native.tb_messenger_requests_count(l).ToUInt64();
            for (ulong i = 0; i < count; i++)
                items.Add(new MessengerRequest(l, i));
            RawJson = Native.Lent(l, Native.tb_messenger_requests_raw_json);
        }

        /// <summary>The request at <paramref name="index"/>.</summary>
        public MessengerRequest this[int index] { get { return items[index]; } }

        /// <summary>How many requests there are.</summary>
        public int Count { get { return items.Count; } }

        /// <summary>The requests in order.</summary>
        public IEnumerator<MessengerRequest> GetEnumerator()
        {
            return items.GetEnumerator();
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator()
        {
            return GetEnumerator();
        }
    }

    /// <summary>
    /// An AnnA client: one connection pool, one set of credentials, one cached token.
    /// Thread-safe; nothing is sent until the first call.
    /// </summary>
    public sealed class AnnaClient : IDisposable
    {
        private readonly AnnaHandle handle;
        private readonly TimeSpan? timeout;

        /// <summary>A client for the AnnA server at <paramref name="baseUrl"/>.</summary>
        public AnnaClient(string baseUrl, string companyHash, string user, string pass, TokenBridgeConfig config = null)
        {
            Native.NotNull(baseUrl, "baseUrl");
            Native.NotNull(companyHash, "companyHash");
            Native.NotNull(user, "user");
            Native.NotNull(pass, "pass");
            AnnaHandle h = null;
            Native.WithConfig(config, cfg => Native.tb_anna_client_new(cfg,
                Native.Utf8(baseUrl, "baseUrl"), Native.Utf8(companyHash, "companyHash"), Native.Utf8(user, "user"), Native.Utf8(pass, "pass"), out h));
            handle = h;
        }

        private AnnaClient(AnnaHandle handle, TimeSpan? timeout)
        {
            this.handle = handle;
            this.timeout = timeout;
        }

        /// <summary>
        /// The same client (connections, token) whose every call, async ones too, must end
        /// within <paramref name="timeout"/> (logins, retries and the answer included) or
        /// fails with <see cref="TimeoutException"/>. Dispose it when done.
        /// </summary>
        public AnnaClient WithTimeout(TimeSpan timeout)
        {
            return new AnnaClient(Calls.Limited(handle, timeout, null, Native.tb_anna_client_with_options), timeout);
        }

        private Task<T> Async<T>(Func<AnnaClient, T> call, CancellationToken cancellationToken)
        {
            return Calls.Run(cancel => new AnnaClient(Calls.Limited(handle, timeout, cancel, Native.tb_anna_client_with_options), timeout), call, cancellationToken);
        }

        /// <summary><see cref="GetToken"/> on the thread pool; cancelling stops the native call.</summary>
        public Task<AccessToken> GetTokenAsync(CancellationToken cancellationToken = default(CancellationToken))
        {
            return Async(c => c.GetToken(), cancellationToken);
        }

        /// <summary><see cref="GetValidToken"/> on the thread pool; cancelling stops the native call.</summary>
        public Task<string> GetValidTokenAsync(CancellationToken cancellationToken = default(CancellationToken))
        {
            return Async(c => c.GetValidToken(), cancellationToken);
        }

        /// <summary><see cref="UserHash"/> on the thread pool; cancelling stops the native call.</summary>
        public Task<AccessData> UserHashAsync(string userId, string startService = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            return Async(c => c.UserHash(userId, startService), cancellationToken);
        }

        /// <summary><see cref="UserHashForced"/> on the thread pool; cancelling stops the native call.</summary>
        public Task<AccessData> UserHashForcedAsync(string userId, string userName, string startService = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            return Async(c => c.UserHashForced(userId, userName, startService), cancellationToken);
        }

        /// <summary><see cref="InactivateUser"/> on the thread pool; cancelling stops the native call.</summary>
        public Task<string> InactivateUserAsync(string userId, CancellationToken cancellationToken = default(CancellationToken))
        {
            return Async(c => c.InactivateUser(userId), cancellationToken);
        }

        /// <summary><see cref="GetMessengerStructure"/> on the thread pool; cancelling stops the native call.</summary>
        public Task<MessengerStructure> GetMessengerStructureAsync(CancellationToken cancellationToken = default(CancellationToken))
        {
            return Async(c => c.GetMessengerStructure(), cancellationToken);
        }

        /// <summary><see cref="GetMessengerAlertCounter"/> on the thread pool; cancelling stops the native call.</summary>
        public Task<ulong> GetMessengerAlertCounterAsync(AnnaUser user, MessengerFilter filter = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            return Async(c => c.GetMessengerAlertCounter(user, filter), cancellationToken);
        }

        /// <summary><see cref="GetMessengerRequests"/> on the thread pool; cancelling stops the native call.</summary>
        public Task<MessengerRequests> GetMessengerRequestsAsync(AnnaUser user, MessengerFilter filter = null, CancellationToken cancellationToken = default(CancellationToken))
        {
            return Async(c => c.GetMessengerRequests(user, filter), cancellationToken);
        }

        /// <summary><see cref="GetMessengerLink"/> on the thread pool; cancelling stops the native call.</summary>
        public Task<string> GetMessengerLinkAsync(AnnaUser user, CancellationToken cancellationToken = default(CancellationToken))
        {
            return Async(c => c.GetMessengerLink(user), cancellationToken);
        }

        /// <summary>
        /// Sends a request built with <see cref="TokenBridgeRequest"/> with the client's token
        /// (<c>Bearer</c>), logging in again once on 401.
        /// </summary>
        public TokenBridgeResponse Send(TokenBridgeRequest request)
        {
            return TokenBridgeResponse.Send(handle, request, Native.tb_anna_send);
        }

        /// <summary><see cref="Send"/> on the thread pool; cancelling stops the native call.</summary>
        public Task<TokenBridgeResponse> SendAsync(TokenBridgeRequest request, CancellationToken cancellationToken = default(CancellationToken))
        {
            return Async(c => c.Send(request), cancellationToken);
        }

        /// <summary>GetToken: logs in and returns the new token.</summary>
        public AccessToken GetToken()
        {
            IntPtr s;
            long expiresAt;
            Native.Check(Native.tb_anna_get_token(handle, out s, out expiresAt));
            return new AccessToken(Native.TakeString(s), expiresAt);
        }

        /// <summary>A valid token: the cached one, or a new login.</summary>
        public string GetValidToken()
        {
            IntPtr s;
            Native.Check(Native.tb_anna_token(handle, out s));
            return Native.TakeString(s);
        }

        /// <summary>
        /// Uses this token from now on. Without <paramref name="expiresAt"/>, the expiry is
        /// read from the token (a JWT), else unknown.
        /// </summary>
        public void SetToken(string token, DateTimeOffset? expiresAt = null)
        {
            Native.Check(Native.tb_anna_set_token(handle, Native.Utf8(token, "token"), Native.ToUnix(expiresAt)));
        }

        /// <summary>UserHash: the access data of an active user.</summary>
        public AccessData UserHash(string userId, string startService = null)
        {
            AccessDataHandle d;
            Native.Check(Native.tb_anna_user_hash(handle, Native.Utf8(userId, "userId"), Native.OptionalUtf8(startService, "startService"), out d),
                "user_id", "userId", "start_service", "startService");
            using (d)
                return new AccessData(d);
        }

        /// <summary>UserHashForced: the access data of a user, creating or reactivating it.</summary>
        public AccessData UserHashForced(string userId, string userName, string startService = null)
        {
            AccessDataHandle d;
            Native.Check(Native.tb_anna_user_hash_forced(handle, Native.Utf8(userId, "userId"), Native.Utf8(userName, "userName"), Native.OptionalUtf8(startService, "startService"), out d),
                "user_id", "userId", "user_name", "userName", "start_service", "startService");
            using (d)
                return new AccessData(d);
        }

        /// <summary>Inactivates a user; returns AnnA's message, or null when it sent none.</summary>
        public string InactivateUser(string userId)
        {
            IntPtr s;
            Native.Check(Native.tb_anna_inactivate_user(handle, Native.Utf8(userId, "userId"), out s), "user_id", "userId");
            return Native.TakeString(s);
        }

        /// <summary>The company's messenger departments and channels.</summary>
        public MessengerStructure GetMessengerStructure()
        {
            MessengerStructureHandle s;
            Native.Check(Native.tb_anna_messenger_structure(handle, out s));
            using (s)
                return new MessengerStructure(s);
        }

        // The C names of a messenger call's user and filter, and the C# ones.
        private static readonly string[] MessengerRenames = { "user_id", "user", "doc_type", "user", "doc_value", "user", "filter", "filter" };

        /// <summary>
        /// How many open requests await the user's answer, among those <paramref name="filter"/>
        /// lets through (null: all).
        /// </summary>
        public ulong GetMessengerAlertCounter(AnnaUser user, MessengerFilter filter = null)
        {
            Native.NotNull(user, "user");
            using (var f = filter == null ? null : filter.ToNative("filter"))
            {
                ulong count;
                Native.Check(Native.tb_anna_messenger_alert_counter(handle, Native.OptionalUtf8(user.Id, "user"),
                    Native.OptionalUtf8(user.DocumentType, "user"), Native.OptionalUtf8(user.DocumentValue, "user"), f ?? MessengerFilterHandle.Null, out count), MessengerRenames);
                return count;
            }
        }

        /// <summary>A user's messenger requests that <paramref name="filter"/> lets through (null: all).</summary>
        public MessengerRequests GetMessengerRequests(AnnaUser user, MessengerFilter filter = null)
        {
            Native.NotNull(user, "user");
            using (var f = filter == null ? null : filter.ToNative("filter"))
            {
                MessengerRequestsHandle l;
                Native.Check(Native.tb_anna_messenger_requests(handle, Native.OptionalUtf8(user.Id, "user"),
                    Native.OptionalUtf8(user.DocumentType, "user"), Native.OptionalUtf8(user.DocumentValue, "user"), f ?? MessengerFilterHandle.Null, out l), MessengerRenames);
                using (l)
                    return new MessengerRequests(l);
            }
        }

        /// <summary>The link that opens a user's messenger.</summary>
        public string GetMessengerLink(AnnaUser user)
        {
            Native.NotNull(user, "user");
            IntPtr s;
            Native.Check(Native.tb_anna_messenger_link(handle, Native.OptionalUtf8(user.Id, "user"),
                Native.OptionalUtf8(user.DocumentType, "user"), Native.OptionalUtf8(user.DocumentValue, "user"), out s), MessengerRenames);
            return Native.TakeString(s);
        }

        /// <summary>Frees the client once calls still running on other threads have returned.</summary>
        public void Dispose()
        {
            handle.Dispose();
        }
    }

    // ---- Handles -------------------------------------------------------------------------

    /// <summary>Owns a <c>tb_config*</c>; released with <c>tb_config_free</c>.</summary>
    internal sealed class ConfigHandle : SafeHandle
    {
        public ConfigHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        protected override bool ReleaseHandle()
        {
            Native.tb_config_free(handle);
            return true;
        }
    }

    /// <summary>
    /// Owns a <c>tb_ucontact_client*</c>; released with <c>tb_ucontact_client_free</c>, which
    /// may end the session over the network. After <see cref="UContactClient.Dispose"/> that
    /// runs on the disposing thread (or on the thread of the last call still running). A
    /// client nobody disposed is released by the finalizer, which must never wait for the
    /// network: the free is handed to the thread pool (and a warning logged).
    /// </summary>
    internal sealed class UContactHandle : SafeHandle
    {
        private volatile bool disposedByOwner;

        public UContactHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }

        /// <summary>Dispose called by the owner (not the finalizer).</summary>
        internal void DisposeByOwner()
        {
            disposedByOwner = true;
            Dispose();
        }

        protected override bool ReleaseHandle()
        {
            if (disposedByOwner)
            {
                Native.tb_ucontact_client_free(handle);
                return true;
            }
            // The finalizer thread (ReleaseHandle runs without a Dispose only from there).
            // While the runtime shuts down, leave the handle to the OS rather than start work.
            if (Environment.HasShutdownStarted) return true;
            IntPtr h = handle;
            try
            {
                ThreadPool.QueueUserWorkItem(_ =>
                {
                    Library.Emit(LogLevel.Warn, "a UContactClient was not disposed; it is freed (and its session ended) on the thread pool");
                    Native.tb_ucontact_client_free(h);
                });
            }
            catch (Exception)
            {
                // Could not queue the work (the runtime is going away): leak rather than block.
            }
            return true;
        }
    }

    /// <summary>Owns a <c>tb_yativo_client*</c>; released with <c>tb_yativo_client_free</c>.</summary>
    internal sealed class YativoHandle : SafeHandle
    {
        public YativoHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        protected override bool ReleaseHandle()
        {
            Native.tb_yativo_client_free(handle);
            return true;
        }
    }

    /// <summary>Owns a <c>tb_anna_client*</c>; released with <c>tb_anna_client_free</c>.</summary>
    internal sealed class AnnaHandle : SafeHandle
    {
        public AnnaHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        protected override bool ReleaseHandle()
        {
            Native.tb_anna_client_free(handle);
            return true;
        }
    }

    /// <summary>Owns a <c>tb_cancel_token*</c>; released with <c>tb_cancel_token_free</c>.</summary>
    internal sealed class CancelTokenHandle : SafeHandle
    {
        public CancelTokenHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        protected override bool ReleaseHandle()
        {
            Native.tb_cancel_token_free(handle);
            return true;
        }
    }

    /// <summary>Owns a <c>tb_call_options*</c>; released with <c>tb_call_options_free</c>.</summary>
    internal sealed class CallOptionsHandle : SafeHandle
    {
        public CallOptionsHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        protected override bool ReleaseHandle()
        {
            Native.tb_call_options_free(handle);
            return true;
        }
    }

    /// <summary>Owns a <c>tb_request*</c>; released with <c>tb_request_free</c>.</summary>
    internal sealed class RequestHandle : SafeHandle
    {
        public RequestHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        protected override bool ReleaseHandle()
        {
            Native.tb_request_free(handle);
            return true;
        }
    }

    /// <summary>Owns a <c>tb_response*</c>; released with <c>tb_response_free</c>.</summary>
    internal sealed class ResponseHandle : SafeHandle
    {
        public ResponseHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        protected override bool ReleaseHandle()
        {
            Native.tb_response_free(handle);
            return true;
        }
    }

    // The answers' handles: one SafeHandle class per handle type, each releasing with its
    // own tb_*_free. The binding copies an answer out (AgentProfile, AccessData, ...) and
    // disposes of its handle before the call returns, so these live only that long; the
    // strings they lend are never freed by us.

    /// <summary>Owns a <c>tb_agent_profile*</c>; released with <c>tb_agent_profile_free</c>.</summary>
    internal sealed class AgentProfileHandle : SafeHandle
    {
        public AgentProfileHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        protected override bool ReleaseHandle()
        {
            Native.tb_agent_profile_free(handle);
            return true;
        }
    }

    /// <summary>Owns a <c>tb_access_data*</c>; released with <c>tb_access_data_free</c>.</summary>
    internal sealed class AccessDataHandle : SafeHandle
    {
        public AccessDataHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        protected override bool ReleaseHandle()
        {
            Native.tb_access_data_free(handle);
            return true;
        }
    }

    /// <summary>Owns a <c>tb_messenger_structure*</c>; released with <c>tb_messenger_structure_free</c>.</summary>
    internal sealed class MessengerStructureHandle : SafeHandle
    {
        public MessengerStructureHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        protected override bool ReleaseHandle()
        {
            Native.tb_messenger_structure_free(handle);
            return true;
        }
    }

    /// <summary>Owns a <c>tb_messenger_requests*</c>; released with <c>tb_messenger_requests_free</c>.</summary>
    internal sealed class MessengerRequestsHandle : SafeHandle
    {
        public MessengerRequestsHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        protected override bool ReleaseHandle()
        {
            Native.tb_messenger_requests_free(handle);
            return true;
        }
    }

    /// <summary>Owns a <c>tb_messenger_filter*</c>; released with <c>tb_messenger_filter_free</c>.</summary>
    internal sealed class MessengerFilterHandle : SafeHandle
    {
        /// <summary>NULL (no filter), for the calls whose filter is optional; never disposed.</summary>
        internal static readonly MessengerFilterHandle Null = new MessengerFilterHandle();

        public MessengerFilterHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        protected override bool ReleaseHandle()
        {
            Native.tb_messenger_filter_free(handle);
            return true;
        }
    }

    // ---- The C ABI -------------------------------------------------------------------------

    internal static class Native
    {
        private const string Lib = "tokenbridge";
        private const CallingConvention Cdecl = CallingConvention.Cdecl;

        // Strings: `byte[]` in (UTF-8 + NUL, null = NULL), `out IntPtr` out (freed with
        // tb_string_free). C `bool` is one byte, hence MarshalAs(U1). Enums are int-sized.

        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_string_free(IntPtr s);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern IntPtr tb_status_name(int status);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern IntPtr tb_version();
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern uint tb_version_number();

        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_last_error_status();
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern IntPtr tb_last_error_message();
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern ushort tb_last_error_http_status();
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern IntPtr tb_last_error_vendor_message();

        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern ConfigHandle tb_config_new();
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_config_free(IntPtr cfg);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_timeout_connect_ms(ConfigHandle cfg, ulong ms);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_timeout_send_ms(ConfigHandle cfg, ulong ms);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_timeout_receive_ms(ConfigHandle cfg, ulong ms);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_proxy(ConfigHandle cfg, byte[] url);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_no_proxy(ConfigHandle cfg);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_user_agent(ConfigHandle cfg, byte[] userAgent);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_allow_http(ConfigHandle cfg, [MarshalAs(UnmanagedType.U1)] bool allow);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_max_response_bytes(ConfigHandle cfg, ulong bytes);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_tls_roots(ConfigHandle cfg, int roots);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_extra_ca_file(ConfigHandle cfg, byte[] path);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_retries(ConfigHandle cfg, uint maxRetries, ulong baseDelayMs, ulong maxDelayMs);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_refresh_ahead_ms(ConfigHandle cfg, ulong ms);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_dns_cache_ttl_ms(ConfigHandle cfg, ulong ms);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_config_set_end_session_on_close(ConfigHandle cfg, [MarshalAs(UnmanagedType.U1)] bool endSession);

        // Client constructors take the config as IntPtr because it may be NULL; WithConfig
        // keeps the config's SafeHandle referenced for the duration of the call.
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_ucontact_client_new(IntPtr cfg, byte[] server, byte[] user, byte[] password, int kind, out UContactHandle client);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_ucontact_client_free(IntPtr client);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_yativo_client_new(IntPtr cfg, byte[] baseUrl, byte[] accountId, byte[] appSecret, out YativoHandle client);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_yativo_client_free(IntPtr client);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_client_new(IntPtr cfg, byte[] baseUrl, byte[] companyHash, byte[] user, byte[] pass, out AnnaHandle client);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_anna_client_free(IntPtr client);

        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_ucontact_get_user_token(UContactHandle c, out IntPtr token);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_ucontact_agent_login(UContactHandle c, out AgentProfileHandle profile);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_ucontact_end_session(UContactHandle c);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_ucontact_token(UContactHandle c, out IntPtr token);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_ucontact_set_token(UContactHandle c, byte[] token);

        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_yativo_login(YativoHandle c, out IntPtr token, out long expiresAt);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_yativo_refresh_token(YativoHandle c, out IntPtr token, out long expiresAt);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_yativo_token(YativoHandle c, out IntPtr token);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_yativo_set_token(YativoHandle c, byte[] token, long expiresAt);

        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_get_token(AnnaHandle c, out IntPtr token, out long expiresAt);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_token(AnnaHandle c, out IntPtr token);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_set_token(AnnaHandle c, byte[] token, long expiresAt);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_user_hash(AnnaHandle c, byte[] userId, byte[] startService, out AccessDataHandle data);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_user_hash_forced(AnnaHandle c, byte[] userId, byte[] userName, byte[] startService, out AccessDataHandle data);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_inactivate_user(AnnaHandle c, byte[] userId, out IntPtr message);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_messenger_structure(AnnaHandle c, out MessengerStructureHandle structure);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_messenger_alert_counter(AnnaHandle c, byte[] userId, byte[] docType, byte[] docValue, MessengerFilterHandle filter, out ulong count);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_messenger_requests(AnnaHandle c, byte[] userId, byte[] docType, byte[] docValue, MessengerFilterHandle filter, out MessengerRequestsHandle list);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_messenger_link(AnnaHandle c, byte[] userId, byte[] docType, byte[] docValue, out IntPtr link);

        // Answers as handles read with accessors. Every string an accessor gives is LENT:
        // IntPtr + length, copied as UTF-8 (CopyUtf8) while the handle lives, never freed
        // by us (the handle's free wipes it). An absent field is TB_OK with NULL: null here.
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_text(AgentProfileHandle p, int field, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern UIntPtr tb_agent_profile_field_count(AgentProfileHandle p);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_field_at(AgentProfileHandle p, UIntPtr index, out IntPtr name, out UIntPtr nameLen, out IntPtr value, out UIntPtr valueLen);
        [DllImport(Lib, CallingConvention = Cdecl)] [return: MarshalAs(UnmanagedType.U1)] internal static extern bool tb_agent_profile_id(AgentProfileHandle p, out long id);
        [DllImport(Lib, CallingConvention = Cdecl)] [return: MarshalAs(UnmanagedType.U1)] internal static extern bool tb_agent_profile_limite(AgentProfileHandle p, out long limite);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_agent_profile_raw_json(AgentProfileHandle p, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_agent_profile_free(IntPtr p);

        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_access_data_hash(AccessDataHandle d, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_access_data_chat_url(AccessDataHandle d, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_access_data_embedded_url(AccessDataHandle d, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] [return: MarshalAs(UnmanagedType.U1)] internal static extern bool tb_access_data_expires(AccessDataHandle d, out DateTimeParts when);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_access_data_expires_raw(AccessDataHandle d, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_access_data_raw_json(AccessDataHandle d, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_access_data_free(IntPtr d);

        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_structure_companies_hash(MessengerStructureHandle s, out IntPtr text, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_structure_companies_name(MessengerStructureHandle s, out IntPtr text, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern UIntPtr tb_messenger_structure_department_count(MessengerStructureHandle s);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_structure_department(MessengerStructureHandle s, UIntPtr department, out IntPtr alias, out UIntPtr aliasLen, out IntPtr name, out UIntPtr nameLen);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern UIntPtr tb_messenger_structure_channel_count(MessengerStructureHandle s, UIntPtr department);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_structure_channel(MessengerStructureHandle s, UIntPtr department, UIntPtr channel, out IntPtr alias, out UIntPtr aliasLen, out IntPtr name, out UIntPtr nameLen);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_structure_raw_json(MessengerStructureHandle s, out IntPtr text, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_messenger_structure_free(IntPtr s);

        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern UIntPtr tb_messenger_requests_count(MessengerRequestsHandle l);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_requests_department(MessengerRequestsHandle l, UIntPtr index, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_requests_channel(MessengerRequestsHandle l, UIntPtr index, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_requests_description(MessengerRequestsHandle l, UIntPtr index, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_requests_opened_at(MessengerRequestsHandle l, UIntPtr index, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_requests_protocol(MessengerRequestsHandle l, UIntPtr index, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_requests_status(MessengerRequestsHandle l, UIntPtr index, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_requests_link(MessengerRequestsHandle l, UIntPtr index, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_requests_status_kind(MessengerRequestsHandle l, UIntPtr index, out int status);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_requests_pending(MessengerRequestsHandle l, UIntPtr index, out int pending);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern UIntPtr tb_messenger_requests_field_count(MessengerRequestsHandle l, UIntPtr index);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_requests_field_at(MessengerRequestsHandle l, UIntPtr index, UIntPtr field, out IntPtr name, out UIntPtr nameLen, out IntPtr value, out UIntPtr valueLen);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_requests_raw_json(MessengerRequestsHandle l, out IntPtr s, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_messenger_requests_free(IntPtr l);

        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern MessengerFilterHandle tb_messenger_filter_new();
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_filter_set_department_alias(MessengerFilterHandle f, byte[] alias);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_filter_set_channel_alias(MessengerFilterHandle f, byte[] alias);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_filter_set_date_from(MessengerFilterHandle f, int year, int month, int day);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_filter_set_date_to(MessengerFilterHandle f, int year, int month, int day);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_filter_set_status(MessengerFilterHandle f, int status);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_messenger_filter_set_pending(MessengerFilterHandle f, int pending);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_messenger_filter_free(IntPtr f);

        /// <summary><c>tb_datetime</c>: six int32, the server's local time.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct DateTimeParts
        {
            public int Year, Month, Day, Hour, Minute, Second;

            /// <summary>As a <see cref="DateTimeKind.Unspecified"/> DateTime (a leap second 60 reads as 59); null when impossible.</summary>
            internal DateTime? ToDateTime()
            {
                try
                {
                    return new DateTime(Year, Month, Day, Hour, Minute, Math.Min(Second, 59), DateTimeKind.Unspecified);
                }
                catch (ArgumentOutOfRangeException)
                {
                    return null;
                }
            }
        }

        internal delegate int LentText<H>(H handle, out IntPtr s, out UIntPtr len);
        internal delegate int LentItemText<H>(H handle, UIntPtr index, out IntPtr s, out UIntPtr len);

        /// <summary>A lent string of a handle, copied (null when absent).</summary>
        internal static string Lent<H>(H handle, LentText<H> accessor)
        {
            IntPtr s;
            UIntPtr len;
            Check(accessor(handle, out s, out len));
            return CopyUtf8(s, len);
        }

        /// <summary>A lent string of item <paramref name="index"/> of a handle, copied (null when absent).</summary>
        internal static string Lent<H>(H handle, UIntPtr index, LentItemText<H> accessor)
        {
            IntPtr s;
            UIntPtr len;
            Check(accessor(handle, index, out s, out len));
            return CopyUtf8(s, len);
        }

        // Logging: the callback's delegate lives in a static field (Library), for the process.
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        internal delegate void LogCallback(IntPtr userData, int level, IntPtr target, UIntPtr targetLen, IntPtr message, UIntPtr messageLen);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_set_log_callback(LogCallback callback, int maxLevel, IntPtr userData);

        // Deadlines and cancellation.
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern CancelTokenHandle tb_cancel_token_new();
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_cancel_token_cancel(CancelTokenHandle token);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_cancel_token_free(IntPtr token);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern CallOptionsHandle tb_call_options_new();
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_call_options_set_deadline_ms(CallOptionsHandle opts, ulong ms);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_call_options_set_cancel_token(CallOptionsHandle opts, CancelTokenHandle token);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_call_options_free(IntPtr opts);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_ucontact_client_with_options(UContactHandle c, CallOptionsHandle opts, out UContactHandle client);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_yativo_client_with_options(YativoHandle c, CallOptionsHandle opts, out YativoHandle client);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_client_with_options(AnnaHandle c, CallOptionsHandle opts, out AnnaHandle client);

        // Generic calls as typed data. Everything a response hands out is borrowed (IntPtr
        // + length), copied before tb_response_free.
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_request_new(byte[] method, byte[] path, out RequestHandle request);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_request_add_query(RequestHandle r, byte[] name, byte[] value);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_request_add_header(RequestHandle r, byte[] name, byte[] value);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_request_add_form_field(RequestHandle r, byte[] name, byte[] value);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_request_set_json(RequestHandle r, byte[] json);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_request_set_body(RequestHandle r, byte[] contentType, byte[] bytes, UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_request_set_idempotency_key(RequestHandle r, byte[] key);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_request_allow_authorization_header(RequestHandle r, [MarshalAs(UnmanagedType.U1)] bool allow);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_request_free(IntPtr r);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_ucontact_send(UContactHandle c, RequestHandle r, out ResponseHandle response);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_yativo_send(YativoHandle c, RequestHandle r, out ResponseHandle response);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_anna_send(AnnaHandle c, RequestHandle r, out ResponseHandle response);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern ushort tb_response_status(ResponseHandle r);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_response_body(ResponseHandle r, out IntPtr bytes, out UIntPtr len);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern UIntPtr tb_response_header_count(ResponseHandle r);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern int tb_response_header_at(ResponseHandle r, UIntPtr index, out IntPtr name, out UIntPtr nameLen, out IntPtr value, out UIntPtr valueLen);
        [DllImport(Lib, CallingConvention = Cdecl)] internal static extern void tb_response_free(IntPtr r);

        /// <summary>
        /// A required string as UTF-8 with a trailing NUL: null is <see cref="ArgumentNullException"/>
        /// naming <paramref name="paramName"/>, and so is a NUL character inside an
        /// <see cref="ArgumentException"/> (C would silently cut the string there).
        /// </summary>
        internal static byte[] Utf8(string s, string paramName)
        {
            return OptionalUtf8(NotNull(s, paramName), paramName);
        }

        /// <summary>
        /// An optional string as UTF-8 with a trailing NUL; null stays null (NULL for the library).
        /// A NUL character inside is an <see cref="ArgumentException"/> naming
        /// <paramref name="paramName"/> (the message says <paramref name="what"/>, e.g. a property).
        /// </summary>
        internal static byte[] OptionalUtf8(string s, string paramName, string what = null)
        {
            if (s == null) return null;
            if (s.IndexOf('\0') >= 0)
                throw new ArgumentException("`" + (what ?? paramName) + "` contains a NUL character (U+0000), which cannot cross into the library", paramName);
            int n = Encoding.UTF8.GetByteCount(s);
            var bytes = new byte[n + 1];
            Encoding.UTF8.GetBytes(s, 0, s.Length, bytes, 0);
            return bytes;
        }

        /// <summary>Copies a NUL-terminated UTF-8 string (null for NULL).</summary>
        internal static string CopyStatic(IntPtr p)
        {
            if (p == IntPtr.Zero) return null;
            int n = 0;
            while (Marshal.ReadByte(p, n) != 0) n++;
            var bytes = new byte[n];
            Marshal.Copy(p, bytes, 0, n);
            return Encoding.UTF8.GetString(bytes);
        }

        /// <summary>Copies a string the library allocated, then frees it with tb_string_free.</summary>
        internal static string TakeString(IntPtr p)
        {
            if (p == IntPtr.Zero) return null;
            try
            {
                return CopyStatic(p);
            }
            finally
            {
                tb_string_free(p);
            }
        }

        /// <summary>
        /// Throws the thread's last error when <paramref name="status"/> is not TB_OK:
        /// <see cref="TimeoutException"/> for TB_TIMEOUT, <see cref="OperationCanceledException"/>
        /// for TB_CANCELLED (each with the <see cref="TokenBridgeException"/> as its inner
        /// exception), else a <see cref="TokenBridgeException"/>. <paramref name="renames"/>
        /// holds pairs (C name, C# name): the message names the parameter the C# caller wrote.
        /// </summary>
        internal static void Check(int status, params string[] renames)
        {
            if (status == 0) return;
            // Read right away, on the same thread: the last error is thread-local and the
            // next tb_ call clears it.
            string message = TakeString(tb_last_error_message());
            ushort http = tb_last_error_http_status();
            string vendor = TakeString(tb_last_error_vendor_message());
            if (message != null)
                for (int i = 0; i + 1 < renames.Length; i += 2)
                    message = message.Replace("`" + renames[i] + "`", "`" + renames[i + 1] + "`");
            var e = new TokenBridgeException((TokenBridgeStatus)status, message, http, vendor);
            if (status == (int)TokenBridgeStatus.Timeout) throw new TimeoutException(e.Message, e);
            if (status == (int)TokenBridgeStatus.Cancelled) throw new OperationCanceledException(e.Message, e);
            throw e;
        }

        /// <summary>
        /// For a value the caller gave inside <paramref name="parameter"/> (a property of an
        /// options object): a TB_INVALID_ARGUMENT becomes an <see cref="ArgumentException"/>
        /// naming it, with the library's message (C names renamed) and the
        /// <see cref="TokenBridgeException"/> inside; any other failure is thrown as by Check.
        /// </summary>
        internal static void CheckArgument(int status, string parameter, params string[] renames)
        {
            if (status == 0) return;
            try
            {
                Check(status, renames);
            }
            catch (TokenBridgeException e) when (e.Status == TokenBridgeStatus.InvalidArgument)
            {
                throw new ArgumentException(e.Message, parameter, e);
            }
        }

        /// <summary>Throws <see cref="ArgumentNullException"/> naming the C# parameter.</summary>
        internal static T NotNull<T>(T value, string name) where T : class
        {
            if (value == null) throw new ArgumentNullException(name);
            return value;
        }

        /// <summary>Copies <paramref name="len"/> bytes of UTF-8 (borrowed memory) into a string.</summary>
        internal static string CopyUtf8(IntPtr p, UIntPtr len)
        {
            if (p == IntPtr.Zero) return null;
            return Encoding.UTF8.GetString(CopyBytes(p, len));
        }

        /// <summary>Copies <paramref name="len"/> bytes of borrowed memory.</summary>
        internal static byte[] CopyBytes(IntPtr p, UIntPtr len)
        {
            ulong n = len.ToUInt64();
            if (n > int.MaxValue) throw new OutOfMemoryException("more than 2 GiB");
            var bytes = new byte[(int)n];
            if (n > 0) Marshal.Copy(p, bytes, 0, (int)n);
            return bytes;
        }

        internal delegate int ConfigCall(IntPtr cfg);

        internal static void WithConfig(TokenBridgeConfig config, ConfigCall call)
        {
            if (config == null)
            {
                Check(call(IntPtr.Zero));
                return;
            }
            bool added = false;
            try
            {
                config.Handle.DangerousAddRef(ref added);
                Check(call(config.Handle.DangerousGetHandle()));
            }
            finally
            {
                if (added) config.Handle.DangerousRelease();
            }
        }

        internal static ulong Millis(TimeSpan t, string name)
        {
            if (t < TimeSpan.Zero) throw new ArgumentOutOfRangeException(name, "must not be negative");
            return (ulong)(t.Ticks / TimeSpan.TicksPerMillisecond);
        }

        internal static DateTimeOffset? FromUnix(long seconds)
        {
            if (seconds == 0) return null;
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        }

        internal static long ToUnix(DateTimeOffset? t)
        {
            return t.HasValue ? t.Value.ToUnixTimeSeconds() : 0;
        }
    }
}
