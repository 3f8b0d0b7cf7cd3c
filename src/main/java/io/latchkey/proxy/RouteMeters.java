package io.latchkey.proxy;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * A route's meters. Labels are the route's name and its credentials' names: bounded by the policy, never taken from
 * requests. They are registered when the route first sees a request, not when the policy loads: a policy of 10,000
 * routes would otherwise hold twenty thousand histograms for routes that may never be called. After that the hot
 * path reads one volatile field and increments.
 */
final class RouteMeters {

    static final String NO_ROUTE = "none";

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
                    .publishPercentileHistogram().register(registry);
            upstreamLatency = Timer.builder("latchkey.upstream.latency").tag("route", route)
                    .description("Time from sending a request upstream to its response head")
                    .publishPercentileHistogram().register(registry);
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
                    registered = meters = new Registered(registry, route, credentials);
                }
            }
        }
        return meters;
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
