package io.tokenbridge;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * An AnnA Corporate (User V3) client ({@code tb_anna_client}): one connection pool,
 * one company login, one cached token. Safe to use from many threads at once;
 * creating it sends nothing. Failures throw {@link TokenBridgeException}; an unknown
 * or inactive user is {@link Status#REJECTED} with AnnA's message.
 */
public final class AnnaClient extends ClientHandle {

    private static final Api API = new Api() {
        @Override
        public int withOptions(Pointer client, Pointer opts, PointerByReference out) {
            return Ffi.LIB.tb_anna_client_with_options(client, opts, out);
        }

        @Override
        public int send(Pointer client, Pointer request, PointerByReference out) {
            return Ffi.LIB.tb_anna_send(client, request, out);
        }

        @Override
        public void free(Pointer client) {
            Ffi.LIB.tb_anna_client_free(client);
        }
    };

    private static final Op<Token> GET_TOKEN = c -> Ffi.token(c, Ffi.LIB::tb_anna_get_token);

    private static final Op<MessengerStructure> STRUCTURE = c -> {
        PointerByReference out = new PointerByReference();
        Ffi.check(Ffi.LIB.tb_anna_messenger_structure(c, out));
        return MessengerStructure.take(out.getValue());
    };

    private static final Op<String> TOKEN = c -> {
        PointerByReference out = new PointerByReference();
        Ffi.check(Ffi.LIB.tb_anna_token(c, out));
        return Ffi.takeString(out);
    };

    /** C parameter names of the user selection and filter → the Java ones. */

    /**
     * @param config      settings, or {@code null} for the defaults
     * @param baseUrl     the AnnA server's base URL
     * @param companyHash the company hash
     * @param user        the integration user
     * @param password    its password
     */
    public AnnaClient(Config config, final String baseUrl, final String companyHash, final String user,
            final String password) {
        super(Config.withOptional(config, cfg -> {
            PointerByReference out = new PointerByReference();
            Ffi.check(Ffi.LIB.tb_anna_client_new(cfg, Ffi.cstr("baseUrl", baseUrl),
                    Ffi.cstr("companyHash", companyHash), Ffi.cstr("user", user), Ffi.cstr("password", password), out),
                    ParamNames.ANNA_NEW);
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
    public AnnaClient withTimeout(Duration timeout) {
        return new AnnaClient(this, timeout);
    }

    private AnnaClient(AnnaClient client, Duration timeout) {
        super(client, timeout);
    }

    /** A1: gets a new token ({@code GetToken}), also cached. */
    public Token getToken() {
        return call(GET_TOKEN);
    }

    /** A1: {@link #getToken} on the default executor; cancelling the future cancels the call. */
    public CompletableFuture<Token> getTokenAsync() {
        return async(defaultExecutor(), GET_TOKEN);
    }

    /** A1: {@link #getToken} on {@code executor}; cancelling the future cancels the call. */
    public CompletableFuture<Token> getTokenAsync(Executor executor) {
        return async(executor, GET_TOKEN);
    }

    /** A2: the user's chat access ({@code UserHash}); {@code startService} may be {@code null}. */
    public AccessData userHash(String userId, String startService) {
        return call(userHashOp(userId, startService));
    }

    /** A2: {@link #userHash} on the default executor; cancelling the future cancels the call. */
    public CompletableFuture<AccessData> userHashAsync(String userId, String startService) {
        return async(defaultExecutor(), userHashOp(userId, startService));
    }

    /** A2: {@link #userHash} on {@code executor}; cancelling the future cancels the call. */
    public CompletableFuture<AccessData> userHashAsync(String userId, String startService, Executor executor) {
        return async(executor, userHashOp(userId, startService));
    }

    private static Op<AccessData> userHashOp(String userId, String startService) {
        final byte[] id = Ffi.cstr("userId", userId);
        final byte[] service = Ffi.optCstr("startService", startService);
        return c -> {
            PointerByReference out = new PointerByReference();
            Ffi.check(Ffi.LIB.tb_anna_user_hash(c, id, service, out), ParamNames.USER_HASH);
            return AccessData.take(out.getValue());
        };
    }

    /**
     * A3: the user's chat access, creating or re-activating the user
     * ({@code UserHashForced}); {@code startService} may be {@code null}.
     */
    public AccessData userHashForced(String userId, String userName, String startService) {
        return call(userHashForcedOp(userId, userName, startService));
    }

    /** A3: {@link #userHashForced} on the default executor; cancelling the future cancels the call. */
    public CompletableFuture<AccessData> userHashForcedAsync(String userId, String userName, String startService) {
        return async(defaultExecutor(), userHashForcedOp(userId, userName, startService));
    }

    /** A3: {@link #userHashForced} on {@code executor}; cancelling the future cancels the call. */
    public CompletableFuture<AccessData> userHashForcedAsync(String userId, String userName, String startService, Executor executor) {
        return async(executor, userHashForcedOp(userId, userName, startService));
    }

    private static Op<AccessData> userHashForcedOp(String userId, String userName, String startService) {
        final byte[] id = Ffi.cstr("userId", userId);
        final byte[] name = Ffi.cstr("userName", userName);
        final byte[] service = Ffi.optCstr("startService", startService);
        return c -> {
            PointerByReference out = new PointerByReference();
            Ffi.check(Ffi.LIB.tb_anna_user_hash_forced(c, id, name, service, out), ParamNames.USER_HASH_FORCED);
            return AccessData.take(out.getValue());
        };
    }

    /** A4: inactivates the user; returns AnnA's message ({@code null} when it sent none). */
    public String inactivateUser(String userId) {
        return call(inactivateOp(userId));
    }

    /** A4: {@link #inactivateUser} on the default executor; cancelling the future cancels the call. */
    public CompletableFuture<String> inactivateUserAsync(String userId) {
        return async(defaultExecutor(), inactivateOp(userId));
    }

    /** A4: {@link #inactivateUser} on {@code executor}; cancelling the future cancels the call. */
    public CompletableFuture<String> inactivateUserAsync(String userId, Executor executor) {
        return async(executor, inactivateOp(userId));
    }

    private static Op<String> inactivateOp(String userId) {
        final byte[] id = Ffi.cstr("userId", userId);
        return c -> {
            PointerByReference out = new PointerByReference();
            Ffi.check(Ffi.LIB.tb_anna_inactivate_user(c, id, out), ParamNames.INACTIVATE_USER);
            return Ffi.takeString(out);
        };
    }

    /** A5: the company's departments and channels. */
    public MessengerStructure messengerStructure() {
        return call(STRUCTURE);
    }

    /** A5: {@link #messengerStructure} on the default executor; cancelling the future cancels the call. */
    public CompletableFuture<MessengerStructure> messengerStructureAsync() {
        return async(defaultExecutor(), STRUCTURE);
    }

    /** A5: {@link #messengerStructure} on {@code executor}; cancelling the future cancels the call. */
    public CompletableFuture<MessengerStructure> messengerStructureAsync(Executor executor) {
        return async(executor, STRUCTURE);
    }

    /** A6: how many of the user's requests match {@code filter} ({@code null}: all). */
    public long messengerAlertCounter(AnnaUser user, MessengerFilter filter) {
        return call(alertCounterOp(user, filter));
    }

    /** A6: {@link #messengerAlertCounter} on the default executor; cancelling the future cancels the call. */
    public CompletableFuture<Long> messengerAlertCounterAsync(AnnaUser user, MessengerFilter filter) {
        return async(defaultExecutor(), alertCounterOp(user, filter));
    }

    /** A6: {@link #messengerAlertCounter} on {@code executor}; cancelling the future cancels the call. */
    public CompletableFuture<Long> messengerAlertCounterAsync(AnnaUser user, MessengerFilter filter, Executor executor) {
        return async(executor, alertCounterOp(user, filter));
    }

    private static Op<Long> alertCounterOp(AnnaUser user, MessengerFilter filter) {
        final byte[][] u = userArgs(user);
        final MessengerFilter f = filter == null ? null : filter.copy();
        return c -> withFilter(f, nativeFilter -> {
            long[] out = new long[1];
            Ffi.check(Direct.tb_anna_messenger_alert_counter(c, u[0], u[1], u[2], nativeFilter, out), ParamNames.MESSENGER_USER);
            return out[0];
        });
    }

    /** A7: the user's requests matching {@code filter} ({@code null}: all). */
    public MessengerRequests messengerRequests(AnnaUser user, MessengerFilter filter) {
        return call(requestsOp(user, filter));
    }

    /** A7: {@link #messengerRequests} on the default executor; cancelling the future cancels the call. */
    public CompletableFuture<MessengerRequests> messengerRequestsAsync(AnnaUser user, MessengerFilter filter) {
        return async(defaultExecutor(), requestsOp(user, filter));
    }

    /** A7: {@link #messengerRequests} on {@code executor}; cancelling the future cancels the call. */
    public CompletableFuture<MessengerRequests> messengerRequestsAsync(AnnaUser user, MessengerFilter filter, Executor executor) {
        return async(executor, requestsOp(user, filter));
    }

    private static Op<MessengerRequests> requestsOp(AnnaUser user, MessengerFilter filter) {
        final byte[][] u = userArgs(user);
        final MessengerFilter f = filter == null ? null : filter.copy();
        return c -> withFilter(f, nativeFilter -> {
            PointerByReference out = new PointerByReference();
            Ffi.check(Ffi.LIB.tb_anna_messenger_requests(c, u[0], u[1], u[2], nativeFilter, out), ParamNames.MESSENGER_USER);
            return MessengerRequests.take(out.getValue());
        });
    }

    /** A8: the link to the user's messenger. */
    public String messengerLink(AnnaUser user) {
        return call(linkOp(user));
    }

    /** A8: {@link #messengerLink} on the default executor; cancelling the future cancels the call. */
    public CompletableFuture<String> messengerLinkAsync(AnnaUser user) {
        return async(defaultExecutor(), linkOp(user));
    }

    /** A8: {@link #messengerLink} on {@code executor}; cancelling the future cancels the call. */
    public CompletableFuture<String> messengerLinkAsync(AnnaUser user, Executor executor) {
        return async(executor, linkOp(user));
    }

    private static Op<String> linkOp(AnnaUser user) {
        final byte[][] u = userArgs(user);
        return c -> {
            PointerByReference out = new PointerByReference();
            Ffi.check(Ffi.LIB.tb_anna_messenger_link(c, u[0], u[1], u[2], out), ParamNames.MESSENGER_USER);
            return Ffi.takeString(out);
        };
    }

    private static byte[][] userArgs(AnnaUser user) {
        Ffi.notNull("user", user);
        return new byte[][] {Ffi.optCstr("userId", user.userId), Ffi.optCstr("docType", user.docType),
            Ffi.optCstr("docValue", user.docValue)};
    }

    /** Runs {@code op} with {@code filter} as a native filter (NULL for {@code null}), freed after. */
    private static <T> T withFilter(MessengerFilter filter, Op<T> op) {
        Pointer f = filter == null ? null : filter.build();
        try {
            return op.apply(f);
        } finally {
            if (f != null) {
                Ffi.LIB.tb_messenger_filter_free(f);
            }
        }
    }

    /** A valid token: the cached one, or a new one ahead of expiry. */
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

    /** Uses a token obtained elsewhere; it expires at its JWT {@code exp}, else when the server says 401. */
    public void setToken(String token) {
        setToken(token, null);
    }

    /** Uses a token obtained elsewhere that expires at {@code expiresAt} ({@code null}: as {@link #setToken(String)}). */
    public void setToken(final String token, final Instant expiresAt) {
        with(c -> {
            Ffi.check(Ffi.LIB.tb_anna_set_token(c, Ffi.cstr("token", token), Ffi.unixSeconds(expiresAt)), ParamNames.SET_TOKEN);
            return null;
        });
    }
}
