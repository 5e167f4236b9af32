package io.tokenbridge;

import com.sun.jna.Pointer;

import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Facts about the loaded native library, and its logging. */
public final class TokenBridge {
    private TokenBridge() {
    }

    /** The logger that receives the library's records (and the binding's own warnings). */
    public static final String LOGGER_NAME = "tokenbridge";

    private static final Logger LOG = Logger.getLogger(LOGGER_NAME);

    /**
     * The one callback given to {@code tb_set_log_callback}: a static field, so it stays
     * reachable (JNA would free the native stub of a collected callback) for the process.
     */
    private static final TokenBridgeLibrary.LogCallback CALLBACK = TokenBridge::deliver;

    /** The library's version, {@code "MAJOR.MINOR.PATCH"} ({@code tb_version}). */
    public static String version() {
        return Ffi.staticString(Ffi.LIB.tb_version());
    }

    /** The version as {@code MAJOR*10000 + MINOR*100 + PATCH} ({@code tb_version_number}). */
    public static int versionNumber() {
        return Ffi.LIB.tb_version_number();
    }

    /**
     * Sends the library's log records up to {@code maxLevel} to the {@code java.util.logging}
     * logger {@value #LOGGER_NAME} ({@code tb_set_log_callback}), with the record's origin
     * (e.g. {@code tokenbridge::http}) as the source class. Levels: {@code SEVERE} = error,
     * {@code WARNING} = warn, {@code INFO} = logins, refreshes, retries, ended sessions,
     * {@code FINE} = one record per HTTP request, {@code FINEST} (or below {@code FINE}) =
     * everything the libraries underneath log, wire dumps included. No record holds a
     * password, secret or token. {@link Level#OFF} turns logging off. The logger's own level
     * and handlers filter as usual. Records arrive on the thread that made them. Off until
     * called; one setting for the whole process.
     *
     * @throws IllegalArgumentException (its cause a {@link TokenBridgeException} with
     *                                  {@link Status#INVALID_ARGUMENT}) when other Rust code
     *                                  in the process installed its own logger first
     */
    public static void enableLogging(Level maxLevel) {
        Ffi.notNull("maxLevel", maxLevel);
        if (maxLevel.intValue() == Level.OFF.intValue()) {
            disableLogging();
            return;
        }
        Ffi.check(Ffi.LIB.tb_set_log_callback(CALLBACK, nativeLevel(maxLevel), null), ParamNames.LOG_CALLBACK);
    }

    /** Turns the library's logging off (the default). */
    public static void disableLogging() {
        Ffi.check(Ffi.LIB.tb_set_log_callback(null, 0, null));
    }

    /** {@code TB_LOG_ERROR} (1) ... {@code TB_LOG_TRACE} (5) for a {@code java.util.logging} level. */
    private static int nativeLevel(Level level) {
        int v = level.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return 1;
        } else if (v >= Level.WARNING.intValue()) {
            return 2;
        } else if (v >= Level.INFO.intValue()) {
            return 3;
        } else if (v >= Level.FINE.intValue()) {
            return 4;
        }
        return 5;
    }

    private static Level javaLevel(int level) {
        switch (level) {
            case 1: return Level.SEVERE;
            case 2: return Level.WARNING;
            case 3: return Level.INFO;
            case 4: return Level.FINE;
            default: return Level.FINEST;
        }
    }

    /** The callback: copies the borrowed strings and logs; never throws into the library. */
    private static void deliver(Pointer userData, int level, Pointer target, TokenBridgeLibrary.SizeT targetLen,
            Pointer message, TokenBridgeLibrary.SizeT messageLen) {
        try {
            Level l = javaLevel(level);
            if (!LOG.isLoggable(l)) {
                return;
            }
            LogRecord r = new LogRecord(l, utf8(message, messageLen));
            r.setLoggerName(LOGGER_NAME);
            r.setSourceClassName(utf8(target, targetLen));
            r.setSourceMethodName(null);
            LOG.log(r);
        } catch (Throwable t) {
            // A Java exception must not unwind into Rust; a failing handler loses a record.
        }
    }

    private static String utf8(Pointer p, TokenBridgeLibrary.SizeT len) {
        if (p == null) {
            return "";
        }
        long n = len.longValue();
        return n <= 0 ? "" : new String(p.getByteArray(0, (int) Math.min(n, Integer.MAX_VALUE)),
                StandardCharsets.UTF_8);
    }
}
