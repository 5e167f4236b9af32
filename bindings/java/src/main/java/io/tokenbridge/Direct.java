package io.tokenbridge;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.lang.reflect.Proxy;

/**
 * JNA direct mapping ({@link Native#register}) of the call made once per request on the
 * cached-token hot path (benches/sections/java.sh). Through the interface mapping of
 * {@link TokenBridgeLibrary} each call goes through a proxy, reflective dispatch and
 * argument conversion, and its {@code LongByReference} output is a {@code Memory}
 * malloc'd and registered with JNA's cleaner; here the call is a plain {@code native}
 * method and the output a {@code long[1]}. Bound to the library {@link Ffi#LIB} loaded.
 */
final class Direct {
    static {
        // The very library the interface mapping loaded (its path rules, its copy out of
        // the jar): one copy in the process, so tb_last_error_* read through Ffi.LIB see
        // the failures of these calls.
        Library.Handler handler = (Library.Handler) Proxy.getInvocationHandler(Ffi.LIB);
        Native.register(Direct.class, handler.getNativeLibrary());
    }

    private Direct() {
    }

    static native int tb_anna_messenger_alert_counter(Pointer client, byte[] userId, byte[] docType, byte[] docValue,
            Pointer filter, long[] outCount);
}
