package io.latchkey.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.latchkey.testing.EchoUpstream;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;

/**
 * Starts a real upstream before Quarkus boots and writes the policy that points at it, so the application test runs
 * the packaged configuration path ({@code latchkey.policy}) end to end.
 */
public class UpstreamAndPolicyResource implements QuarkusTestResourceLifecycleManager {

    /** Set by surefire in the pom, read by the application through env:. */
    public static final String ENV_SECRET = "env-secret-7f3c9a";

    public static final String OAUTH_CLIENT_SECRET = "app-oauth-client-secret-93d0";

    /** The admin API's token, in a file the application reads. */
    public static final String ADMIN_TOKEN = "admin-token-5be1d0c2";

    /** Test-only keys, as the pom gives them to the application (test-k2 is active). */
    public static final String OLDER_KEY = "test-k1:aIiDPSw11JnNzJ5ITTQTkfRnaIUqtn557IdulAkpxrI=";
    static EchoUpstream upstream;
    static io.latchkey.testing.ScriptedTokenEndpoint tokens;
    private Vertx vertx;

    @Override
    public Map<String, String> start() {
        vertx = Vertx.vertx();
        upstream = EchoUpstream.http(vertx);
        tokens = new io.latchkey.testing.ScriptedTokenEndpoint(vertx)
                .otherwise(n -> io.latchkey.testing.ScriptedTokenEndpoint.Answer.token("app-oauth-token-" + n, 3600));
        try {
            Path directory = Files.createTempDirectory("latchkey-app-test");
            Path policy = directory.resolve("policy.yaml");
            Files.writeString(policy, """
                    apiVersion: latchkey.io/v1alpha1
                    kind: EgressPolicy
                    metadata:
                      name: application-test
                    spec:
                      credentials:
                        token:
                          secret: env:LATCHKEY_TEST_ENV_SECRET
                        missing:
                          secret: env:LATCHKEY_TEST_NOT_SET
                        stored:
                          secret: db:app/stored-token
                        oauth-token:
                          oauth2:
                            grant: client_credentials
                            tokenUrl: %2$s
                            clientId: literal:app-client
                            clientSecret: literal:%3$s
                      routes:
                        - name: echo
                          prefix: /echo
                          upstream: http://127.0.0.1:%1$d
                          inject:
                            - bearer: token
                        - name: broken
                          prefix: /broken
                          upstream: http://127.0.0.1:%1$d
                          inject:
                            - bearer: missing
                        - name: stored
                          prefix: /stored
                          upstream: http://127.0.0.1:%1$d
                          inject:
                            - bearer: stored
                        - name: oauth
                          prefix: /oauth
                          upstream: http://127.0.0.1:%1$d
                          inject:
                            - bearer: oauth-token
                    """.formatted(upstream.port(), tokens.url(), OAUTH_CLIENT_SECRET));
            Path adminToken = directory.resolve("admin-token");
            Files.writeString(adminToken, ADMIN_TOKEN + "\n");
            return Map.of("latchkey.policy", policy.toString(),
                    "latchkey.admin.token-file", adminToken.toString(),
                    // Flush the audit trail often so tests see their events without long waits.
                    "latchkey.audit.flush-interval", "100ms",
                    "quarkus.log.file.enabled", "true",
                    "quarkus.log.file.path", "target/quarkus-application-test.log",
                    "quarkus.log.category.\"io.latchkey\".level", "DEBUG");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        upstream.close();
        tokens.close();
        vertx.close();
    }
}
