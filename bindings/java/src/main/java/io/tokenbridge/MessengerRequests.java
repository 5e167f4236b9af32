package io.tokenbridge;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A user's messenger requests ({@link AnnaClient#messengerRequests}), in the server's
 * order, copied out of the library's {@code tb_messenger_requests}. Immutable.
 */
public final class MessengerRequests implements Iterable<MessengerRequest> {
    private final List<MessengerRequest> items;
    private final String rawJson;

    private MessengerRequests(List<MessengerRequest> items, String rawJson) {
        this.items = items;
        this.rawJson = rawJson;
    }

    /** Copies everything out of {@code list} (lent strings), then frees it. */
    static MessengerRequests take(final Pointer list) {
        final TokenBridgeLibrary lib = Ffi.LIB;
        try {
            long n = lib.tb_messenger_requests_count(list).longValue();
            List<MessengerRequest> items = new ArrayList<MessengerRequest>();
            for (long i = 0; i < n; i++) {
                final TokenBridgeLibrary.SizeT index = Ffi.size(i);
                // TB_ABSENT (not sent) is no status, not known whether pending: null.
                IntByReference kind = new IntByReference();
                int kindCode = Ffi.present(lib.tb_messenger_requests_status(list, index, kind)) ? kind.getValue() : 0;
                IntByReference pending = new IntByReference();
                int pendingCode = Ffi.present(lib.tb_messenger_requests_pending(list, index, pending))
                        ? pending.getValue() : 0;
                Map<String, String> fields = new LinkedHashMap<String, String>();
                long m = lib.tb_messenger_requests_field_count(list, index).longValue();
                for (long k = 0; k < m; k++) {
                    PointerByReference name = new PointerByReference();
                    PointerByReference value = new PointerByReference();
                    TokenBridgeLibrary.SizeTByReference nameLen = new TokenBridgeLibrary.SizeTByReference();
                    TokenBridgeLibrary.SizeTByReference valueLen = new TokenBridgeLibrary.SizeTByReference();
                    Ffi.check(lib.tb_messenger_requests_field_at(list, index, Ffi.size(k), name, nameLen, value,
                            valueLen));
                    fields.put(Ffi.lent(name, nameLen), Ffi.lent(value, valueLen));
                }
                items.add(new MessengerRequest(
                        Ffi.lent((out, len) -> lib.tb_messenger_requests_department(list, index, out, len)),
                        Ffi.lent((out, len) -> lib.tb_messenger_requests_channel(list, index, out, len)),
                        Ffi.lent((out, len) -> lib.tb_messenger_requests_description(list, index, out, len)),
                        Ffi.lent((out, len) -> lib.tb_messenger_requests_opened_at(list, index, out, len)),
                        Ffi.lent((out, len) -> lib.tb_messenger_requests_protocol(list, index, out, len)),
                        Ffi.lent((out, len) -> lib.tb_messenger_requests_status_raw(list, index, out, len)),
                        MessengerStatus.fromCode(kindCode),
                        pending(pendingCode),
                        Ffi.lent((out, len) -> lib.tb_messenger_requests_link(list, index, out, len)),
                        Collections.unmodifiableMap(fields)));
            }
            return new MessengerRequests(Collections.unmodifiableList(items),
                    Ffi.lent((out, len) -> lib.tb_messenger_requests_raw_json(list, out, len)));
        } finally {
            lib.tb_messenger_requests_free(list);
        }
    }

    /** {@code tb_messenger_pending}: YES (1), NO (2), else unknown. */
    private static Boolean pending(int code) {
        return code == 1 ? Boolean.TRUE : code == 2 ? Boolean.FALSE : null;
    }

    /** The requests. */
    public List<MessengerRequest> getItems() {
        return items;
    }

    /** How many there are. */
    public int size() {
        return items.size();
    }

    /**
     * The escape hatch: the {@code userRequests} array as the server sent it, as JSON
     * text; this binding does not parse it.
     */
    public String rawJson() {
        return rawJson;
    }

    @Override
    public Iterator<MessengerRequest> iterator() {
        return items.iterator();
    }

    @Override
    public String toString() {
        return items.toString();
    }
}
