package io.tokenbridge;

import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;

/** What {@link AnnaClient#userHash} returns: the user's chat access. */
public final class AccessData {
    private final String hash;
    private final String chatUrl;
    private final String embeddedUrl;
    private final LocalDateTime expires;
    private final String expiresRaw;

    AccessData(Map<String, Object> m) {
        this.hash = Json.textOrEmpty(m, "hash");
        this.chatUrl = Json.textOrEmpty(m, "chat_url");
        this.embeddedUrl = Json.textOrEmpty(m, "embedded_url");
        String e = Json.text(m, "expires");
        LocalDateTime parsed = null;
        if (e != null) {
            try {
                parsed = LocalDateTime.parse(e);
            } catch (DateTimeParseException ignored) {
                parsed = null;
            }
        }
        this.expires = parsed;
        this.expiresRaw = Json.textOrEmpty(m, "expires_raw");
    }

    /** The access hash (a credential: do not log it). */
    public String getHash() {
        return hash;
    }

    /** {@code ChatURL}. */
    public String getChatUrl() {
        return chatUrl;
    }

    /** {@code EmbeddedURL}. */
    public String getEmbeddedUrl() {
        return embeddedUrl;
    }

    /** When the hash expires, in the server's local time, or {@code null} when unknown. */
    public LocalDateTime getExpires() {
        return expires;
    }

    /** {@code Expires} as the server wrote it ({@code YYYYMMDDhhmmss}). */
    public String getExpiresRaw() {
        return expiresRaw;
    }

    @Override
    public String toString() {
        return "AccessData[chatUrl=" + strip(chatUrl) + ", embeddedUrl=" + strip(embeddedUrl)
                + ", expires=" + expires + "]";
    }

    /** URLs may carry the hash: show scheme, host and path only. */
    private static String strip(String url) {
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
