package io.latchkey.credential.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.latchkey.credential.CredentialStatus;
import io.latchkey.credential.CredentialUnavailableException;
import io.latchkey.policy.TemplateField;
import io.latchkey.secret.Resolution;
import io.latchkey.testing.LogCapture;
import io.latchkey.testing.ScriptedTokenEndpoint.Answer;

/** The token cache's behaviour, each on a clock the test advances: nothing here sleeps. */
@ExtendWith(LogCapture.class)
class TokenCacheTest extends ScriptedEndpointTestBase {

    static final String CLIENT_SECRET = "cache-client-secret-5f2a";

    @AfterAll
    static void noSecretsLogged() {
        LogCapture.assertNoneContain(CLIENT_SECRET, "token-1", "token-2", "refresh-1", "refresh-2", "refresh-0");
    }

    OAuth2Credential clientCredentials() {
        return fixture.open("""
                grant: client_credentials
                tokenUrl: %s
                clientId: literal:cache-client
                clientSecret: env:CLIENT_SECRET
                """.formatted(endpoint.url()), Map.of("CLIENT_SECRET", CLIENT_SECRET));
    }

    static String token(OAuth2Credential credential) {
        Resolution resolution = credential.resolve(TemplateField.VALUE);
        return resolution instanceof Resolution.Available available ? available.value().reveal() : null;
    }

    /**
     * Waits for the first token and for the refresh planned for it. The credential publishes the token a moment
     * before it puts that refresh on the clock; a test that ticked in between would see the refresh planned from a
     * later time than the token's (the manual clock plans from its own present), and wait for it in vain.
     */
    void awaitReady(OAuth2Credential credential) {
        var ready = credential.whenReady();
        if (ready != null) {
            ready.toCompletableFuture().join();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> fixture.clock.nextDue() != null);
    }

    @Test
    void firstTokenIsFetchedAtStartAndThenNoRequestWaits() {
        OAuth2Credential credential = clientCredentials();
        awaitReady(credential);
        assertThat(token(credential)).isEqualTo("token-1");
        for (int minute = 0; minute < 59; minute++) {
            fixture.clock.advance(Duration.ofSeconds(60));
            assertThat(credential.whenReady()).as("minute %d: nothing to wait for", minute).isNull();
            assertThat(token(credential)).isNotNull();
        }
        // Said in full when it fails: a CI run once waited here in vain, and the count alone did not say why.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(endpoint.requests())
                .as("token requests; outcomes %s; clock at %s, next task due %s", fixture.outcomes,
                        fixture.clock.instant(), fixture.clock.nextDue())
                .isEqualTo(2));
    }

    @Test
    void backgroundRefreshAtEightyPercentReplacesTheTokenAtomically() {
        OAuth2Credential credential = clientCredentials();
        awaitReady(credential);
        fixture.clock.advance(Duration.ofSeconds(2879)); // just before 80% of 3600 s
        assertThat(endpoint.requests()).isEqualTo(1);
        fixture.clock.advance(Duration.ofSeconds(1));
        // The token is published a moment before the refresh counts as finished: wait for both.
        await().atMost(Duration.ofSeconds(10)).until(() -> "token-2".equals(token(credential))
                && credential.status().state().equals("valid"));
        assertThat(endpoint.requests()).isEqualTo(2);
        assertThat(credential.status().expiresAt()).hasValue(fixture.clock.instant().plusSeconds(3600));
    }

    @Test
    void thousandConcurrentRequestsCauseOneTokenRequestAndCarryTheSameToken() throws Exception {
        endpoint.hold(); // a slow provider: the start-up fetch is in flight while every request arrives
        OAuth2Credential credential = clientCredentials();
        await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.requests() == 1);
        ExecutorService pool = Executors.newFixedThreadPool(64);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch waiting = new CountDownLatch(1000);
        Set<String> tokens = ConcurrentHashMap.newKeySet();
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            all.add(done);
            pool.execute(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                var ready = credential.whenReady();
                if (ready == null) {
                    tokens.add(token(credential));
                    done.complete(null);
                    return;
                }
                waiting.countDown(); // this request found no valid token and waits, without holding a thread
                ready.whenComplete((ok, error) -> {
                    tokens.add(String.valueOf(token(credential)));
                    done.complete(null);
                });
            });
        }
        go.countDown();
        assertThat(waiting.await(30, TimeUnit.SECONDS)).as("all 1000 requests wait for the token").isTrue();
        endpoint.release();
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        pool.shutdown();
        assertThat(endpoint.requests()).isEqualTo(1);
        assertThat(tokens).hasSize(1);
    }

    @Test
    void aRequestThatLookedJustBeforeTheFirstTokenArrivedDoesNotFetchASecond() throws Exception {
        // whenReady() reads the token state, then the time. The clock holds one request between the two while the
        // start-up fetch finishes, so that request decides on a state older than the token: the window a preempted
        // thread falls into under load (OAuthProxyTest once saw its first request carry token-2).
        Thread[] held = new Thread[1];
        CountDownLatch inTheWindow = new CountDownLatch(1);
        CountDownLatch tokenArrived = new CountDownLatch(1);
        fixture.time = () -> {
            if (Thread.currentThread() == held[0] && inTheWindow.getCount() > 0) {
                inTheWindow.countDown();
                try {
                    tokenArrived.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            return fixture.clock.instant();
        };
        endpoint.hold();
        OAuth2Credential credential = clientCredentials();
        await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.requests() == 1);
        CompletableFuture<Void> startUpFetch = credential.whenReady().toCompletableFuture();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        var late = pool.submit(() -> {
            held[0] = Thread.currentThread();
            return credential.whenReady();
        });
        assertThat(inTheWindow.await(30, TimeUnit.SECONDS)).isTrue();
        endpoint.release();
        startUpFetch.get(30, TimeUnit.SECONDS); // finished: the token is stored and no request is running
        tokenArrived.countDown();
        var ready = late.get(30, TimeUnit.SECONDS);
        if (ready != null) {
            ready.toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(token(credential)).isEqualTo("token-1");
        assertThat(endpoint.requests()).as("token requests").isEqualTo(1);
    }

    @Test
    void upstream401RenewsOnceForAllRequestsThatSawTheToken() {
        OAuth2Credential credential = clientCredentials();
        awaitReady(credential);
        var requestStart = fixture.clock.instant();
        fixture.clock.advance(Duration.ofSeconds(5));
        List<CompletableFuture<Void>> renewals = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            renewals.add(credential.rejected(requestStart).toCompletableFuture());
        }
        CompletableFuture.allOf(renewals.toArray(CompletableFuture[]::new)).join();
        assertThat(token(credential)).isEqualTo("token-2");
        assertThat(endpoint.requests()).isEqualTo(2);
        // A request that started after the new token was issued does not renew it again.
        credential.rejected(requestStart).toCompletableFuture().join();
        assertThat(endpoint.requests()).isEqualTo(2);
    }

    @Test
    void providerDownServesTheValidTokenThenAnswersUnavailableAndRecoversByItself() {
        OAuth2Credential credential = clientCredentials();
        awaitReady(credential);
        endpoint.down(true);
        fixture.clock.advance(Duration.ofSeconds(2880)); // background refresh fails
        await().atMost(Duration.ofSeconds(10)).until(() -> credential.status().state().equals("failing"));
        assertThat(token(credential)).as("still valid: still served").isEqualTo("token-1");
        // Back-off: 1 s, 2 s, 4 s ... capped at 60 s (no jitter in this test: each delay is half its ceiling).
        List<Duration> delays = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            var before = fixture.clock.instant();
            var due = fixture.clock.nextDue();
            delays.add(Duration.between(before, due));
            int seen = endpoint.requests();
            fixture.clock.advance(Duration.between(before, due));
            int iteration = i;
            await().alias("retry " + iteration + " after " + delays + ", requests " + endpoint.requests() + "/" + seen)
                    .atMost(Duration.ofSeconds(10)).until(() -> endpoint.requests() == seen + 1
                            && fixture.clock.nextDue() != null);
        }
        assertThat(delays).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(4), Duration.ofSeconds(8), Duration.ofSeconds(16), Duration.ofSeconds(30),
                Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30));
        fixture.clock.advance(Duration.ofSeconds(3600)); // the token has now expired
        assertThat(token(credential)).as("an expired token is never injected").isNull();
        var ready = credential.whenReady();
        assertThat(ready).isNotNull();
        assertThat(ready.toCompletableFuture()).failsWithin(Duration.ofSeconds(10)).withThrowableThat()
                .havingCause().isInstanceOfSatisfying(CredentialUnavailableException.class,
                        e -> assertThat(e.retryAfterSeconds()).isPositive());
        endpoint.down(false);
        fixture.clock.advance(Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(10)).until(() -> token(credential) != null
                && credential.status().state().equals("valid"));
        assertThat(fixture.outcomes).contains("token:unreachable", "token:success");
    }

    @Test
    void refreshTokenRotationIsKeptAndAnAnswerWithoutOneKeepsTheOld() {
        endpoint.then(
                Answer.json("{\"access_token\":\"token-1\",\"expires_in\":100,\"refresh_token\":\"refresh-1\"}"),
                Answer.json("{\"access_token\":\"token-2\",\"expires_in\":100}"),
                Answer.json("{\"access_token\":\"token-3\",\"expires_in\":100,\"refresh_token\":\"refresh-2\"}"));
        OAuth2Credential credential = fixture.open("""
                grant: refresh_token
                tokenUrl: %s
                clientId: literal:cache-client
                clientSecret: literal:%s
                refreshToken: literal:refresh-0
                """.formatted(endpoint.url(), CLIENT_SECRET), Map.of());
        awaitReady(credential);
        for (int i = 0; i < 3; i++) {
            int seen = endpoint.requests();
            fixture.clock.advance(Duration.ofSeconds(80));
            await().atMost(Duration.ofSeconds(10)).until(() -> endpoint.requests() > seen
                    && credential.status().state().equals("valid"));
        }
        assertThat(endpoint.received()).extracting(r -> formValue(r.body(), "refresh_token"))
                .containsExactly("refresh-0", "refresh-1", "refresh-1", "refresh-2");
    }

    @Test
    void invalidGrantMarksTheCredentialDeadAndIsNotRetried() {
        endpoint.otherwise(n -> new Answer(400, "application/json",
                "{\"error\":\"invalid_grant\",\"error_description\":\"Token has been expired or revoked.\"}"));
        OAuth2Credential credential = fixture.open("""
                grant: refresh_token
                tokenUrl: %s
                clientId: literal:cache-client
                clientSecret: literal:x
                refreshToken: literal:refresh-0
                """.formatted(endpoint.url()), Map.of());
        await().atMost(Duration.ofSeconds(10)).until(() -> credential.status().state().equals("dead"));
        CredentialStatus status = credential.status();
        assertThat(status.lastError()).hasValue("invalid_grant");
        assertThat(status.reason()).hasValueSatisfying(reason -> assertThat(reason).contains("invalid_grant"));
        assertThat(fixture.clock.pending()).as("no retry scheduled").isZero();
        fixture.clock.advance(Duration.ofHours(5));
        assertThat(credential.whenReady().toCompletableFuture()).isCompletedExceptionally();
        assertThat(endpoint.requests()).isEqualTo(1);
        assertThat(fixture.outcomes).containsExactly("token:invalid_grant");
    }

    static String formValue(String body, String name) {
        for (String pair : body.split("&")) {
            String[] parts = pair.split("=", 2);
            if (parts[0].equals(name)) {
                return java.net.URLDecoder.decode(parts[1], java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
