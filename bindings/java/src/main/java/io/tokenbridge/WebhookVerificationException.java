package io.tokenbridge;

/**
 * A Yativo webhook request failed the check ({@link YativoWebhook#verify}): answer it with
 * 401 (or 400 for the part {@code body}) and do not act on it. {@link #getPart()} says
 * which part of the request is wrong; the message never holds a secret or the signature
 * the body should have had.
 */
public final class WebhookVerificationException extends TokenBridgeException {
    private static final long serialVersionUID = 1L;

    private final String part;
    private final String reason;

    WebhookVerificationException(String part, String reason) {
        super(Status.INVALID_ARGUMENT.code(), "webhook refused: `" + part + "`: " + reason, 0, null);
        this.part = part;
        this.reason = reason;
    }

    /**
     * The part of the request that failed, as the Java parameter is named: {@code headers}
     * (no signature header among them), {@code headerName} (not a signature header),
     * {@code headerValue} (empty, not hex, the wrong length, or no secret matched: the body
     * was changed or signed with another secret) or {@code body} (signed, but not a Yativo
     * event).
     */
    public String getPart() {
        return part;
    }

    /** Why, in the library's words, without the part's name (e.g. "matches none of the 2 webhook secret(s)"). */
    public String getReason() {
        return reason;
    }
}
