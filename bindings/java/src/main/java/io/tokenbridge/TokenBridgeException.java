package io.tokenbridge;

/**
 * A failed library call: the status, the library's message (which never holds
 * passwords, secrets or tokens), the HTTP status when one applies and the API's own
 * message when the API said no ({@link Status#REJECTED}).
 */
public class TokenBridgeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Status status;
    private final int statusCode;
    private final int httpStatus;
    private final String vendorMessage;

    TokenBridgeException(int statusCode, String message, int httpStatus, String vendorMessage) {
        super(message);
        this.status = Status.fromCode(statusCode);
        this.statusCode = statusCode;
        this.httpStatus = httpStatus;
        this.vendorMessage = vendorMessage;
    }

    /**
     * Reads the calling thread's last error ({@code tb_last_error_*}); call it on the
     * thread that made the failed call, right after it.
     */
    static TokenBridgeException fromLastError(int returnedStatus) {
        TokenBridgeLibrary lib = Ffi.LIB;
        String message = Ffi.takeString(lib.tb_last_error_message());
        int http = lib.tb_last_error_http_status() & 0xFFFF;
        String vendor = Ffi.takeString(lib.tb_last_error_vendor_message());
        if (message == null) {
            message = Ffi.staticString(lib.tb_status_name(returnedStatus));
        }
        return new TokenBridgeException(returnedStatus, message, http, vendor);
    }

    /** What kind of failure this is. */
    public Status getStatus() {
        return status;
    }

    /** The C status value (useful when {@link #getStatus()} is {@link Status#UNKNOWN}). */
    public int getStatusCode() {
        return statusCode;
    }

    /** The HTTP status of the answer that failed, 0 when none applies. */
    public int getHttpStatus() {
        return httpStatus;
    }

    /** The API's own message (for {@link Status#REJECTED}), or {@code null}. */
    public String getVendorMessage() {
        return vendorMessage;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("TokenBridgeException[").append(status);
        if (httpStatus != 0) {
            b.append(", HTTP ").append(httpStatus);
        }
        b.append("]: ").append(getMessage());
        if (vendorMessage != null) {
            b.append(" (vendor: ").append(vendorMessage).append(')');
        }
        return b.toString();
    }
}
