package io.tokenbridge;

import com.sun.jna.Pointer;

import java.time.DateTimeException;
import java.time.LocalDateTime;

/**
 * What {@link AnnaClient#userHash} and {@link AnnaClient#userHashForced} return: the
 * user's chat access, copied out of the library's {@code tb_access_data} through its
 * accessors. Immutable. {@link #toString()} shows neither the hash nor the URLs' queries
 * (which carry it).
 */
public final class AccessData {
    private final String hash;
    private final String chatUrl;
    private final String embeddedUrl;
    private final LocalDateTime expires;
    private final String expiresRaw;
    private final String rawJson;

    private AccessData(String hash, String chatUrl, String embeddedUrl, LocalDateTime expires, String expiresRaw,
            String rawJson) {
        this.hash = hash;
        this.chatUrl = chatUrl;
        this.embeddedUrl = embeddedUrl;
        this.expires = expires;
        this.expiresRaw = expiresRaw;
        this.rawJson = rawJson;
    }

    /** Copies everything out of {@code data} (lent strings), then frees it. */
    static AccessData take(final Pointer data) {
        final TokenBridgeLibrary lib = Ffi.LIB;
        try {
            TokenBridgeLibrary.TbDatetime when = new TokenBridgeLibrary.TbDatetime();
            LocalDateTime expires = Ffi.present(lib.tb_access_data_expires(data, when)) ? dateTime(when) : null;
            return new AccessData(
                    Ffi.lent((out, len) -> lib.tb_access_data_hash(data, out, len)),
                    Ffi.lent((out, len) -> lib.tb_access_data_chat_url(data, out, len)),
                    Ffi.lent((out, len) -> lib.tb_access_data_embedded_url(data, out, len)),
                    expires,
                    Ffi.lent((out, len) -> lib.tb_access_data_expires_raw(data, out, len)),
                    Ffi.lent((out, len) -> lib.tb_access_data_raw_json(data, out, len)));
        } finally {
            lib.tb_access_data_free(data);
        }
    }

    /**
     * A {@code tb_datetime} as a {@link LocalDateTime}, {@code null} when impossible. A leap
     * second (second 60) is the next second, as the header says: 23:59:60 on 31 December is
     * 00:00:00 on 1 January.
     */
    static LocalDateTime dateTime(TokenBridgeLibrary.TbDatetime t) {
        try {
            if (t.second == 60) {
                return LocalDateTime.of(t.year, t.month, t.day, t.hour, t.minute, 59).plusSeconds(1);
            }
            return LocalDateTime.of(t.year, t.month, t.day, t.hour, t.minute, t.second);
        } catch (DateTimeException e) {
            return null; // the library said it was a date; getExpiresRaw() still has the text
        }
    }

    /** {@code Hash}: the access hash (a credential: do not log it), {@code null} when not sent. */
    public String getHash() {
        return hash;
    }

    /** {@code ChatURL} (it carries the hash), {@code null} when not sent. */
    public String getChatUrl() {
        return chatUrl;
    }

    /** {@code EmbeddedURL} (it carries the hash), {@code null} when not sent. */
    public String getEmbeddedUrl() {
        return embeddedUrl;
    }

    /**
     * When the hash expires, in the server's local time (AnnA sends no zone), or
     * {@code null} when the server sent no {@code YYYYMMDDhhmmss} date (see
     * {@link #getExpiresRaw()}).
     */
    public LocalDateTime getExpires() {
        return expires;
    }

    /** {@code Expires} as the server wrote it (normally {@code YYYYMMDDhhmmss}), {@code null} when not sent. */
    public String getExpiresRaw() {
        return expiresRaw;
    }

    /**
     * The escape hatch: the {@code accessData} object as the server sent it, as JSON text
     * (it holds the hash); this binding does not parse it.
     */
    public String rawJson() {
        return rawJson;
    }

    @Override
    public String toString() {
        return "AccessData[chatUrl=" + strip(chatUrl) + ", embeddedUrl=" + strip(embeddedUrl)
                + ", expires=" + expires + "]";
    }

    /** URLs carry the hash: show scheme, host and path only. */
    private static String strip(String url) {
        if (url == null) {
            return null;
        }
        int cut = url.length();
        int q = url.indexOf('?');
        int h = url.indexOf('#');
        if (q >= 0) {
            cut = q;
        }
        if (h >= 0 && h < cut) {
            cut = h;
        }
        return url.substring(0, cut);
    }
}
