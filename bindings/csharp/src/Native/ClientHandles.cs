// ClientHandles.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TokenBridge
{
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
}
