// TokenBridgeClient.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

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
    /// What <see cref="UContactClient"/>, <see cref="YativoClient"/> and
    /// <see cref="AnnaClient"/> share: a native client handle, the deadline its calls run
    /// under (<see cref="WithTimeout"/>), the async forms of its calls and
    /// <see cref="Dispose"/>. Only this library derives from it.
    /// </summary>
    /// <typeparam name="TClient">The client class itself.</typeparam>
    public abstract class TokenBridgeClient<TClient> : IDisposable
        where TClient : TokenBridgeClient<TClient>
    {
        /// <summary>A <c>tb_&lt;api&gt;_client_new</c> call with the config pointer (NULL for the defaults).</summary>
        internal delegate int NewClient<H>(IntPtr cfg, out H client);

        private readonly SafeHandle native;

        /// <summary>The deadline of every call of this handle (none when null).</summary>
        internal readonly TimeSpan? timeout;

        internal TokenBridgeClient(SafeHandle native, TimeSpan? timeout)
        {
            this.native = native;
            this.timeout = timeout;
        }

        /// <summary>
        /// A new native client from <paramref name="config"/> (the defaults when null); a
        /// refused argument is named as <paramref name="names"/> maps the C parameter.
        /// </summary>
        internal static H Open<H>(TokenBridgeConfig config, ParamNames names, NewClient<H> create) where H : SafeHandle
        {
            H h = null;
            Native.WithConfig(config, cfg => create(cfg, out h), names);
            return h;
        }

        /// <summary>
        /// A new handle of this client (same connections, same token) whose calls run with
        /// <paramref name="deadline"/> and <paramref name="cancel"/> (none when null).
        /// </summary>
        internal abstract TClient Limit(TimeSpan? deadline, CancelTokenHandle cancel);

        /// <summary>
        /// The same client (connections, token, a uContact client's session) whose every
        /// call, async ones too, must end within <paramref name="timeout"/> (logins, retries
        /// and the answer included) or fails with <see cref="TimeoutException"/>. Dispose it
        /// when done; that frees only this handle (a uContact session is not ended while
        /// the client it came from lives).
        /// </summary>
        public TClient WithTimeout(TimeSpan timeout)
        {
            return Limit(timeout, null);
        }

        /// <summary>Runs <paramref name="call"/> on the thread pool; cancelling stops the native call.</summary>
        internal Task<T> Async<T>(Func<TClient, T> call, CancellationToken cancellationToken)
        {
            // Nothing can cancel the call (the default token): it runs on this very handle,
            // which already carries the deadline, without the native cancel token, options
            // and client handle that Calls.Run makes (and frees) for a cancellable call.
            if (!cancellationToken.CanBeCanceled)
                return Task.Run(() => call((TClient)this));
            return Calls.Run(cancel => Limit(timeout, cancel), call, cancellationToken);
        }

        /// <summary>Frees the client once calls still running on other threads have returned.</summary>
        public virtual void Dispose()
        {
            native.Dispose();
        }
    }
}
