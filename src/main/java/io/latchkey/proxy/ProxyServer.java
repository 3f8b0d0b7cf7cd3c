package io.latchkey.proxy;

import java.time.InstantSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.latchkey.LatchkeyConfig;
import io.latchkey.audit.AuditTrail;
import io.latchkey.credential.CredentialRegistry;
import io.latchkey.credential.oauth.TokenRequestObserver;
import io.latchkey.credential.oauth.VertxRefreshScheduler;
import io.latchkey.policy.PolicyState;
import io.latchkey.secret.EmbeddedSecrets;
import io.latchkey.secret.vault.VaultRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * Starts the data plane with Quarkus, after the database and the embedded store; an invalid policy stops start-up
 * with every problem listed.
 */
@ApplicationScoped
public class ProxyServer {

    private final DataPlane dataPlane;
    private final VaultRegistry vaultRegistry;
    private final EmbeddedSecrets embeddedStore;

    public ProxyServer(LatchkeyConfig config, Vertx vertx, PolicyState policyState,
            CredentialRegistry credentialRegistry, TokenRequestObserver tokenMetrics, VaultRegistry vaultRegistry,
            MeterRegistry meterRegistry, AuditTrail audit, EmbeddedSecrets embeddedStore) {
        this.vaultRegistry = vaultRegistry;
        this.embeddedStore = embeddedStore;
        InstantSource clock = InstantSource.system();
        this.dataPlane = new DataPlane(vertx, config, System::getenv, policyState, credentialRegistry, clock,
                new VertxRefreshScheduler(vertx), new AuditingTokenObserver(tokenMetrics, audit, clock),
                meterRegistry).withAudit(audit);
    }

    void onStart(@Observes StartupEvent event) {
        dataPlane.withDatabaseSecrets(embeddedStore.store(), embeddedStore.unavailableReason()).start();
        vaultRegistry.set(dataPlane.vault());
    }

    void onStop(@Observes ShutdownEvent event) {
        dataPlane.close();
    }

    /** The port the proxy listens on (useful when configured as 0). */
    public int port() {
        return dataPlane.port();
    }
}
