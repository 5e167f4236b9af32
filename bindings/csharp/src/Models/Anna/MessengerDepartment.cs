// MessengerDepartment.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TokenBridge
{
    /// <summary>A messenger department and its channels.</summary>
    public sealed class MessengerDepartment
    {
        /// <summary>Alias (used in filters).</summary>
        public string Alias { get; }
        /// <summary>Display name.</summary>
        public string Name { get; }
        /// <summary>The department's channels, in AnnA's order.</summary>
        public IReadOnlyList<MessengerChannel> Channels { get; }

        internal MessengerDepartment(string alias, string name, IReadOnlyList<MessengerChannel> channels)
        {
            Alias = alias;
            Name = name;
            Channels = channels;
        }

        /// <summary>"Name (alias)".</summary>
        public override string ToString()
        {
            return Name + " (" + Alias + ")";
        }
    }
}
