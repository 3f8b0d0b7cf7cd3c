package io.latchkey.secret.vault;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

/** The running Vault store, if Vault is configured; for readiness checks. */
@ApplicationScoped
public class VaultRegistry {

    private final AtomicReference<VaultStore> store = new AtomicReference<>();

    public void set(Optional<VaultStore> running) {
        store.set(running.orElse(null));
    }

    public Optional<VaultStore> get() {
        return Optional.ofNullable(store.get());
    }
}
