package io.tokenbridge;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/** Conversions between Java and the C ABI, shared by the wrapper classes. */
final class Ffi {
    static final TokenBridgeLibrary LIB = TokenBridgeLibrary.INSTANCE;

    private Ffi() {
    }

    /** TB_ABSENT: an answer getter's field was not sent (not a failure). */
    static final int ABSENT = 2;

    /** {@link #check(int, ParamNames)} for a call whose C parameter names are the Java ones. */
    static void check(int status) {
        check(status, null);
    }

    /**
     * Throws the thread's last error when {@code status} is not {@code TB_OK}: for
     * {@code INVALID_ARGUMENT} an {@link IllegalArgumentException} naming the Java
     * parameter, with the library's reason ({@code invalid argument `timeoutConnect`:
     * must be more than 0}) and a {@link TokenBridgeException} saying the same as its
     * cause; else the {@link TokenBridgeException}. The refused C parameter is read as
     * data ({@code tb_last_error_parameter}, {@code tb_last_error_reason}) and mapped to
     * its Java name by {@code names}: no English is rewritten.
     */
    static void check(int status, ParamNames names) {
        if (status == 0) {
            return;
        }
        Refusal r = Refusal.read();
        TokenBridgeException e = TokenBridgeException.fromLastError(status);
        if (status == Status.INVALID_ARGUMENT.code() && r != null) {
            throw invalidArgument(ParamNames.map(names, r.parameter), r.reason);
        }
        throw e;
    }

    /** The refused C parameter and why, as the library gives them after {@code TB_INVALID_ARGUMENT}. */
    static final class Refusal {
        final String parameter;
        final String reason;

        private Refusal(String parameter, String reason) {
            this.parameter = parameter;
            this.reason = reason;
        }

        /** The calling thread's refusal, or {@code null} when the last failure was not one. */
        static Refusal read() {
            String parameter = takeString(LIB.tb_last_error_parameter());
            String reason = takeString(LIB.tb_last_error_reason());
            return parameter == null ? null : new Refusal(parameter, reason);
        }
    }

    /** {@code invalid argument `javaName`: reason}, as the binding's exception. */
    static IllegalArgumentException invalidArgument(String javaName, String reason) {
        String message = "invalid argument `" + javaName + "`: " + reason;
        return new IllegalArgumentException(message,
                new TokenBridgeException(Status.INVALID_ARGUMENT.code(), message, 0, null));
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
     * A required string argument as C takes it: UTF-8 bytes and a terminating NUL.
     * {@code null} is a {@link NullPointerException} and an embedded NUL (at which C
     * would silently cut the string: a password "abc\0def" would become "abc") an
     * {@link IllegalArgumentException}, both naming the Java parameter {@code name}.
     */
    static byte[] cstr(String name, String value) {
        if (value == null) {
            throw new NullPointerException(name + " must not be null");
        }
        return optCstr(name, value);
    }

    /** {@link #cstr} for an optional argument: {@code null} is NULL ("none"). */
    static byte[] optCstr(String name, String value) {
        if (value == null) {
            return null;
        }
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(name + " contains a NUL character");
        }
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(utf8, utf8.length + 1);
    }

    /** {@code null} as a {@link NullPointerException} naming the Java parameter. */
    static <T> T notNull(String name, T value) {
        if (value == null) {
            throw new NullPointerException(name + " must not be null");
        }
        return value;
    }

    /** An accessor that lends one string: {@code (const char **out, size_t *out_len)}. */
    interface LentText {
        int get(PointerByReference out, TokenBridgeLibrary.SizeTByReference outLen);
    }

    /**
     * Runs a lending accessor and copies its string (UTF-8, by its length: it may hold
     * NUL) while the handle lives; {@code null} when the answer lacks the field
     * ({@code TB_ABSENT}, never an error). The string is the handle's: never freed here.
     */
    static String lent(LentText accessor) {
        PointerByReference out = new PointerByReference();
        TokenBridgeLibrary.SizeTByReference len = new TokenBridgeLibrary.SizeTByReference();
        return present(accessor.get(out, len)) ? lent(out, len) : null;
    }

    /**
     * An answer getter's status: {@code true} for {@code TB_OK}, {@code false} for
     * {@code TB_ABSENT} (the server did not send the field), else throws as {@link #check(int)}.
     */
    static boolean present(int status) {
        if (status == ABSENT) {
            return false;
        }
        check(status);
        return true;
    }

    /** The lent string an accessor wrote to {@code out} and {@code len}; {@code null} for NULL. */
    static String lent(PointerByReference out, TokenBridgeLibrary.SizeTByReference len) {
        Pointer p = out.getValue();
        if (p == null) {
            return null;
        }
        return new String(bytes(p, len.getValue()), StandardCharsets.UTF_8);
    }

    /** {@code len} bytes at {@code p} (lent memory) as a Java array. */
    static byte[] bytes(Pointer p, long len) {
        if (len > Integer.MAX_VALUE - 8) {
            throw new TokenBridgeException(Status.UNEXPECTED_RESPONSE.code(), "answer too large for a byte[]", 0, null);
        }
        return len == 0 || p == null ? new byte[0] : p.getByteArray(0, (int) len);
    }

    /** A {@code size_t} argument. */
    static TokenBridgeLibrary.SizeT size(long n) {
        return new TokenBridgeLibrary.SizeT(n);
    }

    static byte bool(boolean b) {
        return b ? (byte) 1 : (byte) 0;
    }

    /** Unix seconds (0 = unknown) as an {@link Instant}, or {@code null}. */
    static Instant instant(long unixSeconds) {
        return unixSeconds == 0 ? null : Instant.ofEpochSecond(unixSeconds);
    }

    /** A C export that writes a token and its expiry (a login, a refresh). */
    interface TokenCall {
        int call(Pointer client, PointerByReference token, LongByReference expiresAt);
    }

    /** Runs a {@link TokenCall} and reads the token it wrote. */
    static Token token(Pointer client, TokenCall call) {
        PointerByReference out = new PointerByReference();
        LongByReference expires = new LongByReference();
        check(call.call(client, out, expires));
        return new Token(takeString(out), instant(expires.getValue()));
    }

    /** An {@link Instant} as Unix seconds, 0 for {@code null}. */
    static long unixSeconds(Instant t) {
        return t == null ? 0 : t.getEpochSecond();
    }
}
