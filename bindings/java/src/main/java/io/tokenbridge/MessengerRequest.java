package io.tokenbridge;

import java.util.Map;

/** One of a user's messenger requests; fields the server did not send are {@code null}. */
public final class MessengerRequest {
    private final String department;
    private final String channel;
    private final String description;
    private final String openedAt;
    private final String protocol;
    private final String status;
    private final Boolean pending;
    private final String link;
    private final Map<String, Object> raw;

    MessengerRequest(Map<String, Object> m) {
        this.department = Json.text(m, "department");
        this.channel = Json.text(m, "channel");
        this.description = Json.text(m, "description");
        this.openedAt = Json.text(m, "opened_at");
        this.protocol = Json.text(m, "protocol");
        this.status = Json.text(m, "status");
        this.pending = Json.bool(m, "pending");
        this.link = Json.text(m, "link");
        this.raw = Json.object(m, "raw");
    }

    /** The department. */
    public String getDepartment() {
        return department;
    }

    /** The channel. */
    public String getChannel() {
        return channel;
    }

    /** The description. */
    public String getDescription() {
        return description;
    }

    /** The opening date, as the server wrote it. */
    public String getOpenedAt() {
        return openedAt;
    }

    /** The protocol number. */
    public String getProtocol() {
        return protocol;
    }

    /** The status, as the server wrote it. */
    public String getStatus() {
        return status;
    }

    /** Whether it awaits the user's answer, {@code null} when unknown. */
    public Boolean getPending() {
        return pending;
    }

    /** The link to the request. */
    public String getLink() {
        return link;
    }

    /** The object as the server sent it. */
    public Map<String, Object> getRaw() {
        return raw;
    }

    @Override
    public String toString() {
        return "MessengerRequest[protocol=" + protocol + ", department=" + department + ", channel=" + channel
                + ", status=" + status + ", pending=" + pending + "]";
    }
}
