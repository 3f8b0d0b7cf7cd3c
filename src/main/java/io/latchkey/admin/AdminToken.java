package io.latchkey.admin;

import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.latchkey.LatchkeyConfig;
import io.latchkey.secret.FileWatcher;
import io.latchkey.secret.Resolution;
import io.latchkey.secret.Sha256;
import io.latchkey.secret.ValueReference;
import io.latchkey.secret.ValueSource;
import io.latchkey.secret.ValueSources;

/**
 * The admin API's bearer token, read from {@code latchkey.admin.token-file} and read again when the file changes.
 * Tokens are compared through their SHA-256 digests ({@link Sha256#constantTimeEquals}): constant time, and the
 * length of the expected token does not leak either.
 */
@ApplicationScoped
public class AdminToken {

    /** Watches the token file; none (and no watcher thread) without one. */
    private final Optional<FileWatcher> watcher;
    private final Optional<ValueSource> token;

    public AdminToken(LatchkeyConfig config) {
        this.watcher = config.admin().tokenFile().map(path -> new FileWatcher(config.filePollInterval()));
        this.token = config.admin().tokenFile().map(path -> new ValueSources(name -> null, watcher.get())
                .open(ValueReference.parse("file:" + path.toAbsolutePath())));
    }

    /** Why no call can be accepted now, or empty when a token is configured and readable. */
    public Optional<String> unavailableReason() {
        if (token.isEmpty()) {
            return Optional.of("the admin API is off: set latchkey.admin.token-file");
        }
        return token.get().current() instanceof Resolution.Unavailable unavailable
                ? Optional.of("the admin token cannot be read: " + unavailable.reason())
                : Optional.empty();
    }

    /** Whether {@code presented} is the configured token. */
    public boolean accepts(String presented) {
        if (token.isEmpty() || !(token.get().current() instanceof Resolution.Available available)) {
            return false;
        }
        return Sha256.constantTimeEquals(presented, available.value().reveal());
    }

    @PreDestroy
    void close() {
        token.ifPresent(ValueSource::close);
        watcher.ifPresent(FileWatcher::close);
    }
}
