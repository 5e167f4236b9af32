package io.tokenbridge;

import java.time.Instant;

/** An access token and when it expires. {@link #toString()} does not show the token. */
public final class Token {
    private final String value;
    private final Instant expiresAt;

    Token(String value, Instant expiresAt) {
        this.value = value;
        this.expiresAt = expiresAt;
    }

    /** The token itself (a credential: do not log it). */
    public String getValue() {
        return value;
    }

    /** When it expires, or {@code null} when unknown. */
    public Instant getExpiresAt() {
        return expiresAt;
    }

    @Override
    public String toString() {
        return "Token[" + value.length() + " chars, expires " + (expiresAt == null ? "unknown" : expiresAt) + "]";
    }
}
