// MessengerChannel.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TokenBridge
{
    /// <summary>A messenger channel.</summary>
    public sealed class MessengerChannel
    {
        /// <summary>Alias (used in filters).</summary>
        public string Alias { get; }
        /// <summary>Display name.</summary>
        public string Name { get; }

        internal MessengerChannel(string alias, string name)
        {
            Alias = alias;
            Name = name;
        }

        /// <summary>"Name (alias)".</summary>
        public override string ToString()
        {
            return Name + " (" + Alias + ")";
        }
    }
}
