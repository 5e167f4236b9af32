package io.tokenbridge;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

import java.util.ArrayList;
import java.util.List;

/**
 * A generic request for {@code send}/{@code sendAsync} of any client: a method, a path
 * relative to the client's base URL, query parameters, headers and one body. A builder:
 * each method adds a step and returns {@code this}. The library checks the values when
 * the request is sent ({@code tb_request_*}), so a refused value is an
 * {@link IllegalArgumentException} from {@code send} naming the setter's parameter (its
 * cause a {@link TokenBridgeException} with {@link Status#INVALID_ARGUMENT}); {@code null} is a {@link NullPointerException} at once.
 * Not thread-safe to change; once built it may be sent many times, from many threads,
 * to any client. {@link #toString()} shows the method and path only.
 *
 * <pre>{@code
 * Response r = yativo.send(new Request("GET", "wallet/balance").query("currency", "USD"));
 * }</pre>
 */
public final class Request {
    private interface Step {
        int apply(Pointer request);
    }

    private final String method;
    private final String path;
    private final List<Step> steps = new ArrayList<Step>();

    /**
     * @param method GET, HEAD, OPTIONS, POST, PUT, PATCH or DELETE, in any case
     * @param path   relative to the client's base URL, without a query (use {@link #query})
     */
    public Request(String method, String path) {
        this.method = Ffi.notNull("method", method);
        this.path = Ffi.notNull("path", path);
        Ffi.cstr("method", method);
        Ffi.cstr("path", path);
    }

    private Request step(Step s) {
        steps.add(s);
        return this;
    }

    /** Adds a query parameter (percent-encoded when sent, in order; names may repeat). */
    public Request query(String name, String value) {
        final byte[] n = Ffi.cstr("name", name);
        final byte[] v = Ffi.cstr("value", value);
        return step(r -> Ffi.LIB.tb_request_add_query(r, n, v));
    }

    /**
     * Adds a header. {@code Host}, {@code Content-Length}, {@code Transfer-Encoding},
     * {@code Connection}, {@code TE}, {@code Upgrade}, a name that is not an HTTP token, a
     * value with CR/LF and {@code Authorization} (without {@link #allowAuthorizationHeader})
     * are refused when sent.
     */
    public Request header(String name, String value) {
        final byte[] n = Ffi.cstr("name", name);
        final byte[] v = Ffi.cstr("value", value);
        return step(r -> Ffi.LIB.tb_request_add_header(r, n, v));
    }

    /** Adds a form field: the body becomes {@code application/x-www-form-urlencoded} (replacing another kind). */
    public Request formField(String name, String value) {
        final byte[] n = Ffi.cstr("name", name);
        final byte[] v = Ffi.cstr("value", value);
        return step(r -> Ffi.LIB.tb_request_add_form_field(r, n, v));
    }

    /** Sets a JSON body (checked, sent as {@code application/json}; replaces another body). */
    public Request json(String json) {
        final byte[] j = Ffi.cstr("json", json);
        return step(r -> Ffi.LIB.tb_request_set_json(r, j));
    }

    /** Sets a raw body (copied; may hold NUL) with this {@code Content-Type} (replaces another body). */
    public Request body(String contentType, byte[] bytes) {
        final byte[] ct = Ffi.cstr("contentType", contentType);
        final byte[] b = Ffi.notNull("bytes", bytes).clone();
        return step(r -> Ffi.LIB.tb_request_set_body(r, ct, b.length == 0 ? null : b,
                new TokenBridgeLibrary.SizeT(b.length)));
    }

    /** Sends {@code Idempotency-Key} on every send and retry; makes a POST or PATCH retryable. */
    public Request idempotencyKey(String idempotencyKey) {
        final byte[] k = Ffi.cstr("idempotencyKey", idempotencyKey);
        return step(r -> Ffi.LIB.tb_request_set_idempotency_key(r, k));
    }

    /** Lets an added {@code Authorization} header replace the client's token (no login; a 401 is final). */
    public Request allowAuthorizationHeader(boolean allow) {
        final byte a = Ffi.bool(allow);
        return step(r -> Ffi.LIB.tb_request_allow_authorization_header(r, a));
    }

    /** Builds the native request, sends it with {@code client}, copies the answer and frees both. */
    Response send(Pointer client, ClientHandle.Api api) {
        PointerByReference out = new PointerByReference();
        Ffi.check(Ffi.LIB.tb_request_new(Ffi.cstr("method", method), Ffi.cstr("path", path), out));
        Pointer request = out.getValue();
        try {
            for (Step s : steps) {
                Ffi.check(s.apply(request), ParamNames.REQUEST_STEPS);
            }
            PointerByReference response = new PointerByReference();
            Ffi.check(api.send(client, request, response));
            return Response.take(response.getValue());
        } finally {
            Ffi.LIB.tb_request_free(request);
        }
    }

    @Override
    public String toString() {
        return "Request[" + method + " " + path + "]";
    }
}
