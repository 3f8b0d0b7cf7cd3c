package io.latchkey.credential.oauth;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.latchkey.credential.Credential;
import io.latchkey.credential.CredentialStatus;
import io.latchkey.credential.CredentialUnavailableException;
import io.latchkey.policy.OAuth2Settings;
import io.latchkey.policy.TemplateField;
import io.latchkey.secret.Resolution;
import io.latchkey.secret.Secret;
import io.latchkey.secret.SingleFlight;
import io.latchkey.secret.ValueSource;
import io.latchkey.secret.WritableValueSource;

/**
 * An OAuth 2.0 access token, cached and kept fresh.
 * <ul>
 * <li>Steady state: requests read the cached token and never wait; a background refresh runs at a jittered point
 * of its lifetime and swaps the new token in atomically.</li>
 * <li>Single flight: however many requests find no valid token, one token request is made and all of them wait for
 * it — one {@link AtomicReference} holds the refresh in flight, claimed by compare-and-set.</li>
 * <li>A 401 from an upstream discards the token it carried, once, and triggers one shared refresh.</li>
 * <li>Failures back off exponentially with jitter up to a cap and retry by themselves; a still-valid token keeps
 * serving, an expired one is never used. Failures no retry can cure ({@code invalid_grant}, a wrong client
 * secret) stop the retries until the credential's inputs change.</li>
 * <li>A rotated refresh token is kept before the new access token is used; an answer without one keeps the old.</li>
 * </ul>
 */
public final class OAuth2Credential implements Credential {

    private static final Logger LOG = Logger.getLogger(OAuth2Credential.class);

    private final String name;
    private final OAuth2Settings settings;
    private final OAuthRuntime runtime;
    private final TokenRequestBuilder requests;
    private final TokenEndpointClient endpoint;
    private final RefreshTokenKeeper refreshTokens;
    private final ValueSource[] inputs;
    private final AtomicReference<TokenState> state = new AtomicReference<>(TokenState.EMPTY);
    private final AtomicReference<CompletableFuture<Void>> inFlight = new AtomicReference<>();
    private final AtomicReference<RefreshScheduler.Cancellable> scheduled = new AtomicReference<>();
    private volatile boolean closed;

    public OAuth2Credential(String name, OAuth2Settings settings, OAuthRuntime runtime,
            Optional<ValueSource> clientId, Optional<ValueSource> clientSecret, Optional<ValueSource> privateKey,
            Optional<ValueSource> refreshToken, Optional<ValueSource> subjectToken) {
        this.name = name;
        this.settings = settings;
        this.runtime = runtime;
        this.requests = new TokenRequestBuilder(name, settings, clientId, clientSecret, privateKey, subjectToken,
                runtime.clock());
        this.endpoint = new TokenEndpointClient(runtime.vertx(), runtime.clients().apply(settings.caBundle().orElse(null)),
                settings);
        this.refreshTokens = new RefreshTokenKeeper(name, settings.grant() == OAuth2Settings.Grant.REFRESH_TOKEN,
                refreshToken, runtime.observer());
        this.inputs = java.util.stream.Stream.of(clientId, clientSecret, privateKey, refreshToken, subjectToken)
                .flatMap(Optional::stream).toArray(ValueSource[]::new);
    }

    /** Fetches the first token in the background, so the first request usually finds it ready. */
    public OAuth2Credential start() {
        refresh();
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "oauth2";
    }

    @Override
    public Resolution resolve(TemplateField field) {
        TokenState current = state.get();
        Instant now = runtime.clock().instant();
        if (current.usableAt(now)) {
            if (current.refreshDueAt(now) && current.retryAt() == null) {
                refresh(); // the timer should have done it; never let a missed timer expire the token
            }
            return Resolution.available(current.token());
        }
        return Resolution.unavailable(reason(current, now));
    }

    @Override
    public CompletionStage<Void> whenReady() {
        TokenState current = state.get();
        Instant now = runtime.clock().instant();
        if (current.usableAt(now)) {
            return null;
        }
        if (current.dead() && current.deadInputs() == inputsFingerprint()) {
            return CompletableFuture.failedFuture(unavailable(current, now));
        }
        if (current.retryAt() != null && now.isBefore(current.retryAt()) && inFlight.get() == null) {
            return CompletableFuture.failedFuture(unavailable(current, now));
        }
        return fetchUnlessUsable();
    }

    @Override
    public boolean renewable() {
        return true;
    }

    @Override
    public CompletionStage<Void> rejected(Instant requestStart) {
        while (true) {
            TokenState current = state.get();
            if (current.token() != null && current.issuedAt().isAfter(requestStart)) {
                return CompletableFuture.completedFuture(null); // a newer token than the refused one is here
            }
            CompletableFuture<Void> running = inFlight.get();
            if (running != null) {
                return running;
            }
            if (current.token() == null || state.compareAndSet(current, current.withoutToken())) {
                if (current.token() != null) {
                    LOG.infof("Credential %s: the upstream refused the access token (401); fetching a new one", name);
                }
                CompletionStage<Void> ready = whenReady();
                return ready == null ? CompletableFuture.completedFuture(null) : ready;
            }
        }
    }

    /** Starts a token request unless one is running; either way returns the one that will finish. */
    CompletableFuture<Void> refresh() {
        return refresh(false);
    }

    /**
     * As {@link #refresh()} for a caller that found no usable token, which it may have read just before a token
     * request finished: once no other request can be running, the state is read again, and a usable token ends it.
     */
    private CompletableFuture<Void> fetchUnlessUsable() {
        return refresh(true);
    }

    private CompletableFuture<Void> refresh(boolean unlessUsable) {
        CompletableFuture<Void> running = inFlight.get();
        if (running != null) {
            return running;
        }
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> claimed = SingleFlight.claim(inFlight, mine);
        if (claimed != mine) {
            return claimed;
        }
        // A finished request set the state before it cleared inFlight, so what is read here is not older than it.
        if (unlessUsable && state.get().usableAt(runtime.clock().instant())) {
            inFlight.set(null);
            mine.complete(null);
            return mine;
        }
        if (closed) {
            inFlight.set(null);
            mine.completeExceptionally(new CredentialUnavailableException(name, "the policy that defined it was replaced"));
            return mine;
        }
        attempt(mine, true);
        return mine;
    }

    /**
     * One token request. A refresh token kept in a shared store (the embedded store, Vault) is used under that
     * store's lock, after reading it again: several replicas may share one single-use refresh token, and a reuse
     * would make the provider revoke the whole token family. An {@code invalid_grant} for a token that another
     * replica has replaced meanwhile is a lost race: the request is made once more with the stored token.
     */
    private void attempt(CompletableFuture<Void> mine, boolean mayRetryLostRace) {
        Instant sentAt = runtime.clock().instant();
        AtomicReference<Secret> sent = new AtomicReference<>();
        AtomicBoolean requested = new AtomicBoolean();
        Supplier<CompletionStage<TokenResponse>> request = () -> {
            Secret refreshToken = refreshTokens.presented();
            sent.set(refreshToken);
            TokenRequest built = requests.build(refreshToken);
            requested.set(true);
            return endpoint.send(built).thenCompose(refreshTokens::storeRotated);
        };
        WritableValueSource shared = refreshTokens.shared();
        CompletionStage<TokenResponse> answer;
        try {
            answer = shared == null ? request.get()
                    : shared.exclusively(() -> shared.reread().thenCompose(ignored -> request.get()));
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((response, error) -> {
            if (error == null) {
                succeeded(mine, sentAt, sent.get(), response);
                return;
            }
            TokenEndpointException failure = asFailure(error, shared != null && !requested.get());
            if (mayRetryLostRace && shared != null && failure.invalidGrant() && sent.get() != null) {
                shared.reread().whenComplete((ignored, rereadError) -> {
                    if (!Objects.equals(refreshTokens.stored(), sent.get())) {
                        LOG.infof("Credential %s: another replica rotated the refresh token meanwhile; retrying with"
                                + " the stored one", name);
                        attempt(mine, false);
                    } else {
                        failed(mine, sentAt, failure, requested.get());
                    }
                });
                return;
            }
            failed(mine, sentAt, failure, requested.get());
        });
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    /**
     * @param beforeRequestWithLock whether the failure came before any request, under a shared store's lock: the
     *        lock or the re-read failed, which is retried with back-off like an outage
     */
    private static TokenEndpointException asFailure(Throwable error, boolean beforeRequestWithLock) {
        Throwable cause = unwrap(error);
        if (cause instanceof TokenEndpointException endpointFailure) {
            return endpointFailure;
        }
        if (cause instanceof CredentialUnavailableException missingInput) {
            return new TokenEndpointException("input_unavailable", missingInput.getMessage());
        }
        if (beforeRequestWithLock) {
            return new TokenEndpointException("lock_unavailable", "the shared refresh token could not be locked"
                    + " and read again (" + cause.getClass().getSimpleName() + ")");
        }
        return new TokenEndpointException("unreachable", "the token request failed");
    }

    private void succeeded(CompletableFuture<Void> mine, Instant sentAt, Secret usedRefreshToken,
            TokenResponse response) {
        // The new refresh token is kept before the new access token is used: if we stopped in between, the old
        // refresh token (which the provider may have revoked) would be all we had.
        response.refreshToken().ifPresent(refreshTokens::rotatedTo);
        Instant now = runtime.clock().instant();
        Optional<Duration> lifetime = response.expiresIn().or(settings::defaultLifetime);
        Instant expiresAt = lifetime.map(sentAt::plus).orElse(null);
        Instant refreshAt = lifetime.map(l -> sentAt.plus(Duration.ofMillis(
                (long) (l.toMillis() * (settings.refreshAt() - 0.1 * runtime.jitter().getAsDouble()))))).orElse(null);
        state.set(new TokenState(response.accessToken(), sentAt, expiresAt, refreshAt, 0, null, null, null, false,
                0));
        runtime.observer().tokenRequest(name, "success", Duration.between(sentAt, now));
        // Plan the next refresh before anyone waiting learns of this one, so none can act on a state without it.
        if (refreshAt != null) {
            schedule(Duration.between(now, refreshAt));
        }
        inFlight.set(null);
        mine.complete(null);
    }

    private void failed(CompletableFuture<Void> mine, Instant sentAt, TokenEndpointException error,
            boolean requestMade) {
        Instant now = runtime.clock().instant();
        boolean permanent = !error.retryable();
        TokenState current = state.get();
        Duration backoff = backoff(current.failures() + 1);
        TokenState next = current.failed(error.code(), error.getMessage(), now.plus(backoff), permanent,
                inputsFingerprint());
        state.set(next);
        if (requestMade) {
            runtime.observer().tokenRequest(name, error.outcome(), Duration.between(sentAt, now));
        }
        if (permanent) {
            LOG.errorf("Credential %s: %s; not retrying until its configuration or secrets change", name,
                    error.getMessage());
        } else {
            LOG.warnf("Credential %s: %s; retrying in %d ms", name, error.getMessage(), backoff.toMillis());
        }
        if (!permanent) {
            schedule(backoff);
        }
        inFlight.set(null);
        mine.completeExceptionally(unavailable(next, now));
    }

    /** Exponential back-off with full jitter in its upper half: base * 2^(n-1), capped, times [0.5, 1). */
    private Duration backoff(int failures) {
        long base = runtime.backoffBase().toMillis();
        long cap = runtime.backoffCap().toMillis();
        long exponential = failures >= 31 ? cap : Math.min(cap, base << Math.max(0, failures - 1));
        return Duration.ofMillis(Math.max(1, (long) (exponential * (0.5 + 0.5 * runtime.jitter().getAsDouble()))));
    }

    private void schedule(Duration delay) {
        if (closed) {
            return;
        }
        RefreshScheduler.Cancellable previous = scheduled.getAndSet(runtime.scheduler().schedule(delay, () -> {
            if (!closed) {
                refresh();
            }
        }));
        if (previous != null) {
            previous.cancel();
        }
    }

    /** Changes when any input (client secret, key, stored refresh token...) changes: a dead credential may live. */
    private int inputsFingerprint() {
        int hash = 1;
        for (ValueSource input : inputs) {
            hash = 31 * hash + input.current().hashCode();
        }
        return hash;
    }

    private CredentialUnavailableException unavailable(TokenState current, Instant now) {
        int retryAfter = current.retryAt() == null ? 0
                : (int) Math.max(1, Duration.between(now, current.retryAt()).toSeconds() + 1);
        return new CredentialUnavailableException(name, reason(current, now), retryAfter);
    }

    private String reason(TokenState current, Instant now) {
        if (current.lastReason() != null) {
            return current.lastReason() + (current.dead() ? "" : " (retrying)");
        }
        if (current.token() != null) {
            return "the access token expired";
        }
        return "no access token yet";
    }

    @Override
    public CredentialStatus status() {
        TokenState current = state.get();
        Instant now = runtime.clock().instant();
        boolean usable = current.usableAt(now);
        String phase = current.dead() ? "dead"
                : inFlight.get() != null ? "refreshing"
                        : current.failures() > 0 ? "failing" : usable ? "valid" : "pending";
        return new CredentialStatus(name, kind(), usable, phase,
                usable ? Optional.empty() : Optional.of(reason(current, now)),
                Optional.ofNullable(current.expiresAt()), Optional.ofNullable(current.lastError()));
    }

    @Override
    public void close() {
        closed = true;
        RefreshScheduler.Cancellable task = scheduled.getAndSet(null);
        if (task != null) {
            task.cancel();
        }
        for (ValueSource input : inputs) {
            input.close();
        }
    }
}
