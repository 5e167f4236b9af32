// YativoClient.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

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
    /// A Yativo client: one connection pool, one set of credentials, one cached token.
    /// Thread-safe; nothing is sent until the first call.
    /// </summary>
    public sealed class YativoClient : TokenBridgeClient<YativoClient>
    {
        /// <summary>Yativo's production API (<c>TB_YATIVO_PRODUCTION_URL</c>).</summary>
        public const string ProductionUrl = "https://api.yativo.com/api/v1";
        /// <summary>Yativo's sandbox API (<c>TB_YATIVO_SANDBOX_URL</c>).</summary>
        public const string SandboxUrl = "https://smtp.yativo.com/api/v1";

        private readonly YativoHandle handle;

        /// <summary>A client for the API at <paramref name="baseUrl"/> (e.g. <see cref="ProductionUrl"/>).</summary>
        public YativoClient(string baseUrl, string accountId, string appSecret, TokenBridgeConfig config = null)
            : this(Open(config, ParamNames.YativoNew, (IntPtr cfg, out YativoHandle h) =>
            {
                Native.NotNull(baseUrl, "baseUrl");
                Native.NotNull(accountId, "accountId");
                Native.NotNull(appSecret, "appSecret");
                return Native.tb_yativo_client_new(cfg,
                    Native.Utf8(baseUrl, "baseUrl"), Native.Utf8(accountId, "accountId"), Native.Utf8(appSecret, "appSecret"), out h);
            }), null)
        {
        }

        private YativoClient(YativoHandle handle, TimeSpan? timeout) : base(handle, timeout)
        {
            this.handle = handle;
        }

        internal override YativoClient Limit(TimeSpan? deadline, CancelTokenHandle cancel)
        {
            return new YativoClient(Calls.Limited(handle, deadline, cancel, Native.tb_yativo_client_with_options), deadline);
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
            Native.Check(Native.tb_yativo_set_token(handle, Native.Utf8(token, "token"), Native.ToUnix(expiresAt)), ParamNames.SetTokenExpiry);
        }
    }
}
