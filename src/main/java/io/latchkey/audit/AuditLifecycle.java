package io.latchkey.audit;

import java.util.Optional;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.latchkey.LatchkeyConfig;
import io.latchkey.database.DatabaseLifecycle;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Vertx;

/**
 * The audit trail as the application runs it: a {@link AuditWriter} flushed on a timer, and flushed once more at
 * shutdown (bounded), when the database and {@code latchkey.audit.enabled} allow; otherwise events go nowhere.
 */
@ApplicationScoped
public class AuditLifecycle {

    private static final Logger LOG = Logger.getLogger(AuditLifecycle.class);
    private static final long FINAL_FLUSH_SECONDS = 5;

    private final Optional<AuditWriter> writer;
    private final Vertx vertx;
    private final long timer;

    public AuditLifecycle(LatchkeyConfig config, DatabaseLifecycle database, MeterRegistry registry, Vertx vertx) {
        this.vertx = vertx;
        this.writer = database.get().filter(db -> config.audit().enabled())
                .map(db -> new AuditWriter(db, config.audit().bufferSize(), config.audit().batchSize(), registry));
        this.timer = writer.map(w -> vertx.setPeriodic(config.audit().flushInterval().toMillis(), id -> w.flush()))
                .orElse(-1L);
    }

    /** Where the proxy and the credentials send their events. */
    public AuditTrail trail() {
        return writer.<AuditTrail> map(w -> w).orElse(AuditTrail.NONE);
    }

    /** The trail as a bean, resolved once: the proxy records through it on every request, without a client proxy. */
    @Produces
    @Singleton
    AuditTrail producedTrail() {
        return trail();
    }

    /** The writer, when the audit trail is kept. */
    public Optional<AuditWriter> writer() {
        return writer;
    }

    /** After the proxy has drained (default priority), so the last requests' events are written too. */
    void onStop(@Observes @jakarta.annotation.Priority(3000) ShutdownEvent event) {
        writer.ifPresent(w -> {
            vertx.cancelTimer(timer);
            try {
                w.flush().toCompletableFuture().get(FINAL_FLUSH_SECONDS, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warnf("Audit trail: the final flush did not finish within %d s", FINAL_FLUSH_SECONDS);
            }
            w.close();
        });
    }
}
