package io.tokenbridge;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Checks a Yativo webhook request before you trust it: the HMAC-SHA256 of the raw body (the
 * bytes as received: a body parsed and written again no longer matches) against the
 * signature header, for each secret given (one, or two during a rotation), compared in
 * constant time by the native library. Thread-safe.
 */
public final class YativoWebhook {
    /** The signature headers Yativo uses, in the order {@link #verify(byte[], Map, String...)} looks for them. */
    public static final List<String> SIGNATURE_HEADERS =
            Collections.unmodifiableList(Arrays.asList("X-Yativo-Signature", "X-Webhook-Signature", "Signature"));

    private YativoWebhook() {
    }

    /**
     * Verifies a request and reads its event.
     *
     * @param body the raw request body
     * @param headerName the signature header's name as received: {@code X-Yativo-Signature},
     *     {@code X-Webhook-Signature} or {@code Signature}, in any case
     * @param headerValue its value: 64 hex digits, with or without {@code sha256=}
     * @param secrets the webhook secret(s), at least one: during a rotation, both
     * @return the event
     * @throws WebhookVerificationException the request failed the check (answer 401);
     *     {@link WebhookVerificationException#getPart()} says which part
     * @throws NullPointerException an argument (or a secret) is {@code null}
     * @throws IllegalArgumentException no secret, an empty one, or too many ({@code secrets})
     */
    public static YativoEvent verify(byte[] body, String headerName, String headerValue, String... secrets) {
        Ffi.notNull("body", body);
        byte[] name = Ffi.cstr("headerName", headerName);
        byte[] value = Ffi.cstr("headerValue", headerValue);
        Ffi.notNull("secrets", secrets);
        Memory[] copies = new Memory[secrets.length];
        try {
            Pointer[] pointers = new Pointer[secrets.length];
            for (int i = 0; i < secrets.length; i++) {
                byte[] s = Ffi.cstr("secrets", secrets[i]);
                copies[i] = new Memory(s.length);
                copies[i].write(0, s, 0, s.length);
                Arrays.fill(s, (byte) 0);
                pointers[i] = copies[i];
            }
            PointerByReference out = new PointerByReference();
            int status = Ffi.LIB.tb_yativo_webhook_verify(body, Ffi.size(body.length), name, value,
                    pointers.length == 0 ? null : pointers, Ffi.size(pointers.length), out);
            if (status != 0) {
                throw refused(status);
            }
            return YativoEvent.take(out.getValue());
        } finally {
            for (Memory m : copies) {
                if (m != null) {
                    m.clear();
                    m.close();
                }
            }
        }
    }

    /**
     * Verifies a request given its headers, e.g. {@code HttpExchange.getRequestHeaders()}
     * (any case; the first value of a header): the first of {@link #SIGNATURE_HEADERS}
     * present is checked.
     *
     * @throws WebhookVerificationException no signature header ({@code getPart()} is
     *     {@code headers}), or the request failed the check
     */
    public static YativoEvent verify(byte[] body, Map<String, List<String>> headers, String... secrets) {
        Ffi.notNull("headers", headers);
        for (String wanted : SIGNATURE_HEADERS) {
            for (Map.Entry<String, List<String>> h : headers.entrySet()) {
                if (h.getKey() != null && h.getKey().equalsIgnoreCase(wanted) && h.getValue() != null
                        && !h.getValue().isEmpty() && h.getValue().get(0) != null) {
                    return verify(body, h.getKey(), h.getValue().get(0), secrets);
                }
            }
        }
        throw new WebhookVerificationException("headers",
                "no signature header (" + String.join(", ", SIGNATURE_HEADERS) + ")");
    }

    // A refusal of the request's parts is a WebhookVerificationException; anything else (the
    // secrets, an internal error) throws as every call does. Read as data: the C parameter
    // and reason, never the message.
    private static RuntimeException refused(int status) {
        if (status == Status.INVALID_ARGUMENT.code()) {
            Ffi.Refusal r = Ffi.Refusal.read();
            if (r != null && (r.parameter.equals("header_name") || r.parameter.equals("header_value")
                    || r.parameter.equals("body"))) {
                return new WebhookVerificationException(ParamNames.map(ParamNames.WEBHOOK_VERIFY, r.parameter), r.reason);
            }
        }
        Ffi.check(status, ParamNames.WEBHOOK_VERIFY);
        return new IllegalStateException("unreachable: status " + status);
    }
}
