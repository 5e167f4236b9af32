package io.tokenbridge;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** A user's messenger requests, in the server's order. */
public final class MessengerRequests implements Iterable<MessengerRequest> {
    private final List<MessengerRequest> items;

    MessengerRequests(Map<String, Object> m) {
        List<MessengerRequest> l = new ArrayList<MessengerRequest>();
        for (Map<String, Object> item : Json.objects(m, "items")) {
            l.add(new MessengerRequest(item));
        }
        this.items = Collections.unmodifiableList(l);
    }

    /** The requests. */
    public List<MessengerRequest> getItems() {
        return items;
    }

    /** How many there are. */
    public int size() {
        return items.size();
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
