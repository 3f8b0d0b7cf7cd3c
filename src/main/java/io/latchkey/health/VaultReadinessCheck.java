package io.latchkey.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import io.latchkey.secret.vault.VaultRegistry;
import io.latchkey.secret.vault.VaultStore;

/**
 * Vault is DOWN once it has not answered for longer than the cache TTL plus grace: cached values have then run out.
 * While it is down only the routes that need its values fail; the check says why.
 */
@Readiness
@ApplicationScoped
public class VaultReadinessCheck implements HealthCheck {

    private final VaultRegistry registry;

    public VaultReadinessCheck(VaultRegistry registry) {
        this.registry = registry;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder builder = HealthCheckResponse.named("vault");
        if (registry.get().isEmpty()) {
            return builder.up().withData("configured", false).build();
        }
        VaultStore store = registry.get().get();
        builder.withData("configured", true).withData("address", store.address().toString());
        return store.problem().map(problem -> builder.down().withData("reason", problem))
                .orElseGet(builder::up).build();
    }
}
