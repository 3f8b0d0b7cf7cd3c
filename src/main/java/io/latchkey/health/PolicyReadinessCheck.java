package io.latchkey.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;

import io.latchkey.policy.PolicyState;
import io.latchkey.policy.PolicyStatus;

/**
 * Ready once a policy serves. A refused reload does not make the pod unready (the previous policy still serves), but
 * it shows here with its reason until a good version is applied.
 */
@Readiness
@Startup
@ApplicationScoped
public class PolicyReadinessCheck implements HealthCheck {

    private final PolicyState state;

    public PolicyReadinessCheck(PolicyState state) {
        this.state = state;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("policy");
        if (state.status().isEmpty()) {
            return builder.down().withData("reason", "no policy loaded yet").build();
        }
        PolicyStatus status = state.status().get();
        builder.up()
                .withData("source", status.source())
                .withData("name", status.name())
                .withData("sha256", status.sha256())
                .withData("routes", status.routes())
                .withData("credentials", status.credentials())
                .withData("loadedAt", status.loadedAt().toString())
                .withData("reloadsApplied", status.reloadsApplied())
                .withData("reloadsRejected", status.reloadsRejected());
        status.lastRejection().ifPresent(reason -> builder.withData("lastRejection", reason));
        status.lastRejectedAt().ifPresent(at -> builder.withData("lastRejectedAt", at.toString()));
        return builder.build();
    }
}
