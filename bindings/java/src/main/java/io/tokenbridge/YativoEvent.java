package io.tokenbridge;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;

import java.time.Instant;

/**
 * A Yativo webhook event whose signature {@link YativoWebhook} checked. Immutable. Webhooks
 * are delivered at least once and the signature does not cover Yativo's {@code Timestamp}
 * header: remember the {@link #getId() ids} you processed and skip the ones you have seen.
 */
public final class YativoEvent {
    private final String type;
    private final String id;
    private final Instant createdAt;
    private final String dataJson;
    private final int secretIndex;

    private YativoEvent(String type, String id, Instant createdAt, String dataJson, int secretIndex) {
        this.type = type;
        this.id = id;
        this.createdAt = createdAt;
        this.dataJson = dataJson;
        this.secretIndex = secretIndex;
    }

    /** Copies everything out of {@code event} (lent strings), then frees it. */
    static YativoEvent take(final Pointer event) {
        final TokenBridgeLibrary lib = Ffi.LIB;
        try {
            LongByReference at = new LongByReference();
            Instant createdAt = Ffi.present(lib.tb_yativo_event_created_at(event, at))
                    ? Instant.ofEpochSecond(at.getValue()) : null;
            TokenBridgeLibrary.SizeTByReference index = new TokenBridgeLibrary.SizeTByReference();
            Ffi.check(lib.tb_yativo_event_secret_index(event, index));
            return new YativoEvent(
                    Ffi.lent((out, len) -> lib.tb_yativo_event_type(event, out, len)),
                    Ffi.lent((out, len) -> lib.tb_yativo_event_id(event, out, len)),
                    createdAt,
                    Ffi.lent((out, len) -> lib.tb_yativo_event_data_json(event, out, len)),
                    Math.toIntExact(index.getValue()));
        } finally {
            lib.tb_yativo_event_free(event);
        }
    }

    /** The event type ({@code event}, {@code event_type} or {@code type} in the body), e.g. {@code payout.created}. */
    public String getType() {
        return type;
    }

    /** The event id ({@code id} or {@code event_id}): the key to deduplicate on. */
    public String getId() {
        return id;
    }

    /** When the event happened ({@code created_at} or {@code timestamp}), to the second; {@code null} when the body does not say. */
    public Instant getCreatedAt() {
        return createdAt;
    }

    /** The event's {@code data} as the JSON text it came as (any JSON value, byte for byte): parse it with your JSON library. */
    public String getDataJson() {
        return dataJson;
    }

    /** Which of the secrets given to verify signed it (0 for the first): during a rotation, it tells when the old secret is no longer used. */
    public int getSecretIndex() {
        return secretIndex;
    }

    /** The type and id (no data). */
    @Override
    public String toString() {
        return "YativoEvent[" + type + " " + id + "]";
    }
}
