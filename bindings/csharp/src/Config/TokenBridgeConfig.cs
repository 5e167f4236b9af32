// TokenBridgeConfig.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

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
            Native.Check(Native.tb_config_set_timeout_connect_ms(Handle, Native.Millis(timeout, "timeout")), ParamNames.TimeoutConnect);
            return this;
        }

        /// <summary>Timeout for sending a request (must be positive).</summary>
        public TokenBridgeConfig SetSendTimeout(TimeSpan timeout)
        {
            Native.Check(Native.tb_config_set_timeout_send_ms(Handle, Native.Millis(timeout, "timeout")), ParamNames.TimeoutSend);
            return this;
        }

        /// <summary>Timeout for receiving an answer (must be positive).</summary>
        public TokenBridgeConfig SetReceiveTimeout(TimeSpan timeout)
        {
            Native.Check(Native.tb_config_set_timeout_receive_ms(Handle, Native.Millis(timeout, "timeout")), ParamNames.TimeoutReceive);
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
            Native.Check(Native.tb_config_set_user_agent(Handle, Native.Utf8(userAgent, "userAgent")), ParamNames.UserAgent);
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
            Native.Check(Native.tb_config_set_max_response_bytes(Handle, maxBytes), ParamNames.MaxResponseBytes);
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
                Native.Millis(baseDelay, "baseDelay"), Native.Millis(maxDelay, "maxDelay")), ParamNames.Retries);
            return this;
        }

        /// <summary>How long before its expiry a cached token is renewed.</summary>
        public TokenBridgeConfig SetRefreshAhead(TimeSpan refreshAhead)
        {
            Native.Check(Native.tb_config_set_refresh_ahead_ms(Handle, Native.Millis(refreshAhead, "refreshAhead")), ParamNames.RefreshAhead);
            return this;
        }

        /// <summary>
        /// How long a client keeps the addresses its host name resolved to (default 60 s, as
        /// libcurl); <see cref="TimeSpan.Zero"/> asks DNS before every request. A failed
        /// connection forgets them at once.
        /// </summary>
        public TokenBridgeConfig SetDnsCacheTtl(TimeSpan ttl)
        {
            Native.Check(Native.tb_config_set_dns_cache_ttl_ms(Handle, Native.Millis(ttl, "ttl")), ParamNames.DnsCacheTtl);
            return this;
        }

        /// <summary>Whether disposing of a uContact client ends its live session first.</summary>
        public TokenBridgeConfig SetEndSessionOnClose(bool endSession)
        {
            Native.Check(Native.tb_config_set_end_session_on_close(Handle, endSession));
            return this;
        }

        /// <summary>
        /// Shares tokens with the other processes (and hosts) that use the same credentials,
        /// through a token store: <c>"file:///var/lib/app/tokens"</c> (a directory of this
        /// host), <c>"redis://user:pass@host:6379/0"</c> or <c>"rediss://..."</c> (TLS).
        /// Default: none, each process keeps its own token. A bad URL throws
        /// <see cref="ArgumentException"/> naming <paramref name="url"/>. The URL is a secret when it carries a password:
        /// the config keeps no copy of it, and no error, log record or
        /// <c>ToString()</c> repeats it.
        /// With a store a uContact session belongs to the fleet: a process that disposes of
        /// its client (or exits) does not end a session other processes use;
        /// <see cref="UContactClient.EndSession"/> ends it for every process.
        /// </summary>
        public TokenBridgeConfig SetTokenStore(string url)
        {
            Native.Check(Native.tb_config_set_token_store(Handle, Native.Utf8(url, "url")));
            return this;
        }

        /// <summary>Frees the native config.</summary>
        public void Dispose()
        {
            Handle.Dispose();
        }
    }
}
