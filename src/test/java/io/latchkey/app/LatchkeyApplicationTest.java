package io.latchkey.app;

import static io.latchkey.app.ApplicationCalls.viaProxy;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.latchkey.health.MeterClock;
import io.latchkey.proxy.ProxyServer;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.netty.channel.epoll.Epoll;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;

/** The whole application: configuration, start-up, the proxy listener, health and metrics on the management port. */
@QuarkusTest
@QuarkusTestResource(UpstreamAndPolicyResource.class)
class LatchkeyApplicationTest {

    @Inject
    ProxyServer proxy;

    @Inject
    Vertx vertx;

    @Inject
    PrometheusMeterRegistry prometheus;

    @Inject
    MeterClock meterClock;

    @TestHTTPResource(value = "/health/ready", management = true)
    URL readiness;

    @TestHTTPResource(value = "/health/live", management = true)
    URL liveness;

    @TestHTTPResource(value = "/health/started", management = true)
    URL started;

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @Test
    void hostNamesAreResolvedWithoutBlockingAnEventLoop() {
        // Netty's DNS resolver, not the JDK's InetAddress (which Quarkus uses unless told otherwise).
        assertThat(((VertxInternal) vertx).nettyAddressResolverGroup()).isInstanceOf(DnsAddressResolverGroup.class);
    }

    @Test
    void eventLoopsRunOnEpollWhereThePlatformHasIt() {
        // The application ships Netty's epoll library for Linux on x86-64 and arm64 and asks Vert.x to prefer it.
        assumeTrue(System.getProperty("os.name").equals("Linux")
                && List.of("amd64", "aarch64").contains(System.getProperty("os.arch")));
        assertThat(vertx.isNativeTransportEnabled()).as("epoll unavailable: %s", Epoll.unavailabilityCause()).isTrue();
    }

    @Test
    void proxiesWithTheEnvironmentCredential() throws Exception {
        HttpResponse<String> response = viaProxy(proxy, "/echo/hello");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(UpstreamAndPolicyResource.upstream.last().headerValues("Authorization"))
                .containsExactly("Bearer " + UpstreamAndPolicyResource.ENV_SECRET);
    }

    @Test
    void unavailableCredentialAffectsOnlyItsRoute() throws Exception {
        assertThat(viaProxy(proxy, "/broken/x").statusCode()).isEqualTo(503);
        assertThat(viaProxy(proxy, "/echo/x").statusCode()).isEqualTo(200);
    }

    @Test
    void readinessReportsPolicyAndCredentials() {
        given().get(readiness).then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'policy' }.data.name", equalTo("application-test"))
                .body("checks.find { it.name == 'policy' }.data.routes", equalTo(4))
                .body("checks.find { it.name == 'credentials' }.data.token", equalTo("secret: available"))
                .body("checks.find { it.name == 'credentials' }.data.oauth-token",
                        org.hamcrest.Matchers.startsWith("oauth2: valid, expires "))
                .body("checks.find { it.name == 'credentials' }.data.missing",
                        equalTo("secret: unavailable (environment variable LATCHKEY_TEST_NOT_SET is not set)"));
    }

    @Test
    void livenessAndStartup() {
        given().get(liveness).then().statusCode(200).body("status", equalTo("UP"));
        given().get(started).then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void oauthTokenIsInjectedAndCounted() throws Exception {
        assertThat(viaProxy(proxy, "/oauth/x").statusCode()).isEqualTo(200);
        assertThat(UpstreamAndPolicyResource.upstream.last().headerValues("Authorization"))
                .containsExactly("Bearer app-oauth-token-1");
        String body = given().get(metrics).then().statusCode(200).extract().asString();
        assertThat(body).contains("latchkey_token_requests_total{credential=\"oauth-token\",outcome=\"success\"} 1.0")
                .contains("latchkey_token_request_seconds_count{credential=\"oauth-token\",outcome=\"success\"} 1");
    }

    @Test
    void metricsCountRequestsByRouteAndOutcome() throws Exception {
        viaProxy(proxy, "/echo/metrics");
        viaProxy(proxy, "/broken/metrics");
        viaProxy(proxy, "/nowhere");
        String body = given().get(metrics).then().statusCode(200).extract().asString();
        assertThat(body)
                .containsPattern(
                        "latchkey_proxy_requests_total\\{credential=\"token\",outcome=\"forwarded\",route=\"echo\"} [1-9]")
                .containsPattern(
                        "latchkey_proxy_requests_total\\{credential=\"missing\",outcome=\"credential_unavailable\",route=\"broken\"} [1-9]")
                .containsPattern("latchkey_proxy_requests_total\\{credential=\"none\",outcome=\"denied\",route=\"none\"} [1-9]")
                .contains("latchkey_proxy_overhead_seconds_bucket{route=\"echo\"")
                .contains("latchkey_upstream_latency_seconds_count{route=\"echo\"}")
                .containsPattern("latchkey_token_expiry_seconds\\{credential=\"oauth-token\"} [0-9]")
                .contains("latchkey_credential_available{credential=\"missing\"} 0.0")
                .containsPattern("latchkey_upstream_connections\\{origin=\"http://[^\"]+\",state=\"idle\"} [0-9]")
                .containsPattern("latchkey_upstream_waiting\\{origin=\"http://[^\"]+\"} 0.0")
                .doesNotContain("/echo/metrics").doesNotContain("/nowhere");
    }

    @Test
    void metersReadTheWallTimeOnceASecond() {
        assertThat(prometheus.config().clock()).isSameAs(meterClock);
        long first = meterClock.wallTime();
        await().atMost(Duration.ofSeconds(10)).until(() -> meterClock.wallTime() > first);
    }

    @Test
    void jvmMetersAreReadWhenScrapedNotHeardOnEveryCollection() {
        System.gc();
        String body = given().get(metrics).then().statusCode(200).extract().asString();
        assertThat(body).contains("jvm_memory_used_bytes{").contains("jvm_threads_live_threads ")
                .contains("jvm_classes_loaded_classes ").contains("jvm_info")
                .containsPattern("jvm_gc_collections_total\\{gc=\"[^\"]+\"} [1-9]")
                .contains("jvm_gc_collection_seconds_total{gc=")
                // Meters of the binders that listen to every collection (JvmGcMetrics, JvmHeapPressureMetrics).
                .doesNotContain("jvm_gc_pause_seconds").doesNotContain("jvm_gc_overhead")
                .doesNotContain("jvm_gc_memory_allocated_bytes");
    }

    @Test
    void metricsCountPolicyReloads() {
        String body = given().get(metrics).then().statusCode(200).extract().asString();
        assertThat(body).contains("latchkey_policy_reloads_total{outcome=\"applied\"} 0.0")
                .contains("latchkey_policy_reloads_total{outcome=\"rejected\"} 0.0");
    }

    @Test
    void noSecretInLogsHealthMetricsOrErrorBodies() throws Exception {
        String secret = UpstreamAndPolicyResource.ENV_SECRET;
        viaProxy(proxy, "/echo/x");
        viaProxy(proxy, "/oauth/x");
        String error = viaProxy(proxy, "/broken/x").body() + viaProxy(proxy, "/nowhere").body();
        String health = given().get(readiness).then().extract().asString();
        String metricsText = given().get(metrics).then().extract().asString();
        String log = read(Path.of("target/quarkus-application-test.log"));
        assertThat(log).contains("Policy application-test loaded")
                .containsPattern("GET route=echo status=200 latency_ms=[0-9.]+ bytes_in=0 bytes_out=[0-9]+ error=-")
                .containsPattern("GET route=broken status=503 .* error=credential_unavailable")
                .containsPattern("GET route=none status=403 .* error=no_route")
                .doesNotContain("/echo/x");
        assertThat(error).doesNotContain(secret);
        assertThat(health).doesNotContain(secret);
        assertThat(metricsText).doesNotContain(secret);
        assertThat(log).doesNotContain(secret);
        for (String oauthSecret : new String[] { UpstreamAndPolicyResource.OAUTH_CLIENT_SECRET, "app-oauth-token-" }) {
            assertThat(error).doesNotContain(oauthSecret);
            assertThat(health).doesNotContain(oauthSecret);
            assertThat(metricsText).doesNotContain(oauthSecret);
            assertThat(log).doesNotContain(oauthSecret);
        }
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }
}
