package io.latchkey.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;

/** What a scrape shows of a route's timers: buckets that tell microseconds of overhead apart. */
class RouteMetersTest {

    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final RouteMeters meters = new RouteMeters(registry, "github", "token");

    @Test
    void overheadOfMicrosecondsFallsIntoItsOwnBucket() {
        meters.overhead(TimeUnit.MICROSECONDS.toNanos(20));
        meters.overhead(TimeUnit.MICROSECONDS.toNanos(300));
        String scrape = registry.scrape();
        assertThat(scrape)
                .contains("latchkey_proxy_overhead_seconds_bucket{route=\"github\",le=\"1.0E-5\",} 0.0")
                .contains("latchkey_proxy_overhead_seconds_bucket{route=\"github\",le=\"2.5E-5\",} 1.0")
                .contains("latchkey_proxy_overhead_seconds_bucket{route=\"github\",le=\"2.5E-4\",} 1.0")
                .contains("latchkey_proxy_overhead_seconds_bucket{route=\"github\",le=\"5.0E-4\",} 2.0")
                .contains("latchkey_proxy_overhead_seconds_bucket{route=\"github\",le=\"10.0\",} 2.0")
                .contains("latchkey_proxy_overhead_seconds_bucket{route=\"github\",le=\"+Inf\",} 2.0")
                .contains("latchkey_proxy_overhead_seconds_count{route=\"github\",} 2.0");
        assertThat(scrape.lines().filter(line -> line.startsWith("latchkey_proxy_overhead_seconds_bucket")))
                .hasSize(RouteMeters.OVERHEAD_BUCKETS.length + 1);
    }

    @Test
    void upstreamLatencyIsBucketedFromATenthOfAMillisecondToAMinute() {
        meters.answered(200, 1_000, 1_000 + TimeUnit.MILLISECONDS.toNanos(3));
        meters.answered(200, 1_000, 1_000 + TimeUnit.SECONDS.toNanos(45));
        String scrape = registry.scrape();
        assertThat(scrape)
                .contains("latchkey_upstream_latency_seconds_bucket{route=\"github\",le=\"1.0E-4\",} 0.0")
                .contains("latchkey_upstream_latency_seconds_bucket{route=\"github\",le=\"0.0025\",} 0.0")
                .contains("latchkey_upstream_latency_seconds_bucket{route=\"github\",le=\"0.005\",} 1.0")
                .contains("latchkey_upstream_latency_seconds_bucket{route=\"github\",le=\"30.0\",} 1.0")
                .contains("latchkey_upstream_latency_seconds_bucket{route=\"github\",le=\"60.0\",} 2.0");
        assertThat(scrape.lines().filter(line -> line.startsWith("latchkey_upstream_latency_seconds_bucket")))
                .hasSize(RouteMeters.UPSTREAM_LATENCY_BUCKETS.length + 1);
    }

    @Test
    void behindACompositeOfOneRegistryTheMetersRecordOnThatRegistryWithItsFilters() {
        CompositeMeterRegistry composite = new CompositeMeterRegistry();
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // As Quarkus configures them: the global filters on the composite and on each registry.
        composite.config().commonTags("pod", "latchkey-0");
        prometheus.config().commonTags("pod", "latchkey-0");
        composite.add(prometheus);
        RouteMeters behind = new RouteMeters(composite, "github", "token");
        behind.forwarded();
        behind.overhead(TimeUnit.MICROSECONDS.toNanos(20));

        assertThat(composite.getMeters()).as("nothing recorded through the composite").isEmpty();
        assertThat(prometheus.scrape())
                .contains("latchkey_proxy_requests_total{credential=\"token\",outcome=\"forwarded\",pod=\"latchkey-0\","
                        + "route=\"github\",} 1.0")
                .contains("latchkey_proxy_overhead_seconds_count{pod=\"latchkey-0\",route=\"github\",} 1.0");
    }

    @Test
    void behindACompositeOfTwoRegistriesBothGetTheMeters() {
        CompositeMeterRegistry composite = new CompositeMeterRegistry();
        PrometheusMeterRegistry first = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SimpleMeterRegistry second = new SimpleMeterRegistry();
        composite.add(first).add(second);
        RouteMeters behind = new RouteMeters(composite, "github", "token");
        behind.forwarded();

        assertThat(first.scrape()).contains(
                "latchkey_proxy_requests_total{credential=\"token\",outcome=\"forwarded\",route=\"github\",} 1.0");
        assertThat(second.get("latchkey.proxy.requests").tag("outcome", "forwarded").counter().count())
                .isEqualTo(1.0);
    }
}
