package io.tokenbridge;

import com.sun.jna.Pointer;

import java.time.LocalDate;

/**
 * Which messenger requests {@link AnnaClient#messengerAlertCounter} and
 * {@link AnnaClient#messengerRequests} count or list; every part is optional and a new
 * filter lets everything through. A builder: each setter narrows the filter and returns
 * {@code this}; {@code null} widens that part again. The library's
 * {@code tb_messenger_filter} checks every value as it is set, so a refused one is an
 * {@link IllegalArgumentException} naming the setter at once (the filter is then
 * unchanged), never a failure at the call. A call copies the filter: changing it later
 * does not affect calls already made. Not thread-safe to change.
 *
 * <pre>{@code
 * MessengerFilter f = new MessengerFilter().departmentAlias("financeiro")
 *         .dateFrom(LocalDate.of(2024, 1, 1)).status(MessengerStatus.OPEN).pending(true);
 * }</pre>
 */
public final class MessengerFilter {
    private String departmentAlias;
    private String channelAlias;
    private LocalDate dateFrom;
    private LocalDate dateTo;
    private MessengerStatus status;
    private Boolean pending;

    /** A filter that lets every request through. */
    public MessengerFilter() {
    }

    private MessengerFilter(MessengerFilter other) {
        this.departmentAlias = other.departmentAlias;
        this.channelAlias = other.channelAlias;
        this.dateFrom = other.dateFrom;
        this.dateTo = other.dateTo;
        this.status = other.status;
        this.pending = other.pending;
    }

    /**
     * Only the department with this alias (see {@link MessengerStructure.Department#getAlias()});
     * {@code null} or {@code ""} for any.
     */
    public MessengerFilter departmentAlias(String departmentAlias) {
        Ffi.optCstr("departmentAlias", departmentAlias);
        MessengerFilter next = new MessengerFilter(this);
        next.departmentAlias = departmentAlias;
        return adopt(next);
    }

    /**
     * Only the channel with this alias (see {@link MessengerStructure.Channel#getAlias()});
     * {@code null} or {@code ""} for any.
     */
    public MessengerFilter channelAlias(String channelAlias) {
        Ffi.optCstr("channelAlias", channelAlias);
        MessengerFilter next = new MessengerFilter(this);
        next.channelAlias = channelAlias;
        return adopt(next);
    }

    /** Opened on or after this day ({@code null}: no lower bound); years 1 to 9999, not after {@code dateTo}. */
    public MessengerFilter dateFrom(LocalDate dateFrom) {
        if (dateFrom != null && dateTo != null && dateFrom.isAfter(dateTo)) {
            throw new IllegalArgumentException(
                    "invalid argument `dateFrom`: " + dateFrom + " is after the filter's dateTo " + dateTo);
        }
        MessengerFilter next = new MessengerFilter(this);
        next.dateFrom = dateFrom;
        return adopt(next);
    }

    /** Opened on or before this day ({@code null}: no upper bound); years 1 to 9999, not before {@code dateFrom}. */
    public MessengerFilter dateTo(LocalDate dateTo) {
        if (dateTo != null && dateFrom != null && dateTo.isBefore(dateFrom)) {
            throw new IllegalArgumentException(
                    "invalid argument `dateTo`: " + dateTo + " is before the filter's dateFrom " + dateFrom);
        }
        MessengerFilter next = new MessengerFilter(this);
        next.dateTo = dateTo;
        return adopt(next);
    }

    /** Only open or only closed requests ({@code null}: both). */
    public MessengerFilter status(MessengerStatus status) {
        MessengerFilter next = new MessengerFilter(this);
        next.status = status;
        return adopt(next);
    }

    /**
     * Only requests that await the user's answer ({@code true}), only those that do not
     * ({@code false}), or both ({@code null}).
     */
    public MessengerFilter pending(Boolean pending) {
        MessengerFilter next = new MessengerFilter(this);
        next.pending = pending;
        return adopt(next);
    }

    /** Lets the library check {@code next}; on success takes its values (else this stays unchanged). */
    private MessengerFilter adopt(MessengerFilter next) {
        Ffi.LIB.tb_messenger_filter_free(next.build());
        this.departmentAlias = next.departmentAlias;
        this.channelAlias = next.channelAlias;
        this.dateFrom = next.dateFrom;
        this.dateTo = next.dateTo;
        this.status = next.status;
        this.pending = next.pending;
        return this;
    }

    /** A copy, for a call (which may run later, on another thread). */
    MessengerFilter copy() {
        return new MessengerFilter(this);
    }

    /** A new native filter with these values; the caller frees it with {@code tb_messenger_filter_free}. */
    Pointer build() {
        TokenBridgeLibrary lib = Ffi.LIB;
        Pointer f = lib.tb_messenger_filter_new();
        if (f == null) {
            throw new OutOfMemoryError("tb_messenger_filter_new returned NULL");
        }
        boolean ok = false;
        try {
            if (departmentAlias != null) {
                refused(lib.tb_messenger_filter_set_department_alias(f, Ffi.cstr("departmentAlias", departmentAlias)),
                        ParamNames.FILTER_DEPARTMENT);
            }
            if (channelAlias != null) {
                refused(lib.tb_messenger_filter_set_channel_alias(f, Ffi.cstr("channelAlias", channelAlias)),
                        ParamNames.FILTER_CHANNEL);
            }
            if (dateFrom != null) {
                refused(lib.tb_messenger_filter_set_date_from(f, dateFrom.getYear(), dateFrom.getMonthValue(),
                        dateFrom.getDayOfMonth()), ParamNames.FILTER_DATE_FROM);
            }
            if (dateTo != null) {
                refused(lib.tb_messenger_filter_set_date_to(f, dateTo.getYear(), dateTo.getMonthValue(),
                        dateTo.getDayOfMonth()), ParamNames.FILTER_DATE_TO);
            }
            if (status != null) {
                refused(lib.tb_messenger_filter_set_status(f, status.code), null);
            }
            if (pending != null) {
                refused(lib.tb_messenger_filter_set_pending(f, pending ? 1 : 2), null);
            }
            ok = true;
            return f;
        } finally {
            if (!ok) {
                lib.tb_messenger_filter_free(f);
            }
        }
    }

    /**
     * A setter's status: {@code INVALID_ARGUMENT} as an {@link IllegalArgumentException}
     * naming the Java setter ({@code names} maps the C parameter, read as data); a part of
     * a date ({@code year}, {@code month}, {@code day}) is said before the library's reason,
     * and days in the wrong order are said in this filter's terms. Anything else as usual.
     */
    private void refused(int status, ParamNames names) {
        if (status != Status.INVALID_ARGUMENT.code()) {
            Ffi.check(status);
            return;
        }
        Ffi.Refusal r = Ffi.Refusal.read();
        if (r == null) {
            Ffi.check(status);
            return;
        }
        String reason = r.reason;
        if (r.parameter.equals("year") || r.parameter.equals("month") || r.parameter.equals("day")) {
            reason = r.parameter + " " + reason;
        } else if (r.parameter.equals("date_from")) {
            reason = dateFrom + " is after dateTo " + dateTo;
        } else if (r.parameter.equals("date_to")) {
            reason = dateTo + " is before dateFrom " + dateFrom;
        }
        throw Ffi.invalidArgument(ParamNames.map(names, r.parameter), reason);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("MessengerFilter[");
        String sep = "";
        Object[][] parts = {{"departmentAlias", departmentAlias}, {"channelAlias", channelAlias},
            {"dateFrom", dateFrom}, {"dateTo", dateTo}, {"status", status}, {"pending", pending}};
        for (Object[] p : parts) {
            if (p[1] != null) {
                b.append(sep).append(p[0]).append('=').append(p[1]);
                sep = ", ";
            }
        }
        return b.append(']').toString();
    }
}
