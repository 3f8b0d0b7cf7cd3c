package io.latchkey.app;

import static io.latchkey.app.ApplicationCalls.admin;
import static io.latchkey.app.ApplicationCalls.viaProxy;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.latchkey.audit.AuditLifecycle;
import io.latchkey.proxy.ProxyServer;
import io.latchkey.testing.TcpRelay;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;

/**
 * Latchkey starts while PostgreSQL is unreachable (a relay in front of it drops every connection), keeps proxying
 * static credentials, reports the database in readiness, holds audit events in its bounded buffer and counts what
 * overflows; when the database comes back, it applies its migrations and writes what it held.
 */
@QuarkusTest
@QuarkusTestResource(UpstreamAndPolicyResource.class)
@TestProfile(DatabaseOutageTest.Outage.class)
class DatabaseOutageTest {

    static final int BUFFER = 5;

    public static class Outage implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("latchkey.audit.buffer-size", Integer.toString(BUFFER),
                    "latchkey.database.retry-cap", "500ms");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RelayResource.class));
        }
    }

    public static class RelayResource implements QuarkusTestResourceLifecycleManager {
        static TcpRelay relay;

        @Override
        public Map<String, String> start() {
            relay = new TcpRelay(Vertx.vertx(), "127.0.0.1", 5432);
            String url = "postgresql://127.0.0.1:" + relay.port() + "/latchkey";
            return Map.of("quarkus.datasource.reactive.url", url, "quarkus.datasource.jdbc.url", "jdbc:" + url);
        }

        @Override
        public void stop() {
            relay.close();
        }
    }

    @Inject
    ProxyServer proxy;

    @Inject
    AuditLifecycle audit;

    @TestHTTPResource(value = "/health/ready", management = true)
    URL readiness;

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @Test
    void servesWithoutTheDatabaseBuffersTheAuditTrailAndCatchesUpWhenItReturns() throws Exception {
        String marker = "outage-" + System.nanoTime();
        for (int i = 0; i < 2 * BUFFER; i++) {
            assertThat(viaProxy(proxy, "/echo/" + marker).statusCode()).isEqualTo(200);
        }
        HttpResponse<String> stored = viaProxy(proxy, "/stored/x");
        assertThat(stored.statusCode()).isEqualTo(503);
        assertThat(stored.body()).contains("credential_unavailable");

        // The policy uses a db: secret that cannot be read: the database check is DOWN and says why.
        given().get(readiness).then().statusCode(503)
                .body("checks.find { it.name == 'database' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'database' }.data.reachable", equalTo(false))
                .body("checks.find { it.name == 'database' }.data.auditQueueDepth", equalTo(BUFFER));
        assertThat(audit.writer().orElseThrow().depth()).isEqualTo(BUFFER);
        double dropped = droppedCounter();
        assertThat(dropped).isGreaterThanOrEqualTo(BUFFER);
        // Drops are logged at the next flush, not only counted.
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(
                Path.of("target/quarkus-application-test.log")).contains("events dropped because " + BUFFER));
        admin().get("/admin/v1/audit").then().statusCode(503).body("error", equalTo("database_unavailable"));

        RelayResource.relay.restore();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get(readiness).then()
                .body("checks.find { it.name == 'database' }.data.reachable", equalTo(true))
                .body("checks.find { it.name == 'database' }.data.auditQueueDepth", equalTo(0)));
        // Events held during the outage are in the trail now.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> admin().queryParam("route", "echo")
                .queryParam("size", 500).get("/admin/v1/audit").then().statusCode(200)
                .body("events.findAll { it.path == '/" + marker + "' }.size()", greaterThanOrEqualTo(1)));
        assertThat(viaProxy(proxy, "/echo/" + marker).statusCode()).isEqualTo(200);
    }

    private double droppedCounter() {
        String text = given().get(metrics).then().extract().asString();
        return text.lines().filter(line -> line.startsWith("latchkey_audit_dropped_total"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

}
