// UContactClient.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

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
    /// A uContact client: one connection pool, one set of credentials, one cached token.
    /// Thread-safe; nothing is sent until the first call.
    /// </summary>
    public sealed class UContactClient : TokenBridgeClient<UContactClient>
    {
        private readonly UContactHandle handle;

        /// <summary>
        /// A client for <paramref name="server"/> (a cloud domain such as "mycompany", or a full URL).
        /// </summary>
        public UContactClient(string server, string user, string password,
            UContactLoginKind kind = UContactLoginKind.ApiUser, TokenBridgeConfig config = null)
            : this(Open(config, ParamNames.UContactNew, (IntPtr cfg, out UContactHandle h) =>
            {
                Native.NotNull(server, "server");
                Native.NotNull(user, "user");
                Native.NotNull(password, "password");
                return Native.tb_ucontact_client_new(cfg,
                    Native.Utf8(server, "server"), Native.Utf8(user, "user"), Native.Utf8(password, "password"), (int)kind, out h);
            }), null)
        {
        }

        private UContactClient(UContactHandle handle, TimeSpan? timeout) : base(handle, timeout)
        {
            this.handle = handle;
        }

        internal override UContactClient Limit(TimeSpan? deadline, CancelTokenHandle cancel)
        {
            return new UContactClient(Calls.Limited(handle, deadline, cancel, Native.tb_ucontact_client_with_options), deadline);
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
        /// of the session) runs on the thread pool, and a warning is logged. With a token
        /// store (<see cref="TokenBridgeConfig.SetTokenStore"/>) the session belongs to the
        /// fleet: disposing never ends it; <see cref="EndSession"/> ends it for every process.
        /// </summary>
        public override void Dispose()
        {
            handle.DisposeByOwner();
        }
    }
}
