// MessengerRequestStatus.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

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
}
