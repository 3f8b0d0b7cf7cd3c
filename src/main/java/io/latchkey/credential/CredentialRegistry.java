package io.latchkey.credential;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

/** The credentials of the serving policy, for readiness checks and metrics. */
@ApplicationScoped
public class CredentialRegistry {

    private final AtomicReference<Credentials> current = new AtomicReference<>();
    private final java.util.List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Makes {@code next} current and returns the previous set, for the caller to close when it is done with it. */
    public Credentials replace(Credentials next) {
        Credentials previous = current.getAndSet(next);
        listeners.forEach(Runnable::run);
        return previous;
    }

    /** Runs {@code listener} now and whenever the set of credentials changes. */
    public void onChange(Runnable listener) {
        listeners.add(listener);
        listener.run();
    }

    /** Whether the serving policy marks this credential critical. */
    public boolean critical(String name) {
        Credentials credentials = current.get();
        return credentials != null && credentials.critical(name);
    }

    public List<CredentialStatus> statuses() {
        Credentials credentials = current.get();
        return credentials == null ? List.of() : credentials.statuses();
    }
}
