package io.latchkey.credential.oauth;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;

import org.jboss.logging.Logger;

import io.latchkey.credential.CredentialUnavailableException;
import io.latchkey.secret.Resolution;
import io.latchkey.secret.Secret;
import io.latchkey.secret.ValueSource;
import io.latchkey.secret.WritableValueSource;

/**
 * One credential's refresh token: the stored one (a secret reference), and the one the provider rotated in, which is
 * written back when the store takes writes and kept in memory whatever happens to that write. The provider's newest
 * token wins until the stored value changes under it (an operator or another replica wrote a newer one).
 */
final class RefreshTokenKeeper {

    private static final Logger LOG = Logger.getLogger(RefreshTokenKeeper.class);

    /** A refresh token the provider issued, and the stored value it replaced. */
    private record RotatedRefreshToken(Secret replaced, Secret current) {
    }

    private final String credential;
    private final boolean refreshGrant;
    private final Optional<ValueSource> source;
    private final TokenRequestObserver observer;
    private final AtomicReference<RotatedRefreshToken> rotated = new AtomicReference<>();

    /**
     * @param refreshGrant whether the credential's grant presents the refresh token (other grants may still receive
     *        one, which is kept and written all the same)
     */
    RefreshTokenKeeper(String credential, boolean refreshGrant, Optional<ValueSource> source,
            TokenRequestObserver observer) {
        this.credential = credential;
        this.refreshGrant = refreshGrant;
        this.source = source;
        this.observer = observer;
    }

    /** The stored refresh token, when the refresh grant uses one from a store that takes writes. */
    WritableValueSource shared() {
        return refreshGrant && source.orElse(null) instanceof WritableValueSource writable ? writable : null;
    }

    /**
     * A rotated refresh token is written through the credential's reference when its store takes writes (Vault),
     * before the new access token is used. If the write fails, the new refresh token is still kept in memory: the
     * provider issued it to us, and losing it would lose the grant.
     */
    CompletionStage<TokenResponse> storeRotated(TokenResponse response) {
        if (response.refreshToken().isEmpty()) {
            return CompletableFuture.completedFuture(response);
        }
        if (source.isEmpty() || !(source.get() instanceof WritableValueSource writable)) {
            observer.refreshTokenRotated(credential, false);
            return CompletableFuture.completedFuture(response);
        }
        return writable.write(response.refreshToken().get()).handle((written, error) -> {
            observer.refreshTokenRotated(credential, error == null);
            if (error != null) {
                LOG.warnf("Credential %s: the rotated refresh token could not be written to %s (%s); it is kept in"
                        + " memory", credential, writable.describe(),
                        error.getCause() == null ? error.getClass().getSimpleName()
                                : error.getCause().getClass().getSimpleName());
            }
            return response;
        });
    }

    /** The provider issued {@code next}: it replaces the token stored now, until the stored one changes. */
    void rotatedTo(Secret next) {
        rotated.set(new RotatedRefreshToken(stored(), next));
    }

    /** What a token request presents: the current refresh token under the refresh grant, nothing under others. */
    Secret presented() {
        return refreshGrant ? current() : null;
    }

    /** The refresh token to present: the one the provider rotated in, unless the stored one changed since. */
    private Secret current() {
        Secret stored = stored();
        RotatedRefreshToken latest = rotated.get();
        if (latest != null && Objects.equals(latest.replaced(), stored)) {
            return latest.current();
        }
        if (stored == null) {
            throw new CredentialUnavailableException(credential, "refreshToken: " + source
                    .map(s -> ((Resolution.Unavailable) s.current()).reason()).orElse("not configured"));
        }
        return stored;
    }

    /** The stored refresh token, or null while it cannot be read. */
    Secret stored() {
        return source.map(ValueSource::current)
                .filter(Resolution.Available.class::isInstance)
                .map(r -> ((Resolution.Available) r).value()).orElse(null);
    }
}
