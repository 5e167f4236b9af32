package io.tokenbridge;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

import java.time.Instant;

/**
 * A Yativo client ({@code tb_yativo_client}): one connection pool, one account, one
 * cached access token refreshed ahead of expiry. Safe to use from many threads at
 * once; creating it sends nothing. Failures throw {@link TokenBridgeException}.
 */
public final class YativoClient extends NativeHandle {

    /** Yativo's production API ({@code TB_YATIVO_PRODUCTION_URL}). */
    public static final String PRODUCTION_URL = "https://api.yativo.com/api/v1";

    /** Yativo's own sandbox environment ({@code TB_YATIVO_SANDBOX_URL}). */
    public static final String SANDBOX_URL = "https://smtp.yativo.com/api/v1";

    /**
     * @param config    settings, or {@code null} for the defaults
     * @param baseUrl   the API's base URL, e.g. {@link #PRODUCTION_URL}
     * @param accountId the account id
     * @param appSecret the app secret
     */
    public YativoClient(Config config, final String baseUrl, final String accountId, final String appSecret) {
        super(Config.withOptional(config, cfg -> {
            PointerByReference out = new PointerByReference();
            Ffi.check(Ffi.LIB.tb_yativo_client_new(cfg, Ffi.cstr("base_url", baseUrl),
                    Ffi.cstr("account_id", accountId), Ffi.cstr("app_secret", appSecret), out));
            return out.getValue();
        }));
    }

    @Override
    void free(Pointer handle) {
        Ffi.LIB.tb_yativo_client_free(handle);
    }

    /** Y1: logs in with the app secret and returns the new token (also cached). */
    public Token login() {
        return with(c -> {
            PointerByReference out = new PointerByReference();
            LongByReference expires = new LongByReference();
            Ffi.check(Ffi.LIB.tb_yativo_login(c, out, expires));
            return new Token(Ffi.takeString(out), Ffi.instant(expires.getValue()));
        });
    }

    /** Y2: exchanges the current token for a new one (logging in first when there is none) and caches it. */
    public Token refreshToken() {
        return with(c -> {
            PointerByReference out = new PointerByReference();
            LongByReference expires = new LongByReference();
            Ffi.check(Ffi.LIB.tb_yativo_refresh_token(c, out, expires));
            return new Token(Ffi.takeString(out), Ffi.instant(expires.getValue()));
        });
    }

    /** A valid access token: the cached one, refreshed ahead of expiry, or a new login. */
    public String token() {
        return with(c -> {
            PointerByReference out = new PointerByReference();
            Ffi.check(Ffi.LIB.tb_yativo_token(c, out));
            return Ffi.takeString(out);
        });
    }

    /** Uses a token obtained elsewhere; it expires at its JWT {@code exp}, else in 10 minutes. */
    public void setToken(String token) {
        setToken(token, null);
    }

    /** Uses a token obtained elsewhere that expires at {@code expiresAt} ({@code null}: as {@link #setToken(String)}). */
    public void setToken(final String token, final Instant expiresAt) {
        with(c -> {
            Ffi.check(Ffi.LIB.tb_yativo_set_token(c, Ffi.cstr("token", token), Ffi.unixSeconds(expiresAt)));
            return null;
        });
    }

    /**
     * Calls any other Yativo endpoint with {@code Authorization: Bearer {token}},
     * refreshing or logging in as needed and once more after a 401.
     *
     * @param method e.g. {@code "GET"}
     * @param path   relative to the base URL, e.g. {@code "wallet/balance"}
     * @param body   the body, {@code null} for none
     */
    public RawResponse call(final String method, final String path, final Body body) {
        return with(c -> Ffi.call(c, Ffi.LIB::tb_yativo_call, method, path, body));
    }
}
