// AccessToken.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TokenBridge
{
    /// <summary>A token and when it expires.</summary>
    public sealed class AccessToken
    {
        /// <summary>The token.</summary>
        public string Token { get; }
        /// <summary>When it expires, or null when unknown.</summary>
        public DateTimeOffset? ExpiresAt { get; }

        internal AccessToken(string token, long expiresAtUnix)
        {
            Token = token;
            ExpiresAt = Native.FromUnix(expiresAtUnix);
        }

        /// <summary>Never shows the token.</summary>
        public override string ToString()
        {
            return "AccessToken(expires " + (ExpiresAt.HasValue ? ExpiresAt.Value.ToString("o", CultureInfo.InvariantCulture) : "unknown") + ")";
        }
    }
}
