package io.latchkey.credential;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

/** The credentials of the serving policy, for readiness checks and metrics. */
@ApplicationScoped
public class CredentialRegistry {

    private final AtomicReference<Credentials> current = new AtomicReference<>();

    /** Makes {@code next} current and returns the previous set, for the caller to close when it is done with it. */
    public Credentials replace(Credentials next) {
        return current.getAndSet(next);
    }

    public List<CredentialStatus> statuses() {
        Credentials credentials = current.get();
        return credentials == null ? List.of() : credentials.statuses();
    }
}
