package io.latchkey.health;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.latchkey.credential.CredentialRegistry;
import io.latchkey.credential.CredentialStatus;

/**
 * Reports each credential: available, or the reason it is not (never a value). An unavailable credential makes the
 * pod not ready only when the policy marks it {@code critical: true}; otherwise its own routes answer 503 while the
 * others keep working, because one broken integration must not take the others down.
 */
@Readiness
@ApplicationScoped
public class CredentialReadinessCheck implements HealthCheck {

    private final CredentialRegistry registry;

    public CredentialReadinessCheck(CredentialRegistry registry) {
        this.registry = registry;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("credentials").up();
        List<String> criticalDown = new ArrayList<>();
        for (CredentialStatus status : registry.statuses()) {
            boolean critical = registry.critical(status.name());
            builder.withData(status.name(), describe(status) + (critical ? " [critical]" : ""));
            if (critical && !status.available()) {
                criticalDown.add(status.name());
            }
        }
        if (!criticalDown.isEmpty()) {
            builder.down().withData("unavailableCritical", String.join(", ", criticalDown));
        }
        return builder.build();
    }

    /** {@code "oauth2: valid, expires 2026-11-26T11:00:00Z"}, {@code "secret: unavailable (reason)"}. */
    static String describe(CredentialStatus status) {
        StringBuilder text = new StringBuilder(status.kind()).append(": ").append(status.state());
        status.expiresAt().ifPresent(at -> text.append(", expires ").append(at));
        status.lastError().ifPresent(error -> text.append(", last error ").append(error));
        status.reason().ifPresent(reason -> text.append(" (").append(reason).append(')'));
        return text.toString();
    }
}
