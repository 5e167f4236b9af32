// TokenBridgeStatus.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TokenBridge
{
    /// <summary>The library's status codes (<c>tb_status</c>, same numbers).</summary>
    public enum TokenBridgeStatus
    {
        /// <summary><c>TB_OK</c>: success.</summary>
        Ok = 0,
        /// <summary><c>TB_INVALID_ARGUMENT</c>: bad argument or setting (the message names it); nothing was sent.
        /// The binding throws it as an <see cref="ArgumentException"/> naming the C# parameter.</summary>
        InvalidArgument = 1,
        /// <summary><c>TB_ABSENT</c>: not a failure; an answer's getter found no such field (the
        /// server did not send it). The binding reads it as null; no exception carries it.</summary>
        Absent = 2,
        /// <summary><c>TB_DNS</c>: host name not resolved.</summary>
        Dns = 10,
        /// <summary><c>TB_CONNECT</c>: could not connect.</summary>
        Connect = 11,
        /// <summary><c>TB_TLS</c>: TLS handshake or certificate failure.</summary>
        Tls = 12,
        /// <summary><c>TB_TIMEOUT</c>: a timeout ran out.</summary>
        Timeout = 13,
        /// <summary><c>TB_RESET</c>: connection reset or closed early.</summary>
        Reset = 14,
        /// <summary><c>TB_PROXY</c>: proxy failure.</summary>
        Proxy = 15,
        /// <summary><c>TB_PROTOCOL</c>: invalid HTTP from the server.</summary>
        Protocol = 16,
        /// <summary><c>TB_IO</c>: other I/O failure.</summary>
        Io = 17,
        /// <summary><c>TB_HTTP_STATUS</c>: unexpected HTTP status (see <see cref="TokenBridgeException.HttpStatus"/>).</summary>
        HttpStatus = 20,
        /// <summary><c>TB_REJECTED</c>: the API said no (see <see cref="TokenBridgeException.VendorMessage"/>).</summary>
        Rejected = 21,
        /// <summary><c>TB_UNAUTHORIZED</c>: HTTP 401 even after one re-login.</summary>
        Unauthorized = 22,
        /// <summary><c>TB_UNEXPECTED_RESPONSE</c>: the answer could not be understood.</summary>
        UnexpectedResponse = 23,
        /// <summary><c>TB_CANCELLED</c>: the call was cancelled.</summary>
        Cancelled = 24,
        /// <summary><c>TB_WOULD_DEADLOCK</c>: called from inside the same client's login on the
        /// same thread (a log callback calling the client back); it failed at once instead of
        /// waiting for itself. Nothing was sent; call again after the callback returned.</summary>
        WouldDeadlock = 25,
        /// <summary><c>TB_PANIC</c>: internal error (a bug); the client stays usable.</summary>
        Panic = 99,
    }
}
