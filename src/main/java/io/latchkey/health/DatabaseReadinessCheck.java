package io.latchkey.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.latchkey.audit.AuditLifecycle;
import io.latchkey.audit.AuditWriter;
import io.latchkey.database.Database;
import io.latchkey.database.DatabaseLifecycle;
import io.latchkey.secret.db.EmbeddedStore;

/**
 * PostgreSQL as the sidecar sees it. An unreachable database is reported (with the reason and the audit events
 * waiting) but only makes the pod not ready when the policy uses {@code db:} secrets and their cached values have run
 * out: static, file and Vault credentials keep working without it, and the audit trail waits in its buffer.
 */
@Readiness
@ApplicationScoped
public class DatabaseReadinessCheck implements HealthCheck {

    private final DatabaseLifecycle database;
    private final EmbeddedStore store;
    private final AuditLifecycle audit;

    public DatabaseReadinessCheck(DatabaseLifecycle database, EmbeddedStore store, AuditLifecycle audit) {
        this.database = database;
        this.store = store;
        this.audit = audit;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("database");
        if (database.get().isEmpty()) {
            return builder.up().withData("enabled", false).build();
        }
        Database db = database.get().get();
        builder.withData("enabled", true).withData("reachable", db.problem().isEmpty());
        db.problem().ifPresent(problem -> builder.withData("reason", problem));
        audit.writer().map(AuditWriter::depth).ifPresent(depth -> builder.withData("auditQueueDepth", depth));
        boolean up = true;
        if (store.get().isPresent()) {
            var secrets = store.get().get();
            var secretsProblem = secrets.problem();
            builder.withData("dbSecrets", secretsProblem.isEmpty() ? "readable" : "unreadable");
            if (secrets.inUse() && secretsProblem.isPresent()) {
                builder.withData("dbSecretsReason", secretsProblem.get());
                up = false;
            }
        } else {
            builder.withData("dbSecrets", "off: " + store.unavailableReason());
        }
        return builder.status(up).build();
    }
}
