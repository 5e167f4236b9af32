// Library.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TokenBridge
{
    /// <summary>The library's version and status names.</summary>
    public static class Library
    {
        /// <summary>The native library's version, "MAJOR.MINOR.PATCH".</summary>
        public static string Version
        {
            get { return Native.CopyStatic(Native.tb_version()); }
        }

        /// <summary>MAJOR*10000 + MINOR*100 + PATCH.</summary>
        public static uint VersionNumber
        {
            get { return Native.tb_version_number(); }
        }

        /// <summary>The C name of a status, such as "TB_REJECTED".</summary>
        public static string StatusName(TokenBridgeStatus status)
        {
            return Native.CopyStatic(Native.tb_status_name((int)status));
        }

        // The delegate the library calls: one for the process, kept in a static field so that
        // the garbage collector never frees the thunk the library holds.
        private static readonly Native.LogCallback nativeLogCallback = OnNativeLog;
        private static readonly object logLock = new object();
        private static volatile Action<LogLevel, string, string> logger;
        private static volatile int logMaxLevel;

        /// <summary>
        /// Sends the library's log records (level, target such as "tokenbridge::http", message)
        /// to <paramref name="logger"/>, up to <paramref name="maxLevel"/>; null turns logging
        /// off (the default). One logger per process; each call replaces the previous one.
        /// No record holds a password, app secret, company hash or token, at any level.
        /// The logger runs on the thread whose call made the record (several at once): it
        /// must be thread-safe and quick, and must not call this library. Exceptions it
        /// throws are swallowed (they must not reach native code).
        /// </summary>
        public static void SetLogger(Action<LogLevel, string, string> logger, LogLevel maxLevel = LogLevel.Info)
        {
            lock (logLock)
            {
                if (logger == null)
                {
                    Native.Check(Native.tb_set_log_callback(null, 0, IntPtr.Zero));
                    Library.logger = null;
                    return;
                }
                if (maxLevel < LogLevel.Error || maxLevel > LogLevel.Trace)
                    throw new ArgumentOutOfRangeException("maxLevel", "not a LogLevel");
                var previous = Library.logger;
                Library.logger = logger;
                logMaxLevel = (int)maxLevel;
                try
                {
                    Native.Check(Native.tb_set_log_callback(nativeLogCallback, (int)maxLevel, IntPtr.Zero), ParamNames.LogCallback);
                }
                catch
                {
                    Library.logger = previous;
                    throw;
                }
            }
        }

        private static void OnNativeLog(IntPtr userData, int level, IntPtr target, UIntPtr targetLen, IntPtr message, UIntPtr messageLen)
        {
            // Nothing may unwind into native code.
            try
            {
                var l = logger;
                if (l != null)
                    l((LogLevel)level, Native.CopyUtf8(target, targetLen), Native.CopyUtf8(message, messageLen));
            }
            catch
            {
            }
        }

        /// <summary>A record of the binding itself (target "tokenbridge::csharp").</summary>
        internal static void Emit(LogLevel level, string message)
        {
            try
            {
                var l = logger;
                if (l != null && (int)level <= logMaxLevel)
                    l(level, "tokenbridge::csharp", message);
            }
            catch
            {
            }
        }
    }
}
