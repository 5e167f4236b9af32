package io.tokenbridge;

import com.sun.jna.Pointer;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Owns one library handle: many threads may use it at once (read lock); {@link #close()}
 * waits for them, frees the handle exactly once, and later use is an
 * {@link IllegalStateException} instead of a use-after-free.
 */
abstract class NativeHandle implements AutoCloseable {
    interface Op<T> {
        T apply(Pointer handle);
    }

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private Pointer handle;

    NativeHandle(Pointer handle) {
        if (handle == null) {
            throw new IllegalArgumentException("null handle");
        }
        this.handle = handle;
    }

    /** Frees the handle; called once, with no other use running. */
    abstract void free(Pointer handle);

    /** Runs {@code op} with the live handle. */
    final <T> T with(Op<T> op) {
        lock.readLock().lock();
        try {
            if (handle == null) {
                throw new IllegalStateException(getClass().getSimpleName() + " is closed");
            }
            return op.apply(handle);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Runs {@code op} with the live handle and no other use at the same time (for mutation). */
    final <T> T withExclusive(Op<T> op) {
        lock.writeLock().lock();
        try {
            if (handle == null) {
                throw new IllegalStateException(getClass().getSimpleName() + " is closed");
            }
            return op.apply(handle);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Whether {@link #close()} has run. */
    public final boolean isClosed() {
        lock.readLock().lock();
        try {
            return handle == null;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Frees the native handle; later calls do nothing. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (handle != null) {
                Pointer h = handle;
                handle = null;
                free(h);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
