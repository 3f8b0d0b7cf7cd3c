package io.latchkey.proxy;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * A route's meters, registered once per policy load so that the hot path only increments. Labels are the route's
 * name and its credentials' names: bounded by the policy, never taken from requests.
 */
final class RouteMeters {

    static final String NO_ROUTE = "none";

    final Counter forwarded;
    final Counter denied;
    final Counter credentialUnavailable;
    final Counter upstreamError;
    final Counter upstream401;
    final Counter upstream403;
    /** Time spent in Latchkey before the request leaves for the upstream. */
    final Timer overhead;
    /** Time from sending to the upstream's response head. */
    final Timer upstreamLatency;

    RouteMeters(MeterRegistry registry, String route, String credentials) {
        forwarded = requests(registry, route, credentials, "forwarded");
        denied = requests(registry, route, credentials, "denied");
        credentialUnavailable = requests(registry, route, credentials, "credential_unavailable");
        upstreamError = requests(registry, route, credentials, "upstream_error");
        upstream401 = Counter.builder("latchkey.upstream.auth.failures").tag("route", route)
                .tag("credential", credentials).tag("status", "401")
                .description("Upstream answers that refused the injected credential").register(registry);
        upstream403 = Counter.builder("latchkey.upstream.auth.failures").tag("route", route)
                .tag("credential", credentials).tag("status", "403")
                .description("Upstream answers that refused the injected credential").register(registry);
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

    /** Counts a failure answered by Latchkey itself. */
    void failed(ErrorCode code) {
        switch (code) {
            case CREDENTIAL_UNAVAILABLE -> credentialUnavailable.increment();
            case UPSTREAM_UNREACHABLE, UPSTREAM_PROTOCOL_ERROR, UPSTREAM_TIMEOUT -> upstreamError.increment();
            default -> denied.increment();
        }
    }

    void answered(int status, long sentNanos, long now) {
        upstreamLatency.record(now - sentNanos, TimeUnit.NANOSECONDS);
        if (status == 401) {
            upstream401.increment();
        } else if (status == 403) {
            upstream403.increment();
        }
    }
}
