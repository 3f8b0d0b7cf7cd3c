package io.latchkey.proxy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

/**
 * A route's meters. Labels are the route's name and its credentials' names: bounded by the policy, never taken from
 * requests. They are registered when the route first sees a request, not when the policy loads: a policy of 10,000
 * routes would otherwise hold twenty thousand histograms for routes that may never be called. After that the hot
 * path reads one volatile field and increments.
 */
final class RouteMeters {

    static final String NO_ROUTE = "none";

    /**
     * The overhead histogram's buckets. Latchkey's own time is microseconds (tens of them at most when the credential
     * is at hand; seconds only while a token is fetched): Micrometer's percentile buckets start at 1 ms, where every
     * request would fall into the first. Twenty buckets also make recording cheaper than Micrometer's 69.
     */
    static final Duration[] OVERHEAD_BUCKETS = durations(5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3,
            5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1, 2.5, 5, 10);

    /** The upstream latency histogram's buckets: from a service beside the pod (100 µs) to a slow API (60 s). */
    static final Duration[] UPSTREAM_LATENCY_BUCKETS = durations(1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2,
            5e-2, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60);

    private static Duration[] durations(double... seconds) {
        Duration[] durations = new Duration[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            durations[i] = Duration.ofNanos(Math.round(seconds[i] * 1e9));
        }
        return durations;
    }

    /** The registered meters of one route. */
    private static final class Registered {
        final Counter forwarded;
        final Counter denied;
        final Counter credentialUnavailable;
        final Counter upstreamError;
        final Counter upstream401;
        final Counter upstream403;
        final Timer overhead;
        final Timer upstreamLatency;

        Registered(MeterRegistry registry, String route, String credentials) {
            forwarded = requests(registry, route, credentials, "forwarded");
            denied = requests(registry, route, credentials, "denied");
            credentialUnavailable = requests(registry, route, credentials, "credential_unavailable");
            upstreamError = requests(registry, route, credentials, "upstream_error");
            upstream401 = authFailures(registry, route, credentials, "401");
            upstream403 = authFailures(registry, route, credentials, "403");
            overhead = Timer.builder("latchkey.proxy.overhead").tag("route", route)
                    .description("Time spent in Latchkey before a request leaves for its upstream")
                    .serviceLevelObjectives(OVERHEAD_BUCKETS).register(registry);
            upstreamLatency = Timer.builder("latchkey.upstream.latency").tag("route", route)
                    .description("Time from sending a request upstream to its response head")
                    .serviceLevelObjectives(UPSTREAM_LATENCY_BUCKETS).register(registry);
        }

        private static Counter requests(MeterRegistry registry, String route, String credentials, String outcome) {
            return Counter.builder("latchkey.proxy.requests").tag("route", route).tag("credential", credentials)
                    .tag("outcome", outcome).description("Requests by route and outcome").register(registry);
        }

        private static Counter authFailures(MeterRegistry registry, String route, String credentials,
                String status) {
            return Counter.builder("latchkey.upstream.auth.failures").tag("route", route)
                    .tag("credential", credentials).tag("status", status)
                    .description("Upstream answers that refused the injected credential").register(registry);
        }
    }

    private final MeterRegistry registry;
    private final String route;
    private final String credentials;
    private volatile Registered registered;

    RouteMeters(MeterRegistry registry, String route, String credentials) {
        this.registry = registry;
        this.route = route;
        this.credentials = credentials;
    }

    private Registered meters() {
        Registered meters = registered;
        if (meters == null) {
            synchronized (this) {
                meters = registered;
                if (meters == null) {
                    registered = meters = new Registered(recordingRegistry(registry), route, credentials);
                }
            }
        }
        return meters;
    }

    /**
     * Where a route's meters are registered: the one registry behind a composite that holds only one (Quarkus's
     * global composite with Prometheus behind it, as shipped), else the registry given. A composite's meter records
     * through an iterator over its registries' meters on every call: 3% of the proxy's user time in a profile, twice
     * what the timer itself costs. Nothing is lost by going around it: Quarkus gives every registry the global meter
     * filters the composite has, and the registries are all in place before a route's first request registers its
     * meters. With two registries or more, the composite feeds them all.
     */
    static MeterRegistry recordingRegistry(MeterRegistry registry) {
        if (registry instanceof CompositeMeterRegistry composite && composite.getRegistries().size() == 1) {
            return composite.getRegistries().iterator().next();
        }
        return registry;
    }

    void forwarded() {
        meters().forwarded.increment();
    }

    /** Time spent in Latchkey before the request left for the upstream. */
    void overhead(long nanos) {
        meters().overhead.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Counts a failure answered by Latchkey itself. */
    void failed(ErrorCode code) {
        Registered meters = meters();
        switch (code) {
            case CREDENTIAL_UNAVAILABLE -> meters.credentialUnavailable.increment();
            case UPSTREAM_UNREACHABLE, UPSTREAM_PROTOCOL_ERROR, UPSTREAM_TIMEOUT -> meters.upstreamError.increment();
            default -> meters.denied.increment();
        }
    }

    void answered(int status, long sentNanos, long now) {
        Registered meters = meters();
        meters.upstreamLatency.record(now - sentNanos, TimeUnit.NANOSECONDS);
        if (status == 401) {
            meters.upstream401.increment();
        } else if (status == 403) {
            meters.upstream403.increment();
        }
    }
}
