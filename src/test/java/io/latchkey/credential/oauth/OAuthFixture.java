package io.latchkey.credential.oauth;

import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.latchkey.credential.Credentials;
import io.latchkey.policy.Policy;
import io.latchkey.policy.PolicyParser;
import io.latchkey.secret.FileWatcher;
import io.latchkey.secret.ValueSources;
import io.latchkey.testing.ManualClock;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;

/**
 * Opens OAuth credentials from policy YAML, as the proxy does, on a manual clock with no jitter, recording every
 * token request outcome.
 */
final class OAuthFixture implements AutoCloseable {

    final ManualClock clock = new ManualClock();
    /** The time credentials read: the manual clock unless a test wraps it. */
    InstantSource time = clock;
    final List<String> outcomes = new CopyOnWriteArrayList<>();
    final Vertx vertx;
    private final HttpClient client;
    private final FileWatcher watcher = new FileWatcher(Duration.ofMillis(200));
    private Credentials credentials;

    OAuthFixture(Vertx vertx) {
        this.vertx = vertx;
        this.client = vertx.createHttpClient(new HttpClientOptions());
    }

    OAuthRuntime runtime() {
        return new OAuthRuntime(vertx, bundle -> client, time, clock, () -> 0.0,
                (credential, outcome, latency) -> outcomes.add(credential + ":" + outcome), Duration.ofSeconds(1),
                Duration.ofSeconds(60));
    }

    /** Opens the credential named {@code token} defined by an {@code oauth2:} block (indented by six spaces). */
    OAuth2Credential open(String oauth2Block, Map<String, String> environment) {
        String yaml = """
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata: {name: oauth-test}
                spec:
                  credentials:
                    token:
                      oauth2:
                """ + oauth2Block.indent(8) + """
                  routes:
                    - {name: r, prefix: /r, upstream: "http://127.0.0.1:1", inject: [{bearer: token}]}
                """;
        Policy policy = new PolicyParser(reference -> {
        }).parse(yaml, "test");
        credentials = Credentials.open(policy, new ValueSources(environment::get, watcher), runtime());
        return (OAuth2Credential) credentials.get("token");
    }

    @Override
    public void close() {
        if (credentials != null) {
            credentials.close();
        }
        watcher.close();
        client.close();
    }
}
