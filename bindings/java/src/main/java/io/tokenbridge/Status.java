package io.tokenbridge;

/** The library's status codes ({@code tb_status}), with their fixed numbers. */
public enum Status {
    /** {@code TB_OK}: success. */
    OK(0),
    /** {@code TB_INVALID_ARGUMENT}: bad argument or setting (the message names it); nothing was sent. */
    INVALID_ARGUMENT(1),
    /**
     * {@code TB_ABSENT}: not a failure; an answer's getter found no such field (the server did
     * not send it). The binding reads it as {@code null}; no exception carries it.
     */
    ABSENT(2),
    /** {@code TB_DNS}: host name not resolved. */
    DNS(10),
    /** {@code TB_CONNECT}: could not connect. */
    CONNECT(11),
    /** {@code TB_TLS}: TLS handshake or certificate failure. */
    TLS(12),
    /** {@code TB_TIMEOUT}: a timeout ran out. */
    TIMEOUT(13),
    /** {@code TB_RESET}: connection reset or closed early. */
    RESET(14),
    /** {@code TB_PROXY}: proxy failure. */
    PROXY(15),
    /** {@code TB_PROTOCOL}: invalid HTTP from the server. */
    PROTOCOL(16),
    /** {@code TB_IO}: other I/O failure. */
    IO(17),
    /** {@code TB_HTTP_STATUS}: unexpected HTTP status (see {@link TokenBridgeException#getHttpStatus()}). */
    HTTP_STATUS(20),
    /** {@code TB_REJECTED}: the API said no (see {@link TokenBridgeException#getVendorMessage()}). */
    REJECTED(21),
    /** {@code TB_UNAUTHORIZED}: HTTP 401 even after one re-login. */
    UNAUTHORIZED(22),
    /** {@code TB_UNEXPECTED_RESPONSE}: the answer could not be understood. */
    UNEXPECTED_RESPONSE(23),
    /** {@code TB_CANCELLED}: the call was cancelled. */
    CANCELLED(24),
    /**
     * {@code TB_WOULD_DEADLOCK}: called from inside the same client's login on the same thread (a
     * log callback calling the client back); it failed at once instead of waiting for itself.
     * Nothing was sent; call again after the callback returned.
     */
    WOULD_DEADLOCK(25),
    /** {@code TB_PANIC}: internal error (a bug); the handle stays usable. */
    PANIC(99),
    /** A code this binding does not know (a newer library). */
    UNKNOWN(-1);

    private final int code;

    Status(int code) {
        this.code = code;
    }

    /** The C value. */
    public int code() {
        return code;
    }

    /** The status with this C value, {@link #UNKNOWN} when there is none. */
    public static Status fromCode(int code) {
        for (Status s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return UNKNOWN;
    }

    /** The library's name for this status, e.g. {@code "TB_REJECTED"} ({@code tb_status_name}). */
    public String cName() {
        return Ffi.staticString(Ffi.LIB.tb_status_name(code));
    }
}
