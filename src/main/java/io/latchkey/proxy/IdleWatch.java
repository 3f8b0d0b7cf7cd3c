package io.latchkey.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import io.vertx.core.Context;

/**
 * Enforces the routes' {@code idleTimeout} for the exchanges waiting on upstreams from one event loop: a periodic
 * sweep over a list of exchanges and the time each last heard from its upstream.
 * <p>
 * This replaces Vert.x's timer per request, which schedules and cancels a timer (a boxed id, a map entry and a Netty
 * task) for every request and cost about 6% of the proxy's CPU at saturation. Here a request costs a few pointer
 * updates to join the list and to leave it. The price is precision: a silent exchange is cut between its timeout and
 * a quarter of that later (at most one second later).
 * <p>
 * Confined to its event loop: every method but {@link #close()} must be called on it, which is where the forwarder
 * runs.
 */
final class IdleWatch {

    static final long MIN_SWEEP_NANOS = 10_000_000L;
    static final long MAX_SWEEP_NANOS = 1_000_000_000L;

    /** Something watched for silence; the links make the list without allocating a node per request. */
    abstract static class Entry {
        private Entry prev;
        private Entry next;
        /** When the other side was last heard from, on the watch's clock. */
        long lastActivityNanos;
        /** Paused until the caller catches up: that is not the upstream's silence, so it does not count. */
        boolean waitingForCaller;

        abstract long idleTimeoutNanos();

        /** Runs once, on the event loop, when the entry has been silent for its timeout; it is no longer watched. */
        abstract void expire();
    }

    private static final class Head extends Entry {
        @Override
        long idleTimeoutNanos() {
            return Long.MAX_VALUE;
        }

        @Override
        void expire() {
        }
    }

    private final Context context;
    private final LongSupplier nanoClock;
    private final Entry head = new Head();
    private long sweepNanos = Long.MAX_VALUE;
    private long timer = -1;
    private boolean closed;

    /**
     * @param context a context of the event loop this watch serves; its sweeps run there
     * @param nanoClock the time that {@link Entry#lastActivityNanos} is read on
     */
    IdleWatch(Context context, LongSupplier nanoClock) {
        this.context = context;
        this.nanoClock = nanoClock;
        head.prev = head;
        head.next = head;
    }

    /**
     * Starts watching an entry, as heard from at the time given; does nothing if it is already watched or has no
     * timeout.
     *
     * @param heardNanos when the entry was last heard from, on the watch's clock: the caller has read it already (the
     *        forwarder, when it sent the request), and one read of the clock per request is enough
     */
    void watch(Entry entry, long heardNanos) {
        long timeout = entry.idleTimeoutNanos();
        if (closed || timeout <= 0 || entry.next != null) {
            return;
        }
        entry.lastActivityNanos = heardNanos;
        entry.waitingForCaller = false;
        Entry last = head.prev;
        entry.prev = last;
        entry.next = head;
        last.next = entry;
        head.prev = entry;
        long wanted = Math.max(MIN_SWEEP_NANOS, Math.min(MAX_SWEEP_NANOS, timeout / 4));
        if (wanted < sweepNanos) {
            reschedule(wanted);
        }
    }

    /** Stops watching; does nothing for an entry that is not watched. */
    static void forget(Entry entry) {
        Entry next = entry.next;
        if (next == null) {
            return;
        }
        Entry prev = entry.prev;
        prev.next = next;
        next.prev = prev;
        entry.prev = null;
        entry.next = null;
    }

    /** Expires every entry that has heard nothing for its timeout, and returns how many. */
    int sweep() {
        long now = nanoClock.getAsLong();
        List<Entry> expired = null;
        for (Entry e = head.next; e != head; e = e.next) {
            if (!e.waitingForCaller && now - e.lastActivityNanos >= e.idleTimeoutNanos()) {
                if (expired == null) {
                    expired = new ArrayList<>();
                }
                expired.add(e);
            }
        }
        if (expired == null) {
            return 0;
        }
        // Expire after the walk: expiring runs handlers that may unlink other entries (a caller connection closing).
        int count = 0;
        for (Entry e : expired) {
            if (e.next != null) {
                forget(e);
                e.expire();
                count++;
            }
        }
        return count;
    }

    /** How many entries are watched (walks the list; for tests and diagnostics). */
    int size() {
        int count = 0;
        for (Entry e = head.next; e != head; e = e.next) {
            count++;
        }
        return count;
    }

    /** Stops the sweeps, from any thread; entries still listed are left to their connections. */
    void close() {
        context.runOnContext(ignored -> {
            closed = true;
            if (timer >= 0) {
                context.owner().cancelTimer(timer);
                timer = -1;
            }
        });
    }

    private void reschedule(long nanos) {
        if (timer >= 0) {
            context.owner().cancelTimer(timer);
        }
        sweepNanos = nanos;
        timer = context.owner().setPeriodic(Math.max(1, nanos / 1_000_000), id -> sweep());
    }
}
