package io.latchkey.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.latchkey.credential.oauth.RefreshScheduler;

/**
 * Time that moves only when a test says so, and a scheduler on that time: advancing the clock runs every task that
 * has come due, in order. Token lifetimes, refresh points and back-off are tested by ticking this, never by waiting.
 */
public final class ManualClock implements InstantSource, RefreshScheduler {

    private Instant now = Instant.parse("2026-11-26T10:00:00Z");
    private final List<Task> tasks = new ArrayList<>();

    private final class Task implements Cancellable {
        final Instant due;
        final Runnable action;
        boolean cancelled;

        Task(Instant due, Runnable action) {
            this.due = due;
            this.action = action;
        }

        @Override
        public void cancel() {
            synchronized (ManualClock.this) {
                cancelled = true;
                tasks.remove(this);
            }
        }
    }

    @Override
    public synchronized Instant instant() {
        return now;
    }

    @Override
    public synchronized Cancellable schedule(Duration delay, Runnable action) {
        Task task = new Task(now.plus(delay), action);
        tasks.add(task);
        return task;
    }

    /** Moves time forward, running each task as its time comes (tasks may schedule more). */
    public void advance(Duration duration) {
        Instant target;
        synchronized (this) {
            target = now.plus(duration);
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.stream().filter(t -> !t.due.isAfter(target)).min(Comparator.comparing(t -> t.due))
                        .orElse(null);
                if (next == null) {
                    now = target;
                    return;
                }
                tasks.remove(next);
                if (next.due.isAfter(now)) {
                    now = next.due;
                }
            }
            next.action.run();
        }
    }

    /** Scheduled tasks not yet run. */
    public synchronized int pending() {
        return tasks.size();
    }

    /** When the next task is due, or null. */
    public synchronized Instant nextDue() {
        return tasks.stream().map(t -> t.due).min(Comparator.naturalOrder()).orElse(null);
    }
}
