package io.latchkey.app;

import static io.latchkey.app.ApplicationCalls.admin;
import static io.latchkey.app.ApplicationCalls.viaProxy;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.latchkey.proxy.ProxyServer;
import io.latchkey.secret.Resolution;
import io.latchkey.secret.Secret;
import io.latchkey.secret.ValueReference;
import io.latchkey.secret.crypto.KeyRing;
import io.latchkey.secret.crypto.SealedValue;
import io.latchkey.secret.crypto.SecretCipher;
import io.latchkey.secret.db.DbSecretStore;
import io.latchkey.secret.db.DbWriteConflict;
import io.latchkey.secret.db.EmbeddedStore;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * The embedded store, the admin API and the audit trail against the machine's PostgreSQL: values sealed at rest,
 * served to routes, never returned; check-and-set writes; key rotation; the audit trail written and queried.
 */
@QuarkusTest
@QuarkusTestResource(UpstreamAndPolicyResource.class)
class EmbeddedStoreTest {

    @Inject
    ProxyServer proxy;

    @Inject
    EmbeddedStore embedded;

    @Inject
    AgroalDataSource dataSource;

    @TestHTTPResource(value = "/metrics", management = true)
    URL metrics;

    @TestHTTPResource(value = "/health/ready", management = true)
    URL readiness;

    DbSecretStore store() {
        return embedded.get().orElseThrow();
    }

    @Test
    void adminApiRefusesCallsWithoutTheToken() {
        given().get("/admin/v1/secrets").then().statusCode(401)
                .header("WWW-Authenticate", "Bearer realm=\"latchkey-admin\"").body("error", equalTo("unauthorized"));
        given().header("Authorization", "Bearer not-the-token").get("/admin/v1/secrets").then().statusCode(401);
        given().header("Authorization", "Basic " + UpstreamAndPolicyResource.ADMIN_TOKEN).get("/admin/v1/credentials")
                .then().statusCode(401);
        given().header("Authorization", "Bearer " + UpstreamAndPolicyResource.ADMIN_TOKEN + "x")
                .put("/admin/v1/secrets/app/x").then().statusCode(401);
    }

    @Test
    void storedSecretServesItsRouteSealedAtRestAndIsNeverReturned() throws Exception {
        String value = "stored-value-" + System.nanoTime();
        admin().contentType(ContentType.JSON).body(Map.of("value", value)).put("/admin/v1/secrets/app/stored-token")
                .then().statusCode(200).body("name", equalTo("app/stored-token")).body("keyId", equalTo("test-k2"));

        HttpResponse<String> response = viaProxy(proxy, "/stored/user");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(UpstreamAndPolicyResource.upstream.last().headerValues("Authorization"))
                .containsExactly("Bearer " + value);

        String list = admin().get("/admin/v1/secrets").then().statusCode(200).extract().asString();
        assertThat(list).contains("app/stored-token").doesNotContain(value);

        Map<String, Object> row = row("app/stored-token");
        assertThat((byte[]) row.get("nonce")).hasSize(12);
        assertThat(new String((byte[]) row.get("ciphertext"), StandardCharsets.ISO_8859_1)).doesNotContain(value);
        assertThat(row.get("key_id")).isEqualTo("test-k2");
    }

    @Test
    void aCiphertextCopiedToAnotherNameDoesNotOpen() throws Exception {
        admin().contentType(ContentType.JSON).body(Map.of("value", "original-value")).put("/admin/v1/secrets/app/a")
                .then().statusCode(200);
        execute("DELETE FROM stored_secret WHERE name = 'app/copy'");
        execute("INSERT INTO stored_secret (name, key_id, nonce, ciphertext, version, created_at, updated_at)"
                + " SELECT 'app/copy', key_id, nonce, ciphertext, version, created_at, updated_at FROM stored_secret"
                + " WHERE name = 'app/a'");
        reload();

        Resolution copied = store().open(new ValueReference.Db("app/copy")).current();
        assertThat(copied).isInstanceOf(Resolution.Unavailable.class);
        assertThat(((Resolution.Unavailable) copied).reason()).contains("does not decrypt with key test-k2")
                .doesNotContain("original-value");
        assertThat(store().open(new ValueReference.Db("app/a")).current())
                .isEqualTo(Resolution.available(Secret.of("original-value")));
        execute("DELETE FROM stored_secret WHERE name = 'app/copy'");
        reload();
    }

    @Test
    void reencryptionMovesValuesSealedWithAnOlderKeyToTheActiveOne() throws Exception {
        SealedValue old = new SecretCipher(KeyRing.parse(UpstreamAndPolicyResource.OLDER_KEY)).seal("app/legacy",
                "legacy-value");
        execute("DELETE FROM stored_secret WHERE name = 'app/legacy'");
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement("INSERT INTO stored_secret (name, key_id,"
                        + " nonce, ciphertext, version, created_at, updated_at) VALUES ('app/legacy', ?, ?, ?, 1, ?, ?)")) {
            insert.setString(1, old.keyId());
            insert.setBytes(2, old.nonce());
            insert.setBytes(3, old.ciphertext());
            insert.setTimestamp(4, Timestamp.from(Instant.now()));
            insert.setTimestamp(5, Timestamp.from(Instant.now()));
            insert.executeUpdate();
        }
        reload();
        assertThat(store().open(new ValueReference.Db("app/legacy")).current())
                .isEqualTo(Resolution.available(Secret.of("legacy-value")));

        admin().post("/admin/v1/keys/re-encrypt").then().statusCode(200).body("activeKey", equalTo("test-k2"));

        assertThat(row("app/legacy").get("key_id")).isEqualTo("test-k2");
        assertThat(row("app/legacy").get("version")).isEqualTo(1);
        // Both the read of the new value and the re-encryption are credential events in the audit trail.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            var trail = admin().queryParam("size", 500).get("/admin/v1/audit").then().extract().jsonPath();
            assertThat(trail.getList("events.findAll { it.decision == 'secret_read' }.detail", String.class))
                    .contains("db:app/legacy version 1");
            assertThat(trail.getList("events.decision", String.class)).contains("secrets_reencrypted");
        });
        reload();
        assertThat(store().open(new ValueReference.Db("app/legacy")).current())
                .isEqualTo(Resolution.available(Secret.of("legacy-value")));
    }

    @Test
    void writesOfAReadValueAreCheckAndSet() throws Exception {
        admin().contentType(ContentType.JSON).body(Map.of("value", "first")).put("/admin/v1/secrets/app/cas")
                .then().statusCode(200);
        int version = (Integer) row("app/cas").get("version");

        store().writeIfUnchanged("app/cas", Secret.of("second"), version).toCompletableFuture().get(10,
                TimeUnit.SECONDS);
        assertThatThrownBy(() -> store().writeIfUnchanged("app/cas", Secret.of("stale"), version)
                .toCompletableFuture().get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(DbWriteConflict.class);

        assertThat(row("app/cas").get("version")).isEqualTo(version + 1);
        reload();
        assertThat(store().open(new ValueReference.Db("app/cas")).current())
                .isEqualTo(Resolution.available(Secret.of("second")));
    }

    @Test
    void deleteRemovesASecret() {
        admin().contentType(ContentType.JSON).body(Map.of("value", "short-lived")).put("/admin/v1/secrets/app/gone")
                .then().statusCode(200);
        admin().delete("/admin/v1/secrets/app/gone").then().statusCode(204);
        admin().delete("/admin/v1/secrets/app/gone").then().statusCode(404).body("error", equalTo("not_found"));
        assertThat(admin().get("/admin/v1/secrets").then().extract().asString()).doesNotContain("app/gone");
    }

    @Test
    void badValuesAndNamesAreRefusedPrecisely() {
        admin().contentType(ContentType.JSON).body(Map.of("value", "line\r\nX-Injected: 1"))
                .put("/admin/v1/secrets/app/bad").then().statusCode(400).body("error", equalTo("bad_request"));
        admin().contentType(ContentType.JSON).body(Map.of("value", "")).put("/admin/v1/secrets/app/bad").then()
                .statusCode(400);
        admin().contentType(ContentType.JSON).body(Map.of("other", "x")).put("/admin/v1/secrets/app/bad").then()
                .statusCode(400);
        admin().contentType(ContentType.JSON).body(Map.of("value", "x")).put("/admin/v1/secrets/-bad").then()
                .statusCode(400);
    }

    @Test
    void auditTrailRecordsRequestsWithoutQueriesAndIsQueriedByRoute() throws Exception {
        String marker = "audited-" + System.nanoTime();
        assertThat(viaProxy(proxy, "/echo/" + marker + "?api_key=query-value-never-stored").statusCode()).isEqualTo(200);
        assertThat(viaProxy(proxy, "/broken/" + marker).statusCode()).isEqualTo(503);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> admin().queryParam("route", "echo")
                .get("/admin/v1/audit").then().statusCode(200).body("events.find { it.path == '/" + marker + "' }.status",
                        equalTo(200)));
        var echo = admin().queryParam("route", "echo").get("/admin/v1/audit").then().extract().jsonPath();
        assertThat(echo.getString("events.find { it.path == '/" + marker + "' }.credential")).isEqualTo("token");
        assertThat(echo.getString("events.find { it.path == '/" + marker + "' }.decision")).isEqualTo("forwarded");
        assertThat(echo.getString("events.find { it.path == '/" + marker + "' }.kind")).isEqualTo("request");
        assertThat(echo.getList("events.route", String.class)).containsOnly("echo");

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> admin().queryParam("credential", "missing")
                .get("/admin/v1/audit").then().body("events.find { it.path == '/" + marker + "' }.decision",
                        equalTo("credential_unavailable")));

        String all = admin().queryParam("size", 500).get("/admin/v1/audit").then().extract().asString();
        assertThat(all).doesNotContain("query-value-never-stored").doesNotContain("api_key");

        admin().queryParam("from", "yesterday").get("/admin/v1/audit").then().statusCode(400)
                .body("error", equalTo("bad_request"));
        admin().queryParam("size", 501).get("/admin/v1/audit").then().statusCode(400);
        admin().queryParam("from", Instant.now().toString()).queryParam("to", Instant.now().minusSeconds(5).toString())
                .get("/admin/v1/audit").then().statusCode(400);
    }

    @Test
    void auditTrailPagesNewestFirst() throws Exception {
        Instant from = Instant.now().minusSeconds(1);
        String marker = "paged-" + System.nanoTime();
        for (int i = 0; i < 3; i++) {
            viaProxy(proxy, "/echo/" + marker + "/" + i);
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(admin().queryParam("route", "echo")
                .queryParam("from", from.toString()).queryParam("size", 500).get("/admin/v1/audit").then().extract()
                .jsonPath().getList("events.path", String.class)).contains("/" + marker + "/2"));
        List<String> first = admin().queryParam("route", "echo").queryParam("from", from.toString())
                .queryParam("size", 1).get("/admin/v1/audit").then().body("hasMore", equalTo(true)).extract()
                .jsonPath().getList("events.path", String.class);
        List<String> second = admin().queryParam("route", "echo").queryParam("from", from.toString())
                .queryParam("size", 1).queryParam("page", 1).get("/admin/v1/audit").then().extract().jsonPath()
                .getList("events.path", String.class);
        assertThat(first).hasSize(1);
        assertThat(second).hasSize(1).doesNotContainAnyElementsOf(first);
    }

    @Test
    void credentialsAreListedWithTheirState() {
        admin().get("/admin/v1/credentials").then().statusCode(200)
                .body("credentials.find { it.name == 'token' }.available", equalTo(true))
                .body("credentials.find { it.name == 'missing' }.available", equalTo(false))
                .body("credentials.find { it.name == 'missing' }.state", equalTo("unavailable"));
    }

    @Test
    void readinessReportsTheDatabase() {
        given().get(readiness).then().statusCode(200)
                .body("checks.find { it.name == 'database' }.status", equalTo("UP"))
                .body("checks.find { it.name == 'database' }.data.reachable", equalTo(true))
                .body("checks.find { it.name == 'database' }.data.dbSecrets", equalTo("readable"));
    }

    @Test
    void noStoredValueLeaksIntoResponsesLogsMetricsHealthOrTheAuditTrail() throws Exception {
        String value = "leak-canary-" + System.nanoTime();
        admin().contentType(ContentType.JSON).body(Map.of("value", value)).put("/admin/v1/secrets/app/canary")
                .then().statusCode(200);
        String malformed = admin().contentType(ContentType.JSON).body("{\"value\": \"" + value + "\"")
                .put("/admin/v1/secrets/app/canary").then().statusCode(400).extract().asString();
        String refused = admin().contentType(ContentType.JSON).body(Map.of("value", value + "\n\u0000"))
                .put("/admin/v1/secrets/app/canary").then().statusCode(400).extract().asString();
        String unauthenticated = given().header("Authorization", "Bearer " + value).get("/admin/v1/secrets").then()
                .statusCode(401).extract().asString();
        viaProxy(proxy, "/echo/canary");

        await().atMost(Duration.ofSeconds(20)).until(() -> admin().queryParam("size", 500).get("/admin/v1/audit")
                .then().extract().asString().contains("app/canary"));
        List<String> seen = List.of(malformed, refused, unauthenticated,
                admin().get("/admin/v1/secrets").then().extract().asString(),
                admin().get("/admin/v1/credentials").then().extract().asString(),
                admin().queryParam("size", 500).get("/admin/v1/audit").then().extract().asString(),
                given().get(metrics).then().extract().asString(),
                given().get(readiness).then().extract().asString(),
                Files.readString(Path.of("target/quarkus-application-test.log")));
        assertThat(seen).allSatisfy(text -> assertThat(text).doesNotContain(value));
    }

    private void reload() throws Exception {
        store().reload().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.createStatement().execute(sql);
        }
    }

    private Map<String, Object> row(String name) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "SELECT key_id, nonce, ciphertext, version FROM stored_secret WHERE name = ?")) {
            select.setString(1, name);
            try (ResultSet rows = select.executeQuery()) {
                assertThat(rows.next()).as("row " + name).isTrue();
                return Map.of("key_id", rows.getString(1), "nonce", rows.getBytes(2), "ciphertext", rows.getBytes(3),
                        "version", rows.getInt(4));
            }
        }
    }
}
