// AnnaClient.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

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
    /// An AnnA client: one connection pool, one set of credentials, one cached token.
    /// Thread-safe; nothing is sent until the first call.
    /// </summary>
    public sealed class AnnaClient : TokenBridgeClient<AnnaClient>
    {
        private readonly AnnaHandle handle;

        /// <summary>A client for the AnnA server at <paramref name="baseUrl"/>.</summary>
        public AnnaClient(string baseUrl, string companyHash, string user, string password, TokenBridgeConfig config = null)
            : this(Open(config, ParamNames.AnnaNew, (IntPtr cfg, out AnnaHandle h) =>
            {
                Native.NotNull(baseUrl, "baseUrl");
                Native.NotNull(companyHash, "companyHash");
                Native.NotNull(user, "user");
                Native.NotNull(password, "password");
                return Native.tb_anna_client_new(cfg,
                    Native.Utf8(baseUrl, "baseUrl"), Native.Utf8(companyHash, "companyHash"), Native.Utf8(user, "user"), Native.Utf8(password, "password"), out h);
            }), null)
        {
        }

        private AnnaClient(AnnaHandle handle, TimeSpan? timeout) : base(handle, timeout)
        {
            this.handle = handle;
        }

        internal override AnnaClient Limit(TimeSpan? deadline, CancelTokenHandle cancel)
        {
            return new AnnaClient(Calls.Limited(handle, deadline, cancel, Native.tb_anna_client_with_options), deadline);
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
            Native.Check(Native.tb_anna_set_token(handle, Native.Utf8(token, "token"), Native.ToUnix(expiresAt)), ParamNames.SetTokenExpiry);
        }

        /// <summary>UserHash: the access data of an active user.</summary>
        public AccessData UserHash(string userId, string startService = null)
        {
            AccessDataHandle d;
            Native.Check(Native.tb_anna_user_hash(handle, Native.Utf8(userId, "userId"), Native.OptionalUtf8(startService, "startService"), out d), ParamNames.UserHash);
            using (d)
                return new AccessData(d);
        }

        /// <summary>UserHashForced: the access data of a user, creating or reactivating it.</summary>
        public AccessData UserHashForced(string userId, string userName, string startService = null)
        {
            AccessDataHandle d;
            Native.Check(Native.tb_anna_user_hash_forced(handle, Native.Utf8(userId, "userId"), Native.Utf8(userName, "userName"), Native.OptionalUtf8(startService, "startService"), out d), ParamNames.UserHashForced);
            using (d)
                return new AccessData(d);
        }

        /// <summary>Inactivates a user; returns AnnA's message, or null when it sent none.</summary>
        public string InactivateUser(string userId)
        {
            IntPtr s;
            Native.Check(Native.tb_anna_inactivate_user(handle, Native.Utf8(userId, "userId"), out s), ParamNames.InactivateUser);
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
                    Native.OptionalUtf8(user.DocumentType, "user"), Native.OptionalUtf8(user.DocumentValue, "user"), f ?? MessengerFilterHandle.Null, out count), ParamNames.MessengerUser);
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
                    Native.OptionalUtf8(user.DocumentType, "user"), Native.OptionalUtf8(user.DocumentValue, "user"), f ?? MessengerFilterHandle.Null, out l), ParamNames.MessengerUser);
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
                Native.OptionalUtf8(user.DocumentType, "user"), Native.OptionalUtf8(user.DocumentValue, "user"), out s), ParamNames.MessengerUser);
            return Native.TakeString(s);
        }
    }
}
