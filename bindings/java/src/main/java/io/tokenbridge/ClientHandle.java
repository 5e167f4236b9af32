package io.tokenbridge;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

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

    private final Api api;

    ClientHandle(Pointer handle, Api api) {
        super(handle, api::free);
        this.api = api;
    }

    /** The executor of the {@code ...Async} forms that take none. */
    static Executor defaultExecutor() {
        return DEFAULT_EXECUTOR;
    }

    /**
     * Sends {@code request} (authorization, logins, the 401 re-login and retries as for
     * {@code call}) and returns the answer, whatever its HTTP status but a 401 after a
     * new login ({@link Status#UNAUTHORIZED}).
     */
    public Response send(Request request) {
        return with(sendOp(request));
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
                    T value = with(c -> token.run(c, api, op));
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

        /** Runs {@code op} on a handle of {@code client} whose calls watch this token. */
        <T> T run(Pointer client, Api api, Op<T> op) {
            Pointer opts = Ffi.LIB.tb_call_options_new();
            if (opts == null) {
                throw new OutOfMemoryError("tb_call_options_new returned NULL");
            }
            PointerByReference out = new PointerByReference();
            try {
                Ffi.check(Ffi.LIB.tb_call_options_set_cancel_token(opts, get()));
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
    }
}
