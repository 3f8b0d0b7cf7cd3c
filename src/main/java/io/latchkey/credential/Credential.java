package io.latchkey.credential;

import io.latchkey.policy.TemplateField;
import io.latchkey.secret.Resolution;

/** A named credential from the policy, able to say what its fields hold right now. Never blocks. */
public interface Credential extends AutoCloseable {

    String name();

    /** The kind as written in the policy: {@code secret}, {@code basic}. */
    String kind();

    /** A field's current value, or why it has none. */
    Resolution resolve(TemplateField field);

    /** Whether every field has a value; the reason otherwise. For readiness data: never a value. */
    CredentialStatus status();

    /**
     * Null when {@link #resolve} can answer now (the hot path: no allocation, no waiting). Otherwise a stage that
     * completes once it can, or fails with {@link CredentialUnavailableException}; credentials that fetch their value
     * (OAuth tokens) use this for the first request and after a failure.
     */
    default java.util.concurrent.CompletionStage<Void> whenReady() {
        return null;
    }

    /**
     * Whether an upstream's 401 can be cured by fetching a new value: true for tokens Latchkey obtains itself.
     */
    default boolean renewable() {
        return false;
    }

    /**
     * An upstream answered 401 to a request that started at {@code requestStart}: if the value it carried is still the
     * current one, it is discarded and a new one fetched (once, for all requests that saw it). Completes when a value
     * newer than {@code requestStart} is there; fails with {@link CredentialUnavailableException} when none can be had.
     */
    default java.util.concurrent.CompletionStage<Void> rejected(java.time.Instant requestStart) {
        return java.util.concurrent.CompletableFuture.failedFuture(
                new CredentialUnavailableException(name(), "the upstream rejected it and it cannot be renewed"));
    }

    @Override
    void close();
}
