package io.tokenbridge;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/** Conversions between Java and the C ABI, shared by the wrapper classes. */
final class Ffi {
    static final TokenBridgeLibrary LIB = TokenBridgeLibrary.INSTANCE;

    private Ffi() {
    }

    /** Throws the thread's last error when {@code status} is not {@code TB_OK}. */
    static void check(int status) {
        if (status != 0) {
            throw TokenBridgeException.fromLastError(status);
        }
    }

    /** Copies a library-allocated string as UTF-8 and frees it; {@code null} stays {@code null}. */
    static String takeString(Pointer p) {
        if (p == null) {
            return null;
        }
        try {
            return p.getString(0, "UTF-8");
        } finally {
            LIB.tb_string_free(p);
        }
    }

    /** {@link #takeString} on a {@code char **} output. */
    static String takeString(PointerByReference out) {
        return takeString(out.getValue());
    }

    /** Copies a static string of the library (never freed). */
    static String staticString(Pointer p) {
        return p == null ? null : p.getString(0, "UTF-8");
    }

    /**
     * A string argument as C takes it: UTF-8 bytes and a terminating NUL, or
     * {@code null} (NULL). An embedded NUL, at which C would silently cut the string
     * (a password "abc\0def" would become "abc"), is {@link Status#INVALID_ARGUMENT}
     * naming the parameter, as the library names it.
     */
    static byte[] cstr(String name, String value) {
        if (value == null) {
            return null;
        }
        if (value.indexOf('\0') >= 0) {
            throw new TokenBridgeException(Status.INVALID_ARGUMENT.code(),
                    "invalid argument `" + name + "`: contains a NUL character", 0, null);
        }
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(utf8, utf8.length + 1);
    }

    /** Parses a JSON object the library wrote; a malformed one is {@link Status#UNEXPECTED_RESPONSE}. */
    static java.util.Map<String, Object> parseObject(String json, String what) {
        try {
            return Json.parseObject(json);
        } catch (IllegalArgumentException e) {
            throw new TokenBridgeException(Status.UNEXPECTED_RESPONSE.code(),
                    what + ": the library's JSON could not be read: " + e.getMessage(), 0, null);
        }
    }

    /** A generic call: {@code tb_<api>_call}. */
    interface CallFn {
        int call(Pointer client, byte[] method, byte[] path, int bodyKind, byte[] body,
                com.sun.jna.ptr.ShortByReference outStatus, PointerByReference outBody);
    }

    static RawResponse call(Pointer client, CallFn fn, String method, String path, Body body) {
        if (body == null) {
            body = Body.none();
        }
        com.sun.jna.ptr.ShortByReference status = new com.sun.jna.ptr.ShortByReference();
        PointerByReference out = new PointerByReference();
        check(fn.call(client, cstr("method", method), cstr("path", path), body.kind, cstr("body", body.text), status, out));
        String text = takeString(out);
        return new RawResponse(status.getValue() & 0xFFFF, text == null ? "" : text);
    }

    static byte bool(boolean b) {
        return b ? (byte) 1 : (byte) 0;
    }

    /** Unix seconds (0 = unknown) as an {@link Instant}, or {@code null}. */
    static Instant instant(long unixSeconds) {
        return unixSeconds == 0 ? null : Instant.ofEpochSecond(unixSeconds);
    }

    /** An {@link Instant} as Unix seconds, 0 for {@code null}. */
    static long unixSeconds(Instant t) {
        return t == null ? 0 : t.getEpochSecond();
    }
}
