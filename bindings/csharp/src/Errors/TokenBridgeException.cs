// TokenBridgeException.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

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
    /// A call failed. Carries the library's status, its message (which never contains a
    /// password, secret or token), the HTTP status when one is known and the API's own
    /// message when the API refused.
    /// </summary>
    public class TokenBridgeException : Exception
    {
        /// <summary>What kind of failure this is.</summary>
        public TokenBridgeStatus Status { get; }

        /// <summary>The HTTP status involved, or 0 when none.</summary>
        public int HttpStatus { get; }

        /// <summary>The API's own message (for <see cref="TokenBridgeStatus.Rejected"/>), or null.</summary>
        public string VendorMessage { get; }

        /// <summary>Builds an exception (the library builds them from its last error).</summary>
        public TokenBridgeException(TokenBridgeStatus status, string message, int httpStatus, string vendorMessage)
            : base(message ?? Library.StatusName(status))
        {
            Status = status;
            HttpStatus = httpStatus;
            VendorMessage = vendorMessage;
        }
    }
}
