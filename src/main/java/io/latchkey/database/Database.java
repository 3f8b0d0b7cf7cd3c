package io.latchkey.database;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.core.runtime.context.VertxContextSafetyToggle;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * Latchkey's PostgreSQL: the schema (Flyway migrations, applied by Latchkey rather than at Quarkus start-up so that
 * an unreachable database never stops the proxy), whether it is reachable now, and a way to run Hibernate Reactive
 * work from anywhere. Until the migrations have been applied every call fails fast with
 * {@link DatabaseUnavailableException}; attempts repeat with back-off and whoever waits for the database is told
 * when it arrives.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Database.class);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);

    private final Vertx vertx;
    private final Supplier<Flyway> flyway;
    private final Duration retryCap;
    private final List<Runnable> onAvailable = new CopyOnWriteArrayList<>();
    private volatile boolean migrated;
    private volatile String problem = "not connected yet";
    private volatile boolean closed;
    private volatile long retryTimer = -1;
    private Duration nextRetry = FIRST_RETRY;
    private final CompletableFuture<Void> firstAttempt = new CompletableFuture<>();

    public Database(Vertx vertx, Supplier<Flyway> flyway, Duration retryCap) {
        this.vertx = vertx;
        this.flyway = flyway;
        this.retryCap = retryCap;
    }

    /**
     * Starts applying the migrations in the background (so that start-up never waits for a database it may not
     * need), and keeps trying after a failure.
     */
    public void start() {
        attempt().onComplete(done -> firstAttempt.complete(null));
    }

    /** One try at the migrations, on a worker thread; a failed one plans the next. */
    private Future<Boolean> attempt() {
        return vertx.executeBlocking(this::migrate, false).onComplete(done -> {
            if (done.failed() || !done.result()) {
                scheduleRetry();
            }
        });
    }

    /** Waits (bounded) until the first attempt to reach the database has succeeded or failed. */
    public void awaitFirstAttempt(Duration timeout) {
        try {
            firstAttempt.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warnf("The database did not answer within %d s; continuing without it", timeout.toSeconds());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // start() never fails the first attempt; nothing to report
        }
    }

    private boolean migrate() {
        try {
            var result = flyway.get().migrate();
            if (result.migrationsExecuted > 0) {
                LOG.infof("Database schema migrated to version %s (%d migrations)", result.targetSchemaVersion,
                        result.migrationsExecuted);
            }
            migrated = true;
            succeeded();
            LOG.info("Database available: audit trail and db: secrets are kept in PostgreSQL");
            onAvailable.forEach(Runnable::run);
            return true;
        } catch (RuntimeException e) {
            failed(e);
            LOG.warnf("Database unreachable (%s); the proxy serves without it and retries in %d ms", problem,
                    nextRetry.toMillis());
            return false;
        }
    }

    private void scheduleRetry() {
        if (closed) {
            return;
        }
        Duration delay = nextRetry;
        nextRetry = nextRetry.multipliedBy(2).compareTo(retryCap) > 0 ? retryCap : nextRetry.multipliedBy(2);
        retryTimer = vertx.setTimer(Math.max(1, delay.toMillis()), id -> attempt());
    }

    /** Runs when the schema is in place: now, if it already is. */
    public void whenAvailable(Runnable action) {
        onAvailable.add(action);
        if (migrated) {
            action.run();
        }
    }

    /** Whether the schema is in place; the database may still fail a given call. */
    public boolean available() {
        return migrated;
    }

    /**
     * Runs Hibernate Reactive work on a fresh duplicated Vert.x context (its session lives there), from any thread.
     * Records whether the database answered.
     */
    public <T> CompletionStage<T> run(Supplier<Uni<T>> work) {
        if (!migrated) {
            return CompletableFuture.failedFuture(new DatabaseUnavailableException(problem));
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
        VertxContextSafetyToggle.setContextSafe(context, true);
        context.runOnContext(ignored -> {
            Uni<T> uni;
            try {
                uni = work.get();
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return;
            }
            uni.subscribe().with(value -> {
                succeeded();
                result.complete(value);
            }, error -> {
                if (DatabaseFailures.isConnectionProblem(error)) {
                    failed(error);
                }
                result.completeExceptionally(error);
            });
        });
        return result;
    }

    /**
     * Runs {@code work} while holding a PostgreSQL advisory lock named {@code key}, which every replica sharing this
     * database sees. The lock belongs to a transaction, so it is released when the work ends, and also if this
     * process dies or loses its connection meanwhile. Waiting for it is bounded by {@code timeout}.
     */
    public <T> CompletionStage<T> withAdvisoryLock(String key, Duration timeout, Supplier<CompletionStage<T>> work) {
        return run(() -> {
            Context context = Vertx.currentContext();
            // The session must be used from its own context: bring the work's result back there before commit.
            Executor back = task -> context.runOnContext(ignored -> task.run());
            return Panache.withTransaction(() -> Panache.getSession().chain(session -> session
                    .createNativeQuery("select set_config('lock_timeout', :timeout, true)", String.class)
                    .setParameter("timeout", timeout.toMillis() + "ms").getSingleResult()
                    .chain(() -> session.createNativeQuery(
                            "select 1 from pg_advisory_xact_lock(hashtextextended(:key, 0))", Integer.class)
                            .setParameter("key", key).getSingleResult())
                    .chain(() -> Uni.createFrom().completionStage(work).emitOn(back))));
        });
    }

    private void succeeded() {
        problem = null;
    }

    private void failed(Throwable error) {
        problem = DatabaseFailures.describe(error);
    }

    /** Why the database is not usable now, or empty when its last call succeeded. */
    public Optional<String> problem() {
        return Optional.ofNullable(problem).map(p -> migrated ? p : "schema not applied: " + p);
    }

    @Override
    public void close() {
        closed = true;
        if (retryTimer >= 0) {
            vertx.cancelTimer(retryTimer);
        }
    }
}
