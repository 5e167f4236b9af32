package io.tokenbridge;

import java.util.Map;
import java.util.Optional;

/**
 * One of a user's messenger requests, copied out of the library's
 * {@code tb_messenger_requests} through its accessors. AnnA does not publish the items'
 * field names: the named getters are the library's reading of the likely spellings
 * (English and Portuguese, any case), {@code null} when the server sent none;
 * {@link #get(String)} and {@link #getFields()} reach every field as sent. Immutable.
 */
public final class MessengerRequest {
    private final String department;
    private final String channel;
    private final String description;
    private final String openedAt;
    private final String protocol;
    private final String status;
    private final MessengerStatus statusKind;
    private final Boolean pending;
    private final String link;
    private final Map<String, String> fields;

    MessengerRequest(String department, String channel, String description, String openedAt, String protocol,
            String status, MessengerStatus statusKind, Boolean pending, String link, Map<String, String> fields) {
        this.department = department;
        this.channel = channel;
        this.description = description;
        this.openedAt = openedAt;
        this.protocol = protocol;
        this.status = status;
        this.statusKind = statusKind;
        this.pending = pending;
        this.link = link;
        this.fields = fields;
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

    /** The opening date, as the server wrote it (the sandbox: {@code dd/MM/yyyy hh:mm:ss}). */
    public String getOpenedAt() {
        return openedAt;
    }

    /** The protocol number. */
    public String getProtocol() {
        return protocol;
    }

    /** The status, as the server wrote it (e.g. {@code "A"}); see {@link #getStatusKind()}. */
    public String getStatus() {
        return status;
    }

    /**
     * The status as an enum ({@code A}/{@code open}/{@code aberto} is
     * {@link MessengerStatus#OPEN}, {@code E}/{@code closed}/{@code encerrado}
     * {@link MessengerStatus#CLOSED}); empty when the server sent none or another word.
     */
    public Optional<MessengerStatus> getStatusKind() {
        return Optional.ofNullable(statusKind);
    }

    /** Whether it awaits the user's answer; empty when the server did not say. */
    public Optional<Boolean> getPending() {
        return Optional.ofNullable(pending);
    }

    /** The link to the request. */
    public String getLink() {
        return link;
    }

    /**
     * Any field by its wire name (exact case) as text (numbers, booleans, objects and
     * arrays as their JSON text); {@code null} when the item has no such field.
     */
    public String get(String name) {
        return fields.get(Ffi.notNull("name", name));
    }

    /**
     * Every field (wire name to text), in the order {@code tb_messenger_requests_field_at}
     * gives them (library 0.2.0: sorted by name, not the server's order).
     */
    public Map<String, String> getFields() {
        return fields;
    }

    @Override
    public String toString() {
        return "MessengerRequest[protocol=" + protocol + ", department=" + department + ", channel=" + channel
                + ", status=" + status + ", pending=" + pending + "]";
    }
}
