// MessengerRequests.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace TokenBridge
{
    /// <summary>A user's messenger requests, in AnnA's order (copied out of the library's list).</summary>
    public sealed class MessengerRequests : IReadOnlyList<MessengerRequest>
    {
        private readonly List<MessengerRequest> items = new List<MessengerRequest>();

        /// <summary>The <c>userRequests</c> array as JSON text (AnnA's value written anew, keys sorted).</summary>
        public string RawJson { get; }

        internal MessengerRequests(MessengerRequestsHandle l)
        {
            ulong count = Native.tb_messenger_requests_count(l).ToUInt64();
            for (ulong i = 0; i < count; i++)
                items.Add(new MessengerRequest(l, i));
            RawJson = Native.Lent(l, Native.tb_messenger_requests_raw_json);
        }

        /// <summary>The request at <paramref name="index"/>.</summary>
        public MessengerRequest this[int index] { get { return items[index]; } }

        /// <summary>How many requests there are.</summary>
        public int Count { get { return items.Count; } }

        /// <summary>The requests in order.</summary>
        public IEnumerator<MessengerRequest> GetEnumerator()
        {
            return items.GetEnumerator();
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator()
        {
            return GetEnumerator();
        }
    }
}
