// LogLevel.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TokenBridge
{
    /// <summary>The level of a log record (<c>tb_log_level</c>, same numbers).</summary>
    public enum LogLevel
    {
        /// <summary><c>TB_LOG_ERROR</c>.</summary>
        Error = 1,
        /// <summary><c>TB_LOG_WARN</c>.</summary>
        Warn = 2,
        /// <summary><c>TB_LOG_INFO</c>: logins, refreshes, retries, ended sessions.</summary>
        Info = 3,
        /// <summary><c>TB_LOG_DEBUG</c>: one record per HTTP request.</summary>
        Debug = 4,
        /// <summary><c>TB_LOG_TRACE</c>: what the HTTP libraries log, secrets replaced.</summary>
        Trace = 5,
    }
}
