package io.tokenbridge;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What the three clients share: the generic call with a {@link Request}, and the
 * asynchronous form of every operation.
 *
 * <p>An {@code ...Async} method runs the blocking native call on an {@link Executor}
 * (by default a cached pool of daemon threads named {@code tokenbridge-async-N}; not
 * {@code ForkJoinPool.commonPool()}, which is no place for blocking calls) through a
 * per-call handle ({@code tb_<api>_client_with_options}: the same connections and
 * token) that carries its own {@code tb_cancel_token}. When the returned future is
 * completed by anyone else before the call ends — {@code cancel(..)}, {@code complete},
 * {@code completeExceptionally} — the token is cancelled and the native call stops
 * within about 100 ms ({@code TB_CANCELLED}, dropped), its connection is dropped and
 * the client stays usable. {@link CompletableFuture#get()} of a cancelled future throws
 * {@link java.util.concurrent.CancellationException}, as for any future; nothing else
 * cancels a call, so a {@link TokenBridgeException} with {@link Status#CANCELLED} never
 * reaches the user. A timeout is a {@link TokenBridgeException} with
 * {@link Status#TIMEOUT}.
 *
 * <p>Deadlines: {@code withTimeout(Duration)} of each client gives a view of the same
 * client (the same connections, token and lifetime) whose every call, blocking or
 * {@code ...Async}, must end within that time from its start — its login or refresh,
 * retries and backoff included ({@code tb_call_options_set_deadline_ms}); past it the
 * call fails with {@link Status#TIMEOUT}. Each call runs on a per-call handle
 * ({@code tb_<api>_client_with_options}) freed when it ends, so the view holds no native
 * resource of its own: closing it does nothing; closing the client ends both.
 */
abstract class ClientHandle extends NativeHandle {
    private static final ExecutorService DEFAULT_EXECUTOR =
            Executors.newCachedThreadPool(Threads.daemon("tokenbridge-async"));

    /** {@code tb_<api>_client_with_options} and {@code tb_<api>_send} of one API. */
    interface Api {
        int withOptions(Pointer client, Pointer opts, PointerByReference out);

        int send(Pointer client, Pointer request, PointerByReference out);

        void free(Pointer client);
    }

    /** The longest deadline the library takes: 30 days. */
    private static final long MAX_DEADLINE_MS = 30L * 24 * 60 * 60 * 1000;

    private final Api api;
    /** The deadline of each call in milliseconds; 0 = none. */
    private final long deadlineMs;

    ClientHandle(Pointer handle, Api api) {
        super(handle, api::free);
        this.api = api;
        this.deadlineMs = 0;
    }

    /** A view of {@code client}'s handle whose calls have a deadline of {@code timeout} each. */
    ClientHandle(ClientHandle client, Duration timeout) {
        super(client);
        this.api = client.api;
        this.deadlineMs = deadlineMs(timeout);
    }

    /**
     * A timeout as the library's {@code deadline_ms} (rounded up to whole milliseconds);
     * {@code null}, zero, negative or more than 30 days is refused naming {@code timeout}.
     */
    private static long deadlineMs(Duration timeout) {
        Ffi.notNull("timeout", timeout);
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, not " + timeout);
        }
        if (timeout.compareTo(Duration.ofMillis(MAX_DEADLINE_MS)) > 0) {
            throw new IllegalArgumentException("timeout must be at most 30 days, not " + timeout);
        }
        long ms = timeout.toMillis();
        return timeout.equals(Duration.ofMillis(ms)) ? ms : ms + 1;
    }

    /** The deadline of each call of this client or view, or {@code null} for none (the default). */
    public final Duration getTimeout() {
        return deadlineMs == 0 ? null : Duration.ofMillis(deadlineMs);
    }

    /** Runs a blocking operation: on the handle itself, or (with a deadline) on a per-call handle. */
    final <T> T call(final Op<T> op) {
        if (deadlineMs == 0) {
            return with(op);
        }
        return with(c -> onCallHandle(c, api, deadlineMs, null, op));
    }

    /**
     * Runs {@code op} on a new handle of {@code client} ({@code tb_<api>_client_with_options})
     * with this deadline (0: none) and cancel token ({@code null}: none), then frees it.
     */
    static <T> T onCallHandle(Pointer client, Api api, long deadlineMs, Pointer cancelToken, Op<T> op) {
        Pointer opts = Ffi.LIB.tb_call_options_new();
        if (opts == null) {
            throw new OutOfMemoryError("tb_call_options_new returned NULL");
        }
        PointerByReference out = new PointerByReference();
        try {
            if (deadlineMs != 0) {
                Ffi.check(Ffi.LIB.tb_call_options_set_deadline_ms(opts, deadlineMs), ParamNames.DEADLINE);
            }
            if (cancelToken != null) {
                Ffi.check(Ffi.LIB.tb_call_options_set_cancel_token(opts, cancelToken));
            }
            Ffi.check(api.withOptions(client, opts, out));
        } finally {
            Ffi.LIB.tb_call_options_free(opts);
        }
        Pointer handle = out.getValue();
        try {
            return op.apply(handle);
        } finally {
            api.free(handle);
        }
    }

    /** The executor of the {@code ...Async} forms that take none. */
    static Executor defaultExecutor() {
        return DEFAULT_EXECUTOR;
    }

    /**
     * The generic call: sends {@code request} to any resource of the API, with the
     * client's authorization (logging in when needed, and once more after a 401) and
     * retries, and returns the answer whatever its HTTP status, but a 401 after a new
     * login ({@link Status#UNAUTHORIZED}).
     */
    public Response send(Request request) {
        return call(sendOp(request));
    }

    /** {@link #send} on the default executor; cancelling the future cancels the call. */
    public CompletableFuture<Response> sendAsync(Request request) {
        return async(defaultExecutor(), sendOp(request));
    }

    /** {@link #send} on {@code executor}; cancelling the future cancels the call. */
    public CompletableFuture<Response> sendAsync(Request request, Executor executor) {
        return async(executor, sendOp(request));
    }

    private Op<Response> sendOp(Request request) {
        final Request r = Ffi.notNull("request", request);
        return c -> r.send(c, api);
    }

    /** The one asynchronous path: {@code op} on a per-call handle with its own cancel token. */
    final <T> CompletableFuture<T> async(Executor executor, final Op<T> op) {
        Ffi.notNull("executor", executor);
        final CancelToken token = new CancelToken();
        final CompletableFuture<T> future = new CompletableFuture<T>();
        // Any completion but the worker's own (which frees the token first) cancels the call.
        future.whenComplete((value, error) -> token.cancel());
        try {
            executor.execute(() -> {
                try {
                    if (future.isDone()) {
                        return;
                    }
                    T value = with(c -> token.run(c, api, deadlineMs, op));
                    token.free();
                    future.complete(value);
                } catch (Throwable t) {
                    token.free();
                    future.completeExceptionally(t);
                } finally {
                    token.free();
                }
            });
        } catch (RuntimeException e) {
            token.free();
            future.completeExceptionally(e);
        }
        return future;
    }

    /** A {@code tb_cancel_token} that may be cancelled from any thread until it is freed. */
    private static final class CancelToken {
        private Pointer token;

        CancelToken() {
            token = Ffi.LIB.tb_cancel_token_new();
            if (token == null) {
                throw new OutOfMemoryError("tb_cancel_token_new returned NULL");
            }
        }

        synchronized void cancel() {
            if (token != null) {
                Ffi.LIB.tb_cancel_token_cancel(token);
            }
        }

        synchronized void free() {
            if (token != null) {
                Ffi.LIB.tb_cancel_token_free(token);
                token = null;
            }
        }

        private synchronized Pointer get() {
            if (token == null) {
                throw new IllegalStateException("the cancel token is freed");
            }
            return token;
        }

        /** Runs {@code op} on a handle of {@code client} whose calls watch this token (and the deadline). */
        <T> T run(Pointer client, Api api, long deadlineMs, Op<T> op) {
            return onCallHandle(client, api, deadlineMs, get(), op);
        }
    }
}
