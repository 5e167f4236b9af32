// TlsRoots.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TokenBridge
{
    /// <summary>Which trust roots TLS uses.</summary>
    public enum TlsRoots
    {
        /// <summary>Mozilla's roots, built into the library (the default).</summary>
        Mozilla = 0,
        /// <summary>The operating system's trust store.</summary>
        OperatingSystem = 1,
    }
}
