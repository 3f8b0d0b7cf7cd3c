package io.latchkey.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import io.latchkey.database.Database;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * The audit trail's buffer and batching writer. Recording is a lock-free enqueue on the request path; a timer writes
 * what is queued in batches, one transaction each. While the database is down, events wait in memory up to
 * {@code bufferSize}; a batch that failed is kept and written first once the database is back. Events that do not
 * fit are dropped, counted ({@code latchkey_audit_dropped_total}) and logged at the next flush: never silently.
 */
public final class AuditWriter implements AuditTrail, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(AuditWriter.class);

    private final Database database;
    private final int capacity;
    private final int batchSize;
    private final Queue<AuditEvent> queue = new ConcurrentLinkedQueue<>();
    /** Events queued or in the batch being written; never above {@code capacity}. */
    private final AtomicInteger held = new AtomicInteger();
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicLong droppedSinceLog = new AtomicLong();
    private final Counter dropped;
    private final Counter written;
    /** A batch the database refused or did not answer for; written before anything newer. */
    private volatile List<AuditEvent> pending;

    public AuditWriter(Database database, int capacity, int batchSize, MeterRegistry registry) {
        this.database = database;
        this.capacity = capacity;
        this.batchSize = batchSize;
        this.dropped = Counter.builder("latchkey.audit.dropped").description("Audit events dropped: buffer full")
                .register(registry);
        this.written = Counter.builder("latchkey.audit.written").description("Audit events written to the database")
                .register(registry);
        Gauge.builder("latchkey.audit.queue.depth", held, AtomicInteger::get)
                .description("Audit events waiting to be written").register(registry);
    }

    @Override
    public void record(AuditEvent event) {
        if (held.incrementAndGet() > capacity) {
            held.decrementAndGet();
            dropped.increment();
            droppedSinceLog.incrementAndGet();
            return;
        }
        queue.offer(event);
    }

    /** Events waiting to be written. */
    public int depth() {
        return held.get();
    }

    /**
     * Writes what is queued, batch after batch, until the queue is empty or a write fails. Overlapping calls return
     * at once: one writer at a time keeps events in order.
     *
     * @return completes when this flush is over (successfully or not)
     */
    public CompletionStage<Void> flush() {
        reportDrops();
        if (!database.available() || !writing.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        writeNext(done);
        return done;
    }

    private void writeNext(CompletableFuture<Void> done) {
        List<AuditEvent> batch = pending != null ? pending : drain();
        if (batch.isEmpty()) {
            writing.set(false);
            done.complete(null);
            return;
        }
        pending = batch;
        database.run(() -> Panache.withTransaction(() -> persist(batch))).whenComplete((ok, error) -> {
            if (error == null) {
                pending = null;
                held.addAndGet(-batch.size());
                written.increment(batch.size());
                writeNext(done);
            } else {
                LOG.warnf("Audit trail: writing %d events failed (%s); they are kept and written when the database"
                        + " answers", batch.size(), error.getClass().getSimpleName());
                writing.set(false);
                done.complete(null);
            }
        });
    }

    private static Uni<Void> persist(List<AuditEvent> batch) {
        List<AuditEventEntity> entities = new ArrayList<>(batch.size());
        for (AuditEvent event : batch) {
            entities.add(AuditEventEntity.of(event));
        }
        return AuditEventEntity.persist(entities);
    }

    private List<AuditEvent> drain() {
        List<AuditEvent> batch = new ArrayList<>(Math.min(batchSize, Math.max(1, held.get())));
        AuditEvent event;
        while (batch.size() < batchSize && (event = queue.poll()) != null) {
            batch.add(event);
        }
        return batch;
    }

    private void reportDrops() {
        long lost = droppedSinceLog.getAndSet(0);
        if (lost > 0) {
            LOG.warnf("Audit trail: %d events dropped because %d were already waiting for the database (%s)", lost,
                    capacity, database.problem().orElse("writes are slower than requests"));
        }
    }

    @Override
    public void close() {
        reportDrops();
        int left = held.get();
        if (left > 0) {
            LOG.warnf("Audit trail: %d events were not written before shutdown", left);
        }
    }
}
