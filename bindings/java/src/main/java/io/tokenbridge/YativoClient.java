package io.tokenbridge;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A Yativo client ({@code tb_yativo_client}): one connection pool, one account, one
 * cached access token refreshed ahead of expiry. Safe to use from many threads at
 * once; creating it sends nothing. Failures throw {@link TokenBridgeException}.
 */
public final class YativoClient extends ClientHandle {

    private static final Api API = new Api() {
        @Override
        public int withOptions(Pointer client, Pointer opts, PointerByReference out) {
            return Ffi.LIB.tb_yativo_client_with_options(client, opts, out);
        }

        @Override
        public int send(Pointer client, Pointer request, PointerByReference out) {
            return Ffi.LIB.tb_yativo_send(client, request, out);
        }

        @Override
        public void free(Pointer client) {
            Ffi.LIB.tb_yativo_client_free(client);
        }
    };

    private static final Op<Token> LOGIN = c -> Ffi.token(c, Ffi.LIB::tb_yativo_login);

    private static final Op<Token> REFRESH = c -> Ffi.token(c, Ffi.LIB::tb_yativo_refresh_token);

    private static final Op<String> TOKEN = c -> {
        PointerByReference out = new PointerByReference();
        Ffi.check(Ffi.LIB.tb_yativo_token(c, out));
        return Ffi.takeString(out);
    };

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
            Ffi.check(Ffi.LIB.tb_yativo_client_new(cfg, Ffi.cstr("baseUrl", baseUrl),
                    Ffi.cstr("accountId", accountId), Ffi.cstr("appSecret", appSecret), out),
                    ParamNames.YATIVO_NEW);
            return out.getValue();
        }), API);
    }

    /**
     * A view of this client (the same connections, token and session) whose every call,
     * blocking or {@code ...Async}, fails with {@link Status#TIMEOUT} when it has not
     * ended {@code timeout} after it started (logins, retries and backoff included).
     * The view holds nothing native: closing it does nothing, closing this client ends
     * it too. A view's {@code withTimeout} replaces the timeout.
     *
     * @throws NullPointerException     when {@code timeout} is {@code null}
     * @throws IllegalArgumentException when it is not positive or more than 30 days
     */
    public YativoClient withTimeout(Duration timeout) {
        return new YativoClient(this, timeout);
    }

    private YativoClient(YativoClient client, Duration timeout) {
        super(client, timeout);
    }

    /** Y1: logs in with the app secret and returns the new token (also cached). */
    public Token login() {
        return call(LOGIN);
    }

    /** Y1: {@link #login} on the default executor; cancelling the future cancels the call. */
    public CompletableFuture<Token> loginAsync() {
        return async(defaultExecutor(), LOGIN);
    }

    /** Y1: {@link #login} on {@code executor}; cancelling the future cancels the call. */
    public CompletableFuture<Token> loginAsync(Executor executor) {
        return async(executor, LOGIN);
    }

    /** Y2: exchanges the current token for a new one (logging in first when there is none) and caches it. */
    public Token refreshToken() {
        return call(REFRESH);
    }

    /** Y2: {@link #refreshToken} on the default executor; cancelling the future cancels the call. */
    public CompletableFuture<Token> refreshTokenAsync() {
        return async(defaultExecutor(), REFRESH);
    }

    /** Y2: {@link #refreshToken} on {@code executor}; cancelling the future cancels the call. */
    public CompletableFuture<Token> refreshTokenAsync(Executor executor) {
        return async(executor, REFRESH);
    }

    /** A valid access token: the cached one, refreshed ahead of expiry, or a new login. */
    public String token() {
        return call(TOKEN);
    }

    /** A token: {@link #token} on the default executor; cancelling the future cancels the call. */
    public CompletableFuture<String> tokenAsync() {
        return async(defaultExecutor(), TOKEN);
    }

    /** A token: {@link #token} on {@code executor}; cancelling the future cancels the call. */
    public CompletableFuture<String> tokenAsync(Executor executor) {
        return async(executor, TOKEN);
    }

    /** Uses a token obtained elsewhere; it expires at its JWT {@code exp}, else in 10 minutes. */
    public void setToken(String token) {
        setToken(token, null);
    }

    /** Uses a token obtained elsewhere that expires at {@code expiresAt} ({@code null}: as {@link #setToken(String)}). */
    public void setToken(final String token, final Instant expiresAt) {
        with(c -> {
            Ffi.check(Ffi.LIB.tb_yativo_set_token(c, Ffi.cstr("token", token), Ffi.unixSeconds(expiresAt)), ParamNames.SET_TOKEN);
            return null;
        });
    }
}
