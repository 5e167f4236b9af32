package io.tokenbridge;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A uContact client ({@code tb_ucontact_client}): one connection pool, one set of
 * credentials, one cached session token. Safe to use from many threads at once.
 * {@link #close()} frees it (ending a live session first when
 * {@link Config#endSessionOnClose} is on); creating it sends nothing.
 * Failures throw {@link TokenBridgeException}.
 */
public final class UContactClient extends ClientHandle {

    private static final Api API = new Api() {
        @Override
        public int withOptions(Pointer client, Pointer opts, PointerByReference out) {
            return Ffi.LIB.tb_ucontact_client_with_options(client, opts, out);
        }

        @Override
        public int send(Pointer client, Pointer request, PointerByReference out) {
            return Ffi.LIB.tb_ucontact_send(client, request, out);
        }

        @Override
        public void free(Pointer client) {
            Ffi.LIB.tb_ucontact_client_free(client);
        }
    };

    private static final Op<String> GET_USER_TOKEN = c -> {
        PointerByReference out = new PointerByReference();
        Ffi.check(Ffi.LIB.tb_ucontact_get_user_token(c, out));
        return Ffi.takeString(out);
    };

    private static final Op<AgentProfile> AGENT_LOGIN = c -> {
        PointerByReference out = new PointerByReference();
        Ffi.check(Ffi.LIB.tb_ucontact_agent_login(c, out));
        return AgentProfile.take(out.getValue());
    };

    private static final Op<Void> END_SESSION = c -> {
        Ffi.check(Ffi.LIB.tb_ucontact_end_session(c));
        return null;
    };

    private static final Op<String> TOKEN = c -> {
        PointerByReference out = new PointerByReference();
        Ffi.check(Ffi.LIB.tb_ucontact_token(c, out));
        return Ffi.takeString(out);
    };

    /** How the credentials log in. */
    public enum LoginKind {
        /** An API user, with {@code getUserToken} ({@code TB_UCONTACT_LOGIN_API_USER}). */
        API_USER(0),
        /** An agent, with {@code AgentLogin} ({@code TB_UCONTACT_LOGIN_AGENT}). */
        AGENT(1);

        final int code;

        LoginKind(int code) {
            this.code = code;
        }
    }

    /**
     * @param config   settings, or {@code null} for the defaults
     * @param server   a cloud domain ({@code "mycompany"}) or a full URL
     * @param user     the API user or agent name
     * @param password its password
     * @param kind     how to log in
     */
    public UContactClient(Config config, final String server, final String user, final String password,
            final LoginKind kind) {
        super(Config.withOptional(config, cfg -> {
            PointerByReference out = new PointerByReference();
            Ffi.check(Ffi.LIB.tb_ucontact_client_new(cfg, Ffi.cstr("server", server), Ffi.cstr("user", user),
                    Ffi.cstr("password", password), Ffi.notNull("kind", kind).code, out), ParamNames.UCONTACT_NEW);
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
    public UContactClient withTimeout(Duration timeout) {
        return new UContactClient(this, timeout);
    }

    private UContactClient(UContactClient client, Duration timeout) {
        super(client, timeout);
    }

    /** A client for an API user (logs in with {@code getUserToken}). */
    public static UContactClient apiUser(Config config, String server, String user, String password) {
        return new UContactClient(config, server, user, password, LoginKind.API_USER);
    }

    /** A client for an agent (logs in with {@code AgentLogin}). */
    public static UContactClient agent(Config config, String server, String agent, String password) {
        return new UContactClient(config, server, agent, password, LoginKind.AGENT);
    }

    /** U1: logs the API user in ({@code getUserToken}) and returns the new session token (also cached). */
    public String getUserToken() {
        return call(GET_USER_TOKEN);
    }

    /** U1: {@link #getUserToken} on the default executor; cancelling the future cancels the call. */
    public CompletableFuture<String> getUserTokenAsync() {
        return async(defaultExecutor(), GET_USER_TOKEN);
    }

    /** U1: {@link #getUserToken} on {@code executor}; cancelling the future cancels the call. */
    public CompletableFuture<String> getUserTokenAsync(Executor executor) {
        return async(executor, GET_USER_TOKEN);
    }

    /** U2: logs the agent in ({@code AgentLogin}) and returns its profile; its token is cached. */
    public AgentProfile agentLogin() {
        return call(AGENT_LOGIN);
    }

    /** U2: {@link #agentLogin} on the default executor; cancelling the future cancels the call. */
    public CompletableFuture<AgentProfile> agentLoginAsync() {
        return async(defaultExecutor(), AGENT_LOGIN);
    }

    /** U2: {@link #agentLogin} on {@code executor}; cancelling the future cancels the call. */
    public CompletableFuture<AgentProfile> agentLoginAsync(Executor executor) {
        return async(executor, AGENT_LOGIN);
    }

    /** U3: ends the cached session ({@code EndSession}); does nothing without one. */
    public void endSession() {
        call(END_SESSION);
    }

    /** U3: {@link #endSession} on the default executor; cancelling the future cancels the call. */
    public CompletableFuture<Void> endSessionAsync() {
        return async(defaultExecutor(), END_SESSION);
    }

    /** U3: {@link #endSession} on {@code executor}; cancelling the future cancels the call. */
    public CompletableFuture<Void> endSessionAsync(Executor executor) {
        return async(executor, END_SESSION);
    }

    /** A valid session token: the cached one, or a new login. */
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

    /** Uses a token obtained elsewhere for the following calls. */
    public void setToken(final String token) {
        with(c -> {
            Ffi.check(Ffi.LIB.tb_ucontact_set_token(c, Ffi.cstr("token", token)));
            return null;
        });
    }
}
