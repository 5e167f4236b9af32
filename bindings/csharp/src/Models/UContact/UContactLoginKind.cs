// UContactLoginKind.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TokenBridge
{
    /// <summary>How a uContact client logs in.</summary>
    public enum UContactLoginKind
    {
        /// <summary>An API user (getUserToken).</summary>
        ApiUser = 0,
        /// <summary>An agent (AgentLogin).</summary>
        Agent = 1,
    }
}
