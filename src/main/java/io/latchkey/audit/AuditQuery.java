package io.latchkey.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import io.latchkey.database.Database;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;

/** Reads the audit trail back: a time range, optionally one route or credential, newest first, a page at a time. */
public final class AuditQuery {

    public static final int MAX_PAGE_SIZE = 500;

    /** What to look for; {@code from} inclusive, {@code to} exclusive. */
    public record Filter(Instant from, Instant to, Optional<String> route, Optional<String> credential, int page,
            int size) {

        public Filter {
            if (!from.isBefore(to)) {
                throw new IllegalArgumentException("from must be before to");
            }
            if (page < 0) {
                throw new IllegalArgumentException("page starts at 0");
            }
            if (size < 1 || size > MAX_PAGE_SIZE) {
                throw new IllegalArgumentException("size must be between 1 and " + MAX_PAGE_SIZE);
            }
        }
    }

    /** One page; {@code hasMore} says whether the next page holds anything. */
    public record Result(List<AuditEvent> events, int page, int size, boolean hasMore) {
    }

    private final Database database;

    public AuditQuery(Database database) {
        this.database = database;
    }

    public CompletionStage<Result> find(Filter filter) {
        StringBuilder where = new StringBuilder("occurredAt >= :from and occurredAt < :to");
        Parameters bound = Parameters.with("from", filter.from()).and("to", filter.to());
        filter.route().ifPresent(route -> {
            where.append(" and route = :route");
            bound.and("route", route);
        });
        filter.credential().ifPresent(credential -> {
            where.append(" and credential = :credential");
            bound.and("credential", credential);
        });
        // One more than a page tells whether another page follows without counting the whole range.
        return database.run(() -> Panache.withSession(() -> AuditEventEntity
                .<AuditEventEntity> find(where.toString(), Sort.descending("occurredAt", "id"), bound)
                .range(filter.page() * filter.size(), filter.page() * filter.size() + filter.size())
                .list()))
                .thenApply(rows -> {
                    boolean more = rows.size() > filter.size();
                    List<AuditEvent> events = new ArrayList<>(Math.min(rows.size(), filter.size()));
                    for (int i = 0; i < rows.size() && i < filter.size(); i++) {
                        events.add(toEvent(rows.get(i)));
                    }
                    return new Result(events, filter.page(), filter.size(), more);
                });
    }

    private static AuditEvent toEvent(AuditEventEntity row) {
        return new AuditEvent(row.occurredAt, AuditEvent.Kind.valueOf(row.kind.toUpperCase(java.util.Locale.ROOT)),
                row.route, row.credential, row.subject, row.method, row.path, row.status == null ? 0 : row.status,
                row.latencyMicros == null ? 0 : row.latencyMicros, row.decision, row.detail);
    }
}
