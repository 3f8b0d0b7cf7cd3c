package io.latchkey.policy;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

/** The serving policy's status, shared with readiness checks and metrics. Empty until the first load. */
@ApplicationScoped
public class PolicyState {

    private final AtomicReference<PolicyStatus> status = new AtomicReference<>();

    public Optional<PolicyStatus> status() {
        return Optional.ofNullable(status.get());
    }

    public void update(PolicyStatus next) {
        status.set(next);
    }

    public long reloadsApplied() {
        PolicyStatus current = status.get();
        return current == null ? 0 : current.reloadsApplied();
    }

    public long reloadsRejected() {
        PolicyStatus current = status.get();
        return current == null ? 0 : current.reloadsRejected();
    }
}
