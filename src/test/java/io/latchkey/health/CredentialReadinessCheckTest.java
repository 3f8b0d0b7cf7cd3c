package io.latchkey.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import io.latchkey.credential.CredentialRegistry;
import io.latchkey.credential.Credentials;
import io.latchkey.policy.Policy;
import io.latchkey.policy.PolicyParser;
import io.latchkey.secret.FileWatcher;
import io.latchkey.secret.ValueSources;

/** One failing credential makes the pod not ready only when the policy marks it critical. */
class CredentialReadinessCheckTest {

    static HealthCheckResponse readiness(String criticalFlag) {
        Policy policy = new PolicyParser(reference -> {
        }).parse("""
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata: {name: critical}
                spec:
                  credentials:
                    present: {secret: "env:PRESENT"}
                    missing: {secret: "env:MISSING", critical: %s}
                  routes: []
                """.formatted(criticalFlag), "test");
        CredentialRegistry registry = new CredentialRegistry();
        try (FileWatcher watcher = new FileWatcher(Duration.ofHours(1))) {
            registry.replace(Credentials.open(policy,
                    new ValueSources(Map.of("PRESENT", "value-1b2c")::get, watcher), null));
            return new CredentialReadinessCheck(registry).call();
        }
    }

    @Test
    void aNonCriticalCredentialDoesNotTakeThePodDown() {
        HealthCheckResponse response = readiness("false");
        assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(response.getData().orElseThrow().get("missing").toString())
                .isEqualTo("secret: unavailable (environment variable MISSING is not set)");
    }

    @Test
    void aCriticalCredentialDoes() {
        HealthCheckResponse response = readiness("true");
        assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(response.getData().orElseThrow()).containsEntry("unavailableCritical", "missing");
        assertThat(response.getData().orElseThrow().toString()).doesNotContain("value-1b2c");
    }
}
