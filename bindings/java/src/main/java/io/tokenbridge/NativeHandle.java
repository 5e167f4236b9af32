package io.tokenbridge;

import com.sun.jna.Pointer;

import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Owns one library handle: many threads may use it at once (read lock); {@link #close()}
 * waits for them, frees the handle exactly once, and later use is an
 * {@link IllegalStateException} instead of a use-after-free.
 *
 * <p>A handle that is never closed is still freed: once the object is unreachable, a
 * daemon thread ({@code tokenbridge-cleaner}, watching a {@link ReferenceQueue} of
 * {@link PhantomReference}s: Java 8 has no {@code Cleaner}) logs a {@link Level#WARNING}
 * to the {@code "tokenbridge"} logger and hands the free to another daemon thread
 * ({@code tokenbridge-free}), because freeing a uContact client may send
 * {@code EndSession} over the network. Neither the garbage collector nor a runtime
 * thread ever waits for the network.
 */
abstract class NativeHandle implements AutoCloseable {
    interface Op<T> {
        T apply(Pointer handle);
    }

    /** How a handle is freed; must not refer to the {@link NativeHandle} (or it never becomes unreachable). */
    interface Free {
        void free(Pointer handle);
    }

    /** The handle and its lock, shared with the {@link Cleanup} that frees a forgotten one. */
    private static final class State {
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        final Free free;
        final String kind;
        Pointer handle;

        State(Pointer handle, Free free, String kind) {
            this.handle = handle;
            this.free = free;
            this.kind = kind;
        }

        /** Frees the handle unless already freed; waits for calls in flight. */
        void free() {
            lock.writeLock().lock();
            try {
                if (handle != null) {
                    Pointer h = handle;
                    handle = null;
                    free.free(h);
                }
            } finally {
                lock.writeLock().unlock();
            }
        }
    }

    private static final class Cleanup extends PhantomReference<NativeHandle> {
        final State state;

        Cleanup(NativeHandle referent, State state) {
            super(referent, QUEUE);
            this.state = state;
        }
    }

    static final Logger LOG = Logger.getLogger("tokenbridge");
    private static final ReferenceQueue<NativeHandle> QUEUE = new ReferenceQueue<NativeHandle>();
    /** Keeps each {@link Cleanup} reachable until it has run or its handle was closed. */
    private static final Set<Cleanup> LIVE = Collections.newSetFromMap(new ConcurrentHashMap<Cleanup, Boolean>());
    private static final ExecutorService FREER = Executors.newSingleThreadExecutor(Threads.daemon("tokenbridge-free"));

    static {
        Thread t = Threads.daemon("tokenbridge-cleaner").newThread(NativeHandle::cleanForgotten);
        t.start();
    }

    private static void cleanForgotten() {
        while (true) {
            try {
                final Cleanup c = (Cleanup) QUEUE.remove();
                if (!LIVE.remove(c)) {
                    continue; // closed meanwhile
                }
                LOG.warning("a " + c.state.kind + " was not closed; freeing its native handle in the background"
                        + " (close it, e.g. with try-with-resources)");
                FREER.execute(() -> {
                    try {
                        c.state.free();
                    } catch (Throwable t) {
                        LOG.log(Level.WARNING, "freeing a forgotten " + c.state.kind + " failed", t);
                    }
                });
            } catch (InterruptedException e) {
                return;
            } catch (Throwable t) {
                try {
                    LOG.log(Level.WARNING, "tokenbridge-cleaner", t);
                } catch (Throwable ignored) {
                    // never let the cleaner die of its own logging
                }
            }
        }
    }

    private final State state;
    private final Cleanup cleanup;
    /** For a view, the object that owns the handle (kept reachable by the view); else {@code null}. */
    private final NativeHandle owner;

    NativeHandle(Pointer handle, Free free) {
        if (handle == null) {
            throw new IllegalArgumentException("null handle");
        }
        this.state = new State(handle, free, getClass().getSimpleName());
        this.cleanup = new Cleanup(this, state);
        this.owner = null;
        LIVE.add(cleanup);
    }

    /**
     * A view of {@code other}'s handle: the same handle and lock, owned by
     * {@code other}'s owner, which the view keeps reachable (so it is not freed while
     * the view is in use); {@link #close()} of a view does nothing.
     */
    NativeHandle(NativeHandle other) {
        this.owner = other.owner != null ? other.owner : other;
        this.state = owner.state;
        this.cleanup = null;
    }

    /** Whether this is a view of another object's handle. */
    final boolean isView() {
        return owner != null;
    }

    /** Runs {@code op} with the live handle. */
    final <T> T with(Op<T> op) {
        state.lock.readLock().lock();
        try {
            if (state.handle == null) {
                throw new IllegalStateException(state.kind + " is closed");
            }
            return op.apply(state.handle);
        } finally {
            state.lock.readLock().unlock();
        }
    }

    /** Runs {@code op} with the live handle and no other use at the same time (for mutation). */
    final <T> T withExclusive(Op<T> op) {
        state.lock.writeLock().lock();
        try {
            if (state.handle == null) {
                throw new IllegalStateException(state.kind + " is closed");
            }
            return op.apply(state.handle);
        } finally {
            state.lock.writeLock().unlock();
        }
    }

    /** Whether {@link #close()} has run. */
    public final boolean isClosed() {
        state.lock.readLock().lock();
        try {
            return state.handle == null;
        } finally {
            state.lock.readLock().unlock();
        }
    }

    /**
     * Frees the native handle (waiting for calls in flight); later calls do nothing. On
     * a view (e.g. {@code withTimeout}) it does nothing: the handle is its owner's.
     */
    @Override
    public void close() {
        if (owner != null) {
            return;
        }
        LIVE.remove(cleanup);
        cleanup.clear();
        state.free();
    }
}
