package io.latchkey.secret.vault;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.latchkey.secret.SharedLock;

/**
 * A lock made of Vault alone: a KV v2 secret at {@code <mount>/latchkey-locks/<path>} holding who has the lease and
 * until when. It is taken by a check-and-set write on the version read, so of two replicas racing for it exactly one
 * wins; the loser waits and tries again. A holder that dies leaves a lease that simply expires ({@code ttl}, on the
 * wall clock: leases are between processes). The Vault policy must allow create, read and update on
 * {@code <mount>/data/latchkey-locks/*}.
 */
final class VaultLease implements SharedLock {

    private static final Logger LOG = Logger.getLogger(VaultLease.class);
    static final Duration DEFAULT_TTL = Duration.ofSeconds(30);
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);
    private static final String LOCKS = "latchkey-locks/";

    private final VaultStore store;
    private final InstantSource wallClock;
    private final Duration ttl;
    private final Duration maxWait;
    private final BiConsumer<Duration, Runnable> timer;
    /** Who this process is, in the lease; random per process so a restarted replica never inherits a lease. */
    private final String holder = UUID.randomUUID().toString();

    VaultLease(VaultStore store, InstantSource wallClock, Duration ttl, Duration maxWait,
            BiConsumer<Duration, Runnable> timer) {
        this.store = store;
        this.wallClock = wallClock;
        this.ttl = ttl;
        this.maxWait = maxWait;
        this.timer = timer;
    }

    /** @param key {@code <mount>/<path>} of the secret the work reads and writes */
    @Override
    public <T> CompletionStage<T> exclusively(String key, Supplier<CompletionStage<T>> work) {
        int slash = key.indexOf('/');
        String mount = key.substring(0, slash);
        String path = LOCKS + key.substring(slash + 1);
        return acquire(mount, path, wallClock.instant().plus(maxWait)).thenCompose(version -> {
            CompletionStage<T> result;
            try {
                result = work.get();
            } catch (RuntimeException e) {
                result = CompletableFuture.failedFuture(e);
            }
            CompletableFuture<T> done = new CompletableFuture<>();
            result.whenComplete((value, error) -> release(mount, path, version).whenComplete((ignored, e) -> {
                if (error != null) {
                    done.completeExceptionally(error);
                } else {
                    done.complete(value);
                }
            }));
            return done;
        });
    }

    private CompletionStage<Integer> acquire(String mount, String path, Instant deadline) {
        return store.readWhole(mount, path).thenCompose(lease -> {
            Instant now = wallClock.instant();
            Object owner = lease.getKey().get("holder");
            Object expires = lease.getKey().get("expires");
            boolean free = owner == null || "".equals(owner) || !(expires instanceof Number until)
                    || now.toEpochMilli() >= until.longValue();
            if (!free) {
                return later(mount, path, deadline);
            }
            return store.casWrite(mount, path, Map.of("holder", holder, "expires", now.plus(ttl).toEpochMilli()),
                    lease.getValue(), mount + "/" + path).exceptionallyCompose(error -> {
                        Throwable cause = VaultStore.unwrap(error);
                        return cause instanceof VaultWriteConflict ? later(mount, path, deadline)
                                : CompletableFuture.failedFuture(cause);
                    });
        });
    }

    /** Waits a little (jittered, so racing replicas spread out) and tries again, until the deadline. */
    private CompletionStage<Integer> later(String mount, String path, Instant deadline) {
        if (wallClock.instant().isAfter(deadline)) {
            return CompletableFuture.failedFuture(new IllegalStateException("the lease " + mount + "/" + path
                    + " stayed taken for " + maxWait.toSeconds() + " s"));
        }
        CompletableFuture<Integer> next = new CompletableFuture<>();
        timer.accept(Duration.ofMillis(20 + ThreadLocalRandom.current().nextInt(60)), () -> acquire(mount, path,
                deadline).whenComplete((version, error) -> {
                    if (error == null) {
                        next.complete(version);
                    } else {
                        next.completeExceptionally(error);
                    }
                }));
        return next;
    }

    private CompletionStage<Integer> release(String mount, String path, int heldVersion) {
        return store.casWrite(mount, path, Map.of("holder", "", "expires", 0), heldVersion, mount + "/" + path)
                .exceptionally(error -> {
                    LOG.warnf("Releasing the lease %s/%s failed; it expires by itself within %d s", mount, path,
                            ttl.toSeconds());
                    return heldVersion;
                });
    }
}
