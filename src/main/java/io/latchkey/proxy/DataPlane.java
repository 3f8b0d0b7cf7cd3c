package io.latchkey.proxy;

import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.LongSupplier;

import org.jboss.logging.Logger;

import io.latchkey.LatchkeyConfig;
import io.latchkey.audit.AuditTrail;
import io.latchkey.credential.CredentialRegistry;
import io.latchkey.credential.Credentials;
import io.latchkey.credential.oauth.OAuthRuntime;
import io.latchkey.credential.oauth.RefreshScheduler;
import io.latchkey.credential.oauth.TokenRequestObserver;
import io.latchkey.credential.oauth.VertxRefreshScheduler;
import io.latchkey.policy.Policy;
import io.latchkey.policy.PolicyParser;
import io.latchkey.policy.PolicyReloader;
import io.latchkey.policy.PolicyState;
import io.latchkey.secret.FileWatcher;
import io.latchkey.secret.StoredSecrets;
import io.latchkey.secret.ValueSources;
import io.latchkey.secret.vault.VaultClients;
import io.latchkey.secret.vault.VaultConfiguration;
import io.latchkey.secret.vault.VaultSettings;
import io.latchkey.secret.vault.VaultStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;

/**
 * The proxy's parts, wired: the policy (loaded, then watched), its credentials, the upstream clients and the
 * listener. Independent of CDI so that tests can run several, each with its own environment.
 */
public final class DataPlane implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DataPlane.class);
    private static final int TUNNEL_CONNECT_TIMEOUT_MILLIS = 10_000;

    private final Vertx vertx;
    private final LatchkeyConfig config;
    private final Function<String, String> environment;
    private final PolicyState policyState;
    private final CredentialRegistry credentialRegistry;
    private final InstantSource clock;
    private final RefreshScheduler scheduler;
    private final TokenRequestObserver tokenObserver;
    private final MeterRegistry meterRegistry;
    private final AtomicReference<PolicyRuntime> serving = new AtomicReference<>();

    private FileWatcher fileWatcher;
    private UpstreamClients clients;
    private ValueSources sources;
    private PolicyReloader reloader;
    private ProxyListener listener;
    private UpstreamForwarder forwarder;
    private LongSupplier nanoClock = System::nanoTime;
    private ByteBufAllocator upstreamAllocator = ByteBufAllocator.DEFAULT;
    private OAuthRuntime oauth;
    private VaultStore vault;
    private Optional<StoredSecrets> dbStore = Optional.empty();
    private String dbUnavailableReason = ValueSources.DB_NOT_CONFIGURED;
    private AuditTrail audit = AuditTrail.NONE;

    public DataPlane(Vertx vertx, LatchkeyConfig config, Function<String, String> environment,
            PolicyState policyState, CredentialRegistry credentialRegistry, InstantSource clock) {
        this(vertx, config, environment, policyState, credentialRegistry, clock, new VertxRefreshScheduler(vertx),
                TokenRequestObserver.NONE, new SimpleMeterRegistry());
    }

    /**
     * @param clock time for token lifetimes and back-off
     * @param scheduler when background token refreshes run; tests pass one they drive with their clock
     */
    public DataPlane(Vertx vertx, LatchkeyConfig config, Function<String, String> environment,
            PolicyState policyState, CredentialRegistry credentialRegistry, InstantSource clock,
            RefreshScheduler scheduler, TokenRequestObserver tokenObserver, MeterRegistry meterRegistry) {
        this.vertx = vertx;
        this.config = config;
        this.environment = environment;
        this.policyState = policyState;
        this.credentialRegistry = credentialRegistry;
        this.clock = clock;
        this.scheduler = scheduler;
        this.tokenObserver = tokenObserver;
        this.meterRegistry = meterRegistry;
    }

    /** Serves {@code db:} references from the embedded store; without it they are refused with the reason given. */
    public DataPlane withDatabaseSecrets(Optional<StoredSecrets> store, String reasonWhenAbsent) {
        this.dbStore = store;
        this.dbUnavailableReason = reasonWhenAbsent;
        return this;
    }

    /**
     * The monotonic time the data plane measures on: idle timeouts, pooled upstream connections' ages, and requests'
     * durations for the meters, the access log and the audit trail (one clock, so that a request's moments are read
     * once each); tests pass one they tick.
     */
    public DataPlane withMonotonicClock(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        return this;
    }

    /**
     * Where Latchkey's own upstream connections take their buffers from (Netty's pooled default); tests pass an
     * allocator that accounts for every buffer, to prove each one is given back.
     */
    public DataPlane withUpstreamAllocator(ByteBufAllocator allocator) {
        this.upstreamAllocator = allocator;
        return this;
    }

    /** Sends an audit event for every request the proxy finishes. */
    public DataPlane withAudit(AuditTrail trail) {
        this.audit = trail;
        return this;
    }

    /**
     * Loads the policy and starts listening.
     *
     * @throws io.latchkey.policy.PolicyException when the policy is invalid, listing every problem
     */
    public void start() {
        fileWatcher = new FileWatcher(config.filePollInterval());
        sources = new ValueSources(environment, fileWatcher).withDatabase(dbStore, dbUnavailableReason);
        VaultConfiguration.from(config.vault()).ifPresent(settings -> {
            var token = settings.authMethod() == VaultSettings.AuthMethod.TOKEN
                    ? settings.token().map(sources::open).orElse(null)
                    : null;
            var secretId = settings.approleSecretId().map(sources::open).orElse(null);
            vault = new VaultStore(settings, VaultClients.create(vertx, settings, token, secretId, clock), clock,
                    scheduler::schedule, audit, (delay, task) -> vertx.setTimer(Math.max(1, delay.toMillis()),
                            id -> task.run()));
            sources.withVault(vault);
            LOG.infof("vault: references read from %s (%s auth)", settings.address(),
                    settings.authMethod().name().toLowerCase());
        });
        clients = new UpstreamClients(vertx, config.proxy().upstreamPoolSize(), meterRegistry, nanoClock,
                upstreamAllocator);
        oauth = new OAuthRuntime(vertx, clients::tokenClient, clock, scheduler,
                java.util.concurrent.ThreadLocalRandom.current()::nextDouble, tokenObserver,
                config.oauth().backoffBase(), config.oauth().backoffCap());
        PolicyParser parser = new PolicyParser(sources::checkSupported);
        reloader = new PolicyReloader(config.policy(), parser, this::activate, policyState, clock);
        reloader.loadInitial();
        reloader.watch(fileWatcher);

        ErrorResponses errors = new ErrorResponses(config.proxy().retryAfterSeconds(), route -> {
            PolicyRuntime runtime = serving.get();
            return runtime == null ? null : runtime.meters(route);
        }, new RouteMeters(meterRegistry, RouteMeters.NO_ROUTE, "none"));
        var tunnelClient = vertx.createNetClient(new NetClientOptions().setConnectTimeout(TUNNEL_CONNECT_TIMEOUT_MILLIS));
        InFlightRequests inFlight = new InFlightRequests(config.accessLog(), audit, clock, nanoClock);
        forwarder = new UpstreamForwarder(errors, config.oauth().replayBufferLimit(), clock, nanoClock);
        ProxyHandler handler = new ProxyHandler(serving::get, errors, forwarder,
                new ConnectTunnel(tunnelClient, errors), inFlight);
        listener = new ProxyListener(vertx, config.proxy(), handler, errors, inFlight);
        listener.start();
    }

    /** Compiles a policy and makes it serve new requests; requests in flight keep the one they started with. */
    private void activate(Policy policy) {
        PolicyRuntime next = PolicyRuntime.compile(policy, sources, clients, oauth, meterRegistry);
        PolicyRuntime previous = serving.getAndSet(next);
        Credentials replaced = credentialRegistry.replace(next.credentials);
        if (previous != null) {
            // Closing stops file watches only; values already taken by requests in flight stay with them.
            previous.close();
        } else if (replaced != null) {
            replaced.close();
        }
    }

    /** The Vault store, when {@code latchkey.vault.address} is set. */
    public Optional<VaultStore> vault() {
        return Optional.ofNullable(vault);
    }

    /** Re-reads the policy file now instead of waiting for the watcher. */
    public void reloadPolicyNow() {
        reloader.reloadIfChanged();
    }

    /** Where the data plane's meters are registered. */
    public MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /** The port the proxy listens on (useful when configured as 0). */
    public int port() {
        return listener.port();
    }

    @Override
    public void close() {
        if (listener != null) {
            listener.stop();
        }
        if (forwarder != null) {
            forwarder.close();
        }
        if (reloader != null) {
            reloader.close();
        }
        PolicyRuntime last = serving.getAndSet(null);
        if (last != null) {
            last.close();
        }
        if (clients != null) {
            clients.close();
        }
        if (vault != null) {
            vault.close();
        }
        if (fileWatcher != null) {
            fileWatcher.close();
        }
        LOG.debug("Data plane stopped");
    }
}
