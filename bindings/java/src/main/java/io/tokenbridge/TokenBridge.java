package io.tokenbridge;

/** Facts about the loaded native library. */
public final class TokenBridge {
    private TokenBridge() {
    }

    /** The library's version, {@code "MAJOR.MINOR.PATCH"} ({@code tb_version}). */
    public static String version() {
        return Ffi.staticString(Ffi.LIB.tb_version());
    }

    /** The version as {@code MAJOR*10000 + MINOR*100 + PATCH} ({@code tb_version_number}). */
    public static int versionNumber() {
        return Ffi.LIB.tb_version_number();
    }
}
