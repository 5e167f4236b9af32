package io.tokenbridge;

import com.sun.jna.Pointer;

import java.time.Duration;

/**
 * Settings for new clients ({@code tb_config}). Clients copy it when they are
 * created, so it may be closed right after. Setters are serialised (the native
 * config must not be changed from two threads at once), but set it up before use.
 * Every setter returns {@code this} and throws {@link IllegalArgumentException} naming
 * the Java parameter for a value the library refuses (its cause a
 * {@link TokenBridgeException} with {@link Status#INVALID_ARGUMENT}).
 *
 * <pre>{@code
 * try (Config config = new Config().timeoutConnect(Duration.ofSeconds(5)).retries(2, 200, 2000)) {
 *     ...
 * }
 * }</pre>
 */
public final class Config extends NativeHandle {

    /** Which certificate authorities TLS trusts. */
    public enum TlsRoots {
        /** Mozilla's roots, bundled ({@code TB_TLS_ROOTS_MOZILLA}, the default). */
        MOZILLA(0),
        /** The operating system's trust store ({@code TB_TLS_ROOTS_OS}). */
        OS(1);

        final int code;

        TlsRoots(int code) {
            this.code = code;
        }
    }

    /** Default settings. */
    public Config() {
        super(newHandle(), Ffi.LIB::tb_config_free);
    }

    private static Pointer newHandle() {
        Pointer p = Ffi.LIB.tb_config_new();
        if (p == null) {
            throw new OutOfMemoryError("tb_config_new returned NULL");
        }
        return p;
    }

    /**
     * Runs a setter; a refused value is an {@link IllegalArgumentException} naming the Java
     * parameter ({@code names}: C names to Java ones; {@code null} when they are the same).
     */
    private Config set(final ParamNames names, final Setter s) {
        withExclusive(cfg -> {
            Ffi.check(s.set(cfg), names);
            return null;
        });
        return this;
    }

    /** A duration in milliseconds; null or negative is refused before the library sees it. */
    private static long millis(final String name, final Duration d) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be a duration of zero or more, not " + d);
        }
        return d.toMillis();
    }

    private interface Setter {
        int set(Pointer cfg);
    }

    /** Connect timeout (must not be zero). */
    public Config timeoutConnect(final Duration d) {
        final long ms = millis("timeoutConnect", d);
        return set(ParamNames.TIMEOUT_CONNECT, cfg -> Ffi.LIB.tb_config_set_timeout_connect_ms(cfg, ms));
    }

    /** Timeout for sending a request (must not be zero). */
    public Config timeoutSend(final Duration d) {
        final long ms = millis("timeoutSend", d);
        return set(ParamNames.TIMEOUT_SEND, cfg -> Ffi.LIB.tb_config_set_timeout_send_ms(cfg, ms));
    }

    /** Timeout for receiving an answer (must not be zero). */
    public Config timeoutReceive(final Duration d) {
        final long ms = millis("timeoutReceive", d);
        return set(ParamNames.TIMEOUT_RECEIVE, cfg -> Ffi.LIB.tb_config_set_timeout_receive_ms(cfg, ms));
    }

    /** Sends everything through this proxy URL. */
    public Config proxy(final String url) {
        return set(null, cfg -> Ffi.LIB.tb_config_set_proxy(cfg, Ffi.cstr("url", url)));
    }

    /** Uses no proxy at all (not even one from the environment). */
    public Config noProxy() {
        return set(null, cfg -> Ffi.LIB.tb_config_set_no_proxy(cfg));
    }

    /** The {@code User-Agent} header. */
    public Config userAgent(final String userAgent) {
        return set(ParamNames.USER_AGENT, cfg -> Ffi.LIB.tb_config_set_user_agent(cfg, Ffi.cstr("userAgent", userAgent)));
    }

    /** Allows plain {@code http://} URLs (tests, on-premise labs); off by default. */
    public Config allowHttp(final boolean allow) {
        return set(null, cfg -> Ffi.LIB.tb_config_set_allow_http(cfg, Ffi.bool(allow)));
    }

    /** The largest answer body accepted. */
    public Config maxResponseBytes(final long bytes) {
        return set(ParamNames.MAX_RESPONSE_BYTES, cfg -> Ffi.LIB.tb_config_set_max_response_bytes(cfg, bytes));
    }

    /** Which roots TLS trusts. */
    public Config tlsRoots(final TlsRoots roots) {
        return set(null, cfg -> Ffi.LIB.tb_config_set_tls_roots(cfg, roots.code));
    }

    /** A PEM file of extra CAs to trust (checked when a client is created). */
    public Config extraCaFile(final String path) {
        return set(null, cfg -> Ffi.LIB.tb_config_set_extra_ca_file(cfg, Ffi.cstr("path", path)));
    }

    /** Retries of transport errors and 408/429/502/503/504, with exponential backoff. */
    public Config retries(final int maxRetries, final long baseDelayMs, final long maxDelayMs) {
        return set(ParamNames.RETRIES, cfg -> Ffi.LIB.tb_config_set_retries(cfg, maxRetries, baseDelayMs, maxDelayMs));
    }

    /** How long before expiry a cached token is refreshed. */
    public Config refreshAhead(final Duration d) {
        final long ms = millis("refreshAhead", d);
        return set(ParamNames.REFRESH_AHEAD, cfg -> Ffi.LIB.tb_config_set_refresh_ahead_ms(cfg, ms));
    }

    /**
     * How long a client keeps the addresses its host name resolved to (default 60 s, as
     * libcurl); {@link Duration#ZERO} asks DNS before every request. A failed connection
     * forgets them at once.
     */
    public Config dnsCacheTtl(final Duration d) {
        final long ms = millis("dnsCacheTtl", d);
        return set(ParamNames.DNS_CACHE_TTL, cfg -> Ffi.LIB.tb_config_set_dns_cache_ttl_ms(cfg, ms));
    }

    /** Whether closing a uContact client ends its live session. */
    public Config endSessionOnClose(final boolean on) {
        return set(null, cfg -> Ffi.LIB.tb_config_set_end_session_on_close(cfg, Ffi.bool(on)));
    }

    /**
     * Shares tokens with the other processes (and hosts) that use the same credentials,
     * through a token store: {@code "file:///var/lib/app/tokens"} (a directory of this
     * host), {@code "redis://user:pass@host:6379/0"} or {@code "rediss://..."} (TLS).
     * Default: none, each process keeps its own token. A bad URL is an
     * {@link IllegalArgumentException} naming {@code url}.
     * The URL is a secret when it carries a password: the config keeps no copy of it,
     * and no error, log record or {@code toString()} repeats it.
     *
     * <p>With a store a uContact session belongs to the fleet: a process that closes its
     * client (or exits) does not end a session other processes use;
     * {@link UContactClient#endSession()} ends it for every process.
     */
    public Config tokenStore(final String url) {
        return set(null, cfg -> Ffi.LIB.tb_config_set_token_store(cfg, Ffi.cstr("url", url)));
    }

    /** Runs {@code op} with this config's handle, or with NULL for a {@code null} config. */
    static <T> T withOptional(Config config, Op<T> op) {
        return config == null ? op.apply(null) : config.with(op);
    }
}
