// YativoEvent.cs: part of the TokenBridge .NET binding (see Native/Native.cs for its memory rules).

using System;

namespace TokenBridge
{
    /// <summary>
    /// A Yativo webhook event whose signature <see cref="YativoWebhook"/> checked. Webhooks
    /// are delivered at least once and the signature does not cover Yativo's
    /// <c>Timestamp</c> header: remember the <see cref="Id"/>s you processed and skip the
    /// ones you have seen.
    /// </summary>
    public sealed class YativoEvent
    {
        /// <summary>The event type (<c>event</c>, <c>event_type</c> or <c>type</c> in the body), e.g. <c>payout.created</c>.</summary>
        public string Type { get; }

        /// <summary>The event id (<c>id</c> or <c>event_id</c>): the key to deduplicate on.</summary>
        public string Id { get; }

        /// <summary>When the event happened (<c>created_at</c> or <c>timestamp</c>), to the second; null when the body does not say.</summary>
        public DateTimeOffset? CreatedAt { get; }

        /// <summary>The event's <c>data</c> as the JSON text it came as (any JSON value, byte for byte): parse it with your JSON library.</summary>
        public string DataJson { get; }

        /// <summary>Which of the secrets given to Verify signed it (0 for the first): during a rotation, it tells when the old secret is no longer used.</summary>
        public int SecretIndex { get; }

        internal YativoEvent(YativoEventHandle e)
        {
            Type = Native.Lent(e, Native.tb_yativo_event_type);
            Id = Native.Lent(e, Native.tb_yativo_event_id);
            DataJson = Native.Lent(e, Native.tb_yativo_event_data_json);
            long at;
            if (Native.Present(Native.tb_yativo_event_created_at(e, out at)))
                CreatedAt = DateTimeOffset.FromUnixTimeSeconds(at);
            UIntPtr index;
            Native.Check(Native.tb_yativo_event_secret_index(e, out index));
            SecretIndex = checked((int)index.ToUInt64());
        }

        /// <summary>The type and id, e.g. <c>payout.created evt_…</c> (no data).</summary>
        public override string ToString()
        {
            return "YativoEvent(" + Type + " " + Id + ")";
        }
    }
}
