package io.tokenbridge;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which messenger requests to count or list; every part is optional.
 *
 * <pre>{@code
 * MessengerFilter f = new MessengerFilter().departmentAlias("SAC").status(MessengerFilter.Status.OPEN);
 * }</pre>
 */
public final class MessengerFilter {
    /** A request's status. */
    public enum Status {
        /** Open requests. */
        OPEN("open"),
        /** Closed requests. */
        CLOSED("closed");

        final String wire;

        Status(String wire) {
            this.wire = wire;
        }
    }

    private String departmentAlias;
    private String channelAlias;
    private LocalDate dateFrom;
    private LocalDate dateTo;
    private Status status;
    private Boolean pending;

    /** Only this department. */
    public MessengerFilter departmentAlias(String alias) {
        this.departmentAlias = alias;
        return this;
    }

    /** Only this channel. */
    public MessengerFilter channelAlias(String alias) {
        this.channelAlias = alias;
        return this;
    }

    /** Opened on or after this day. */
    public MessengerFilter dateFrom(LocalDate day) {
        this.dateFrom = day;
        return this;
    }

    /** Opened on or before this day. */
    public MessengerFilter dateTo(LocalDate day) {
        this.dateTo = day;
        return this;
    }

    /** Only open or only closed requests. */
    public MessengerFilter status(Status status) {
        this.status = status;
        return this;
    }

    /** Only requests that do (or do not) await the user's answer. */
    public MessengerFilter pending(boolean pending) {
        this.pending = pending;
        return this;
    }

    /** The filter as the library takes it ({@code filter_json}). */
    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<String, Object>();
        if (departmentAlias != null) {
            m.put("department_alias", departmentAlias);
        }
        if (channelAlias != null) {
            m.put("channel_alias", channelAlias);
        }
        if (dateFrom != null) {
            m.put("date_from", dateFrom.toString());
        }
        if (dateTo != null) {
            m.put("date_to", dateTo.toString());
        }
        if (status != null) {
            m.put("status", status.wire);
        }
        if (pending != null) {
            m.put("pending", pending);
        }
        return Json.write(m);
    }

    @Override
    public String toString() {
        return "MessengerFilter" + toJson();
    }
}
