package io.latchkey.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

import io.latchkey.LatchkeyConfig;
import io.latchkey.credential.CredentialRegistry;
import io.latchkey.policy.PolicyState;
import io.latchkey.proxy.DataPlane;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/**
 * A real Latchkey data plane on a loopback port with a policy the test writes, and an environment the test controls.
 * Tests talk to it over real HTTP, as an MCP server would.
 */
public final class ProxyHarness implements AutoCloseable {

    private final Path policyFile;
    private final DataPlane dataPlane;
    private final PolicyState policyState = new PolicyState();
    private final CredentialRegistry credentials = new CredentialRegistry();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private ProxyHarness(Vertx vertx, Path policyFile, Map<String, String> environment, ManualClock clock) {
        this.policyFile = policyFile;
        this.dataPlane = clock == null
                ? new DataPlane(vertx, config(policyFile), environment::get, policyState, credentials,
                        InstantSource.system())
                : new DataPlane(vertx, config(policyFile), environment::get, policyState, credentials, clock, clock,
                        io.latchkey.credential.oauth.TokenRequestObserver.NONE,
                        new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    }

    /**
     * A Vert.x for proxy tests, on the transport the application runs on ({@code quarkus.vertx.prefer-native-transport}
     * in application.properties): epoll where the platform has it, as on the machines CI runs on.
     */
    public static Vertx newVertx() {
        return newVertx(new VertxOptions());
    }

    /** As {@link #newVertx()}, with the test's own options (such as a hosts file) besides the transport. */
    public static Vertx newVertx(VertxOptions options) {
        return Vertx.vertx(options.setPreferNativeTransport(true));
    }

    /** Starts a proxy serving {@code policy}; {@code environment} stands in for the process environment. */
    public static ProxyHarness start(Vertx vertx, Path directory, String policy, Map<String, String> environment) {
        return start(vertx, directory, policy, environment, null);
    }

    /** As above, with token lifetimes, refreshes and back-off on a clock the test advances. */
    public static ProxyHarness start(Vertx vertx, Path directory, String policy, Map<String, String> environment,
            ManualClock clock) {
        Path file = directory.resolve("policy.yaml");
        write(file, policy);
        ProxyHarness harness = new ProxyHarness(vertx, file, new ConcurrentHashMap<>(environment), clock);
        if (monotonicClock.get() != null) {
            harness.dataPlane.withMonotonicClock(monotonicClock.get());
        }
        if (upstreamAllocator.get() != null) {
            harness.dataPlane.withUpstreamAllocator(upstreamAllocator.get());
        }
        if (databaseSecrets.get() != null) {
            harness.dataPlane.withDatabaseSecrets(Optional.of(databaseSecrets.get()), "not used");
        }
        harness.dataPlane.start();
        return harness;
    }

    public static ProxyHarness start(Vertx vertx, Path directory, String policy) {
        return start(vertx, directory, policy, Map.of());
    }

    public int port() {
        return dataPlane.port();
    }

    /** The proxy's meters. */
    public io.micrometer.core.instrument.MeterRegistry meters() {
        return dataPlane.meterRegistry();
    }

    public URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port() + pathAndQuery);
    }

    public PolicyState policyState() {
        return policyState;
    }

    public CredentialRegistry credentials() {
        return credentials;
    }

    /**
     * Replaces the policy file's content atomically (as a ConfigMap update does; the watcher must never see half a
     * file) and applies it now, as the watcher would.
     */
    public void replacePolicy(String policy) {
        Path next = policyFile.resolveSibling(policyFile.getFileName() + ".next");
        write(next, policy);
        try {
            Files.move(next, policyFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        dataPlane.reloadPolicyNow();
    }

    public Path policyFile() {
        return policyFile;
    }

    public HttpResponse<String> get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).GET().build());
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpClient client() {
        return client;
    }

    @Override
    public void close() {
        dataPlane.close();
    }

    static void write(Path file, String content) {
        try {
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The monotonic time (idle timeouts, connection ages, request durations) for harnesses started afterwards in this
     * thread.
     */
    public static final ThreadLocal<java.util.function.LongSupplier> monotonicClock = new ThreadLocal<>();

    /** Drain timeout for harnesses started afterwards in this thread. */
    public static final ThreadLocal<Duration> drainTimeout = new ThreadLocal<>();

    /** The embedded store serving db: references for harnesses started afterwards in this thread. */
    public static final ThreadLocal<io.latchkey.secret.db.DbSecretStore> databaseSecrets = new ThreadLocal<>();

    /** Upstream connections per origin (and event loop) for harnesses started afterwards in this thread. */
    public static final ThreadLocal<Integer> upstreamPoolSize = new ThreadLocal<>();

    /** Where the proxy's own upstream connections take their buffers from; Netty's pooled default when unset. */
    public static final ThreadLocal<io.netty.buffer.ByteBufAllocator> upstreamAllocator = new ThreadLocal<>();

    /**
     * The caller-facing server every harness runs: the one the system property {@code latchkey.test.caller-server}
     * names ({@code latchkey}, the default, or {@code vertx}), so that the whole suite can run on either.
     */
    private static final LatchkeyConfig.Proxy.CallerServer CALLER_SERVER = LatchkeyConfig.Proxy.CallerServer
            .valueOf(System.getProperty("latchkey.test.caller-server", "latchkey").toUpperCase(java.util.Locale.ROOT));

    /** The caller-facing server harnesses run. */
    public static LatchkeyConfig.Proxy.CallerServer callerServer() {
        return CALLER_SERVER;
    }

    /** Vault address for harnesses started afterwards in this thread; token from the env map's VAULT_TOKEN. */
    public static final ThreadLocal<String> vaultAddress = new ThreadLocal<>();

    private static LatchkeyConfig config(Path policyFile) {
        String vaultAt = vaultAddress.get();
        return new LatchkeyConfig() {
            @Override
            public Path policy() {
                return policyFile;
            }

            @Override
            public Duration filePollInterval() {
                return Duration.ofMillis(200);
            }

            @Override
            public boolean accessLog() {
                return true;
            }

            // The data plane does not read these: CDI beans around it do.
            @Override
            public Database database() {
                throw new UnsupportedOperationException("not part of the data plane");
            }

            @Override
            public Crypto crypto() {
                throw new UnsupportedOperationException("not part of the data plane");
            }

            @Override
            public Admin admin() {
                throw new UnsupportedOperationException("not part of the data plane");
            }

            @Override
            public Audit audit() {
                throw new UnsupportedOperationException("not part of the data plane");
            }

            @Override
            public Vault vault() {
                return new Vault() {
                    @Override
                    public Optional<URI> address() {
                        return Optional.ofNullable(vaultAt).map(URI::create);
                    }

                    @Override
                    public Optional<String> namespace() {
                        return Optional.empty();
                    }

                    @Override
                    public Optional<Path> tlsCa() {
                        return Optional.empty();
                    }

                    @Override
                    public Duration cacheTtl() {
                        return Duration.ofMinutes(1);
                    }

                    @Override
                    public Duration grace() {
                        return Duration.ofMinutes(5);
                    }

                    @Override
                    public Duration requestTimeout() {
                        return Duration.ofSeconds(5);
                    }

                    @Override
                    public Auth auth() {
                        return new Auth() {
                            @Override
                            public String method() {
                                return "token";
                            }

                            @Override
                            public String token() {
                                return "env:VAULT_TOKEN";
                            }

                            @Override
                            public Optional<String> kubernetesRole() {
                                return Optional.empty();
                            }

                            @Override
                            public String kubernetesMountPath() {
                                return "kubernetes";
                            }

                            @Override
                            public Path kubernetesJwtPath() {
                                return Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");
                            }

                            @Override
                            public Optional<String> approleRoleId() {
                                return Optional.empty();
                            }

                            @Override
                            public Optional<String> approleSecretId() {
                                return Optional.empty();
                            }

                            @Override
                            public String approleMountPath() {
                                return "approle";
                            }
                        };
                    }
                };
            }

            @Override
            public OAuth oauth() {
                return new OAuth() {
                    @Override
                    public Duration backoffBase() {
                        return Duration.ofSeconds(1);
                    }

                    @Override
                    public Duration backoffCap() {
                        return Duration.ofMinutes(2);
                    }

                    @Override
                    public int replayBufferLimit() {
                        return 65536;
                    }
                };
            }

            @Override
            public Proxy proxy() {
                return new Proxy() {
                    @Override
                    public String host() {
                        return "127.0.0.1";
                    }

                    @Override
                    public int port() {
                        return 0;
                    }

                    @Override
                    public OptionalInt eventLoops() {
                        return OptionalInt.of(1);
                    }

                    @Override
                    public int maxHeaderSize() {
                        return 16384;
                    }

                    @Override
                    public int maxRequestLineLength() {
                        return 8192;
                    }

                    @Override
                    public CallerServer server() {
                        return callerServer();
                    }

                    @Override
                    public int upstreamPoolSize() {
                        return upstreamPoolSize.get() == null ? 64 : upstreamPoolSize.get();
                    }

                    @Override
                    public int retryAfterSeconds() {
                        return 5;
                    }

                    @Override
                    public Duration drainTimeout() {
                        return drainTimeout.get() == null ? Duration.ofSeconds(20) : drainTimeout.get();
                    }
                };
            }
        };
    }
}
