// AnswerHandles.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TokenBridge
{
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

    /// <summary>Owns a <c>tb_yativo_event*</c>; released with <c>tb_yativo_event_free</c>.</summary>
    internal sealed class YativoEventHandle : SafeHandle
    {
        public YativoEventHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        protected override bool ReleaseHandle()
        {
            Native.tb_yativo_event_free(handle);
            return true;
        }
    }
}
