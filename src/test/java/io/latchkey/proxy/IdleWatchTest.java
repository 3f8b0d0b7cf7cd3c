package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.latchkey.testing.ProxyHarness;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** The idle watch's decisions, on a clock the test ticks; each step runs on the watch's event loop. */
class IdleWatchTest {

    static Vertx vertx;
    Context context;
    IdleWatch watch;
    long now = 1_000_000_000L;

    /** An exchange stand-in that counts its expiries. */
    final class Probe extends IdleWatch.Entry {
        final long timeout;
        int expired;
        Runnable onExpire = () -> {
        };

        Probe(Duration timeout) {
            this.timeout = timeout.toNanos();
        }

        @Override
        long idleTimeoutNanos() {
            return timeout;
        }

        @Override
        void expire() {
            expired++;
            onExpire.run();
        }

        void heard() {
            lastActivityNanos = now;
        }
    }

    @BeforeAll
    static void startVertx() {
        vertx = ProxyHarness.newVertx();
    }

    @AfterAll
    static void stopVertx() {
        vertx.close();
    }

    @BeforeEach
    void newWatch() {
        context = vertx.getOrCreateContext();
        watch = new IdleWatch(context, () -> now);
    }

    @AfterEach
    void closeWatch() {
        watch.close();
    }

    @Test
    void aSilentEntryExpiresOnceWhenItsTimeoutHasPassed() throws Exception {
        Probe probe = new Probe(Duration.ofMillis(300));
        onLoop(() -> watch.watch(probe, now));
        assertThat(onLoop(() -> advanceAndSweep(Duration.ofMillis(299)))).isZero();
        assertThat(probe.expired).isZero();
        assertThat(onLoop(() -> advanceAndSweep(Duration.ofMillis(1)))).isOne();
        assertThat(probe.expired).isOne();
        assertThat(onLoop(() -> watch.size())).isZero();
        onLoop(() -> advanceAndSweep(Duration.ofMinutes(5)));
        assertThat(probe.expired).isOne();
    }

    @Test
    void activityStartsTheSilenceOver() throws Exception {
        Probe probe = new Probe(Duration.ofMillis(300));
        onLoop(() -> watch.watch(probe, now));
        for (int i = 0; i < 10; i++) {
            onLoop(() -> advanceAndSweep(Duration.ofMillis(200)));
            onLoop(probe::heard);
        }
        assertThat(probe.expired).as("2 s of traffic, never 300 ms apart").isZero();
        onLoop(() -> advanceAndSweep(Duration.ofMillis(300)));
        assertThat(probe.expired).isOne();
    }

    @Test
    void waitingForASlowCallerIsNotTheUpstreamsSilence() throws Exception {
        Probe probe = new Probe(Duration.ofMillis(300));
        onLoop(() -> {
            watch.watch(probe, now);
            probe.waitingForCaller = true;
        });
        onLoop(() -> advanceAndSweep(Duration.ofSeconds(10)));
        assertThat(probe.expired).isZero();
        onLoop(() -> {
            probe.waitingForCaller = false;
            probe.heard();
        });
        onLoop(() -> advanceAndSweep(Duration.ofMillis(300)));
        assertThat(probe.expired).isOne();
    }

    @Test
    void forgottenEntriesLeaveTheOthersWatched() throws Exception {
        Probe first = new Probe(Duration.ofMillis(300));
        Probe middle = new Probe(Duration.ofMillis(300));
        Probe last = new Probe(Duration.ofMillis(300));
        onLoop(() -> {
            watch.watch(first, now);
            watch.watch(middle, now);
            watch.watch(last, now);
            watch.watch(middle, now); // already watched: no second link
            IdleWatch.forget(middle);
            IdleWatch.forget(middle); // twice is harmless
        });
        assertThat(onLoop(() -> watch.size())).isEqualTo(2);
        assertThat(onLoop(() -> advanceAndSweep(Duration.ofMillis(300)))).isEqualTo(2);
        assertThat(first.expired).isOne();
        assertThat(middle.expired).isZero();
        assertThat(last.expired).isOne();
    }

    @Test
    void anEntryForgottenByAnotherExpiryIsNotExpired() throws Exception {
        // One closing caller connection can end several exchanges: those must not be expired afterwards.
        Probe closing = new Probe(Duration.ofMillis(300));
        Probe sameConnection = new Probe(Duration.ofMillis(300));
        closing.onExpire = () -> IdleWatch.forget(sameConnection);
        onLoop(() -> {
            watch.watch(closing, now);
            watch.watch(sameConnection, now);
        });
        assertThat(onLoop(() -> advanceAndSweep(Duration.ofMillis(300)))).isOne();
        assertThat(closing.expired).isOne();
        assertThat(sameConnection.expired).isZero();
    }

    @Test
    void entriesWithoutATimeoutAreNotWatched() throws Exception {
        Probe unlimited = new Probe(Duration.ZERO);
        onLoop(() -> watch.watch(unlimited, now));
        assertThat(onLoop(() -> watch.size())).isZero();
        onLoop(() -> advanceAndSweep(Duration.ofDays(1)));
        assertThat(unlimited.expired).isZero();
    }

    @Test
    void eachEntryIsJudgedByItsOwnTimeout() throws Exception {
        Probe quick = new Probe(Duration.ofMillis(100));
        Probe patient = new Probe(Duration.ofMinutes(5));
        onLoop(() -> {
            watch.watch(patient, now);
            watch.watch(quick, now);
        });
        onLoop(() -> advanceAndSweep(Duration.ofSeconds(1)));
        assertThat(quick.expired).isOne();
        assertThat(patient.expired).isZero();
        onLoop(() -> advanceAndSweep(Duration.ofMinutes(5)));
        assertThat(patient.expired).isOne();
    }

    @Test
    void anExchangeStillWatchedWhenItsRequestEndsIsLetGo() throws Exception {
        Probe exchange = new Probe(Duration.ofMillis(100));
        InFlightRequests.Done done = new InFlightRequests(false).new Done(null);
        done.exchange = exchange;
        onLoop(() -> watch.watch(exchange, now));
        assertThat(onLoop(() -> watch.size())).isOne();
        onLoop(() -> done.handle(null));
        assertThat(onLoop(() -> watch.size())).isZero();
        onLoop(() -> advanceAndSweep(Duration.ofSeconds(1)));
        assertThat(exchange.expired).isZero();
    }

    private int advanceAndSweep(Duration duration) {
        now += duration.toNanos();
        return watch.sweep();
    }

    private void onLoop(Runnable step) throws Exception {
        onLoop(() -> {
            step.run();
            return null;
        });
    }

    private <T> T onLoop(Callable<T> step) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        context.runOnContext(ignored -> {
            try {
                result.complete(step.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(10, TimeUnit.SECONDS);
    }
}
