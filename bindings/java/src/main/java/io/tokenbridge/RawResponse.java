package io.tokenbridge;

/** What a generic call returned: the HTTP status and body, as they came. */
public final class RawResponse {
    private final int status;
    private final String body;

    RawResponse(int status, String body) {
        this.status = status;
        this.body = body;
    }

    /** The HTTP status (any but 401, which is retried once and then an exception). */
    public int getStatus() {
        return status;
    }

    /** The body (UTF-8 decoded), "" when empty. */
    public String getBody() {
        return body;
    }

    /** The body parsed as JSON (see {@link Json#parse}). */
    public Object getJson() {
        return Json.parse(body);
    }

    @Override
    public String toString() {
        return "RawResponse[" + status + ", " + body.length() + " chars]";
    }
}
