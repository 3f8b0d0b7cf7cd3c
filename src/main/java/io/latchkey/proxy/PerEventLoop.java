package io.latchkey.proxy;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

import io.netty.util.concurrent.FastThreadLocal;

/**
 * One object per event loop, made on that loop the first time it is needed and used there without a lock, and all of
 * them closed together from any thread. One made after {@link #close()} is closed at once, so a request racing the
 * shutdown cannot leave one behind.
 */
final class PerEventLoop<T> {

    private final FastThreadLocal<T> ofThisLoop = new FastThreadLocal<>();
    private final Queue<T> all = new ConcurrentLinkedQueue<>();
    private final Consumer<T> closer;
    private volatile boolean closed;

    /** @param closer closes one object; called from any thread */
    PerEventLoop(Consumer<T> closer) {
        this.closer = closer;
    }

    /** This event loop's object; null before {@link #add} on this loop. */
    T get() {
        return ofThisLoop.get();
    }

    /** Makes {@code made} this event loop's object and returns it. */
    T add(T made) {
        ofThisLoop.set(made);
        all.add(made);
        if (closed) {
            closer.accept(made);
        }
        return made;
    }

    /** The sum of {@code count} over every event loop's object, from any thread (a gauge's reading). */
    int sum(ToIntFunction<T> count) {
        int sum = 0;
        for (T made : all) {
            sum += count.applyAsInt(made);
        }
        return sum;
    }

    void close() {
        closed = true;
        for (T made = all.poll(); made != null; made = all.poll()) {
            closer.accept(made);
        }
    }
}
