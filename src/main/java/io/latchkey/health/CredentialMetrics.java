package io.latchkey.health;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.latchkey.credential.CredentialRegistry;
import io.latchkey.credential.CredentialStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.StartupEvent;

/**
 * {@code latchkey_token_expiry_seconds{credential}}: seconds until each expiring credential's token expires
 * (negative once it has), and {@code latchkey_credential_available{credential}} (1 or 0). Rows follow the serving
 * policy's credentials.
 */
@ApplicationScoped
public class CredentialMetrics {

    void register(@Observes StartupEvent event, MeterRegistry registry, CredentialRegistry credentials) {
        MultiGauge expiry = MultiGauge.builder("latchkey.token.expiry").baseUnit("seconds")
                .description("Seconds until the credential's current token expires").register(registry);
        MultiGauge available = MultiGauge.builder("latchkey.credential.available")
                .description("1 when the credential has a usable value").register(registry);
        credentials.onChange(() -> {
            List<MultiGauge.Row<?>> expiryRows = new ArrayList<>();
            List<MultiGauge.Row<?>> availableRows = new ArrayList<>();
            for (CredentialStatus status : credentials.statuses()) {
                String name = status.name();
                expiryRows.add(MultiGauge.Row.of(Tags.of("credential", name), credentials,
                        registryNow -> secondsUntilExpiry(registryNow, name)));
                availableRows.add(MultiGauge.Row.of(Tags.of("credential", name), credentials,
                        registryNow -> registryNow.statuses().stream().filter(s -> s.name().equals(name))
                                .findFirst().map(s -> s.available() ? 1.0 : 0.0).orElse(Double.NaN)));
            }
            expiry.register(expiryRows, true);
            available.register(availableRows, true);
        });
    }

    private static double secondsUntilExpiry(CredentialRegistry credentials, String name) {
        return credentials.statuses().stream().filter(s -> s.name().equals(name)).findFirst()
                .flatMap(CredentialStatus::expiresAt)
                .map(at -> (double) (at.getEpochSecond() - Instant.now().getEpochSecond())).orElse(Double.NaN);
    }
}
