// Calls.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

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
    /// The one helper behind every <c>...Async</c> method given a token that can be
    /// cancelled (TokenBridgeClient.Async runs the others on the client's own handle):
    /// runs the blocking native call on the thread pool, on a new handle of the same client
    /// (same connections, same token; <c>tb_&lt;api&gt;_client_with_options</c>) carrying
    /// a cancel token of its own and the client's deadline, if any. Cancelling the <see cref="CancellationToken"/> cancels the
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
                    Native.Check(Native.tb_call_options_set_deadline_ms(opts, Native.Millis(deadline.Value, "timeout")), ParamNames.Deadline);
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
                Native.Check(withOptions(client, opts, out limited), ParamNames.Deadline);
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
}
