package io.latchkey.app;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.latchkey.testing.EchoUpstream;
import io.vertx.core.Vertx;

/**
 * The without-database build ({@code target/quarkus-app-without-database}, pom.xml's without-database profile): holds
 * none of the database's libraries, starts without the database by default and proxies, answers the database's admin
 * paths with the reason, and refuses a database it cannot use.
 */
class WithoutDatabaseBuildIT {

    static final Path RUNNER = Path.of(System.getProperty("latchkey.runner-without-database",
            "target/quarkus-app-without-database/quarkus-run.jar"));
    /** A class Hibernate ORM loads only while it builds a persistence unit's metamodel at start-up. */
    static final String METAMODEL_CLASS = "org.hibernate.boot.internal.MetadataImpl ";
    private static final Pattern ADMIN_LISTENING = Pattern.compile("Listening on: http://127.0.0.1:(\\d+)");
    private static final String ADMIN_TOKEN = "without-database-it-admin-3b8e";

    @Test
    void holdsNoneOfTheDatabasesLibrariesNorItsMigrations() throws Exception {
        try (JarFile jar = new JarFile(RUNNER.toFile())) {
            List<String> names = Collections.list(jar.entries()).stream().map(entry -> entry.getName()).toList();
            assertThat(names).contains("io/latchkey/database/WithoutDatabase.class")
                    .noneMatch(name -> name.startsWith("org/hibernate/") || name.startsWith("org/flywaydb/")
                            || name.startsWith("org/postgresql/") || name.startsWith("io/vertx/pgclient/")
                            || name.startsWith("io/agroal/") || name.startsWith("com/arjuna/")
                            || name.startsWith("db/migration/"))
                    .doesNotContain("io/latchkey/secret/db/DbSecretStore.class", "io/latchkey/audit/AuditWriter.class");
        }
        try (JarFile full = new JarFile(PackagedApplicationIT.RUNNER.toFile())) {
            // The other side: the full build does carry them, so the names above are the right ones to look for.
            assertThat(full.getEntry("org/hibernate/reactive/mutiny/Mutiny.class")).isNotNull();
            assertThat(full.getEntry("io/latchkey/secret/db/DbSecretStore.class")).isNotNull();
        }
    }

    @TempDir
    Path directory;

    @Test
    void startsWithoutTheDatabaseAndProxiesWithoutBootingHibernate() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (EchoUpstream upstream = EchoUpstream.http(vertx)) {
            Path policy = PackagedApplicationIT.echoPolicy(directory, upstream.port());
            Path output = directory.resolve("out.log");
            Path classes = directory.resolve("classes.log");
            Path tokenFile = directory.resolve("admin-token");
            Files.writeString(tokenFile, ADMIN_TOKEN);
            // No LATCHKEY_DATABASE_ENABLED: the build's own default must switch the database off.
            Process process = PackagedApplicationIT.start(RUNNER, policy, output,
                    List.of("-Xlog:class+load=info:file=" + classes),
                    Map.of("LATCHKEY_ADMIN_TOKEN_FILE", tokenFile.toString()));
            try {
                PackagedApplicationIT.assertProxiesWithToken(PackagedApplicationIT.awaitListening(output, process),
                        upstream, "packaged-it-token-55e1");
                int adminPort = adminPort(output);
                assertNotConfigured(adminPort, "GET", "/admin/v1/secrets", "db: references need the database");
                assertNotConfigured(adminPort, "PUT", "/admin/v1/secrets/github/token", "db: references need the database");
                assertNotConfigured(adminPort, "GET", "/admin/v1/audit", "the audit trail needs the database");
            } finally {
                PackagedApplicationIT.stopsOnSigterm(process);
            }
            assertThat(Files.readString(output)).contains("Profile without-database activated")
                    .doesNotContain("packaged-it-token-55e1").doesNotContain("\"level\":\"WARN\"");
            assertThat(Files.readString(classes)).doesNotContain(METAMODEL_CLASS);
        } finally {
            vertx.close();
        }
    }

    @Test
    void theFullBuildDoesBootHibernateWithTheDatabaseOff() throws Exception {
        // The other side of the previous test: the marker class is the right one to look for.
        Path policy = PackagedApplicationIT.echoPolicy(directory, 9);
        Path output = directory.resolve("full.log");
        Path classes = directory.resolve("full-classes.log");
        Process process = PackagedApplicationIT.start(PackagedApplicationIT.RUNNER, policy, output,
                List.of("-Xlog:class+load=info:file=" + classes), Map.of("LATCHKEY_DATABASE_ENABLED", "false"));
        try {
            PackagedApplicationIT.awaitListening(output, process);
        } finally {
            PackagedApplicationIT.stopsOnSigterm(process);
        }
        assertThat(Files.readString(classes)).contains(METAMODEL_CLASS);
    }

    @Test
    void refusesTheDatabaseWithTheReason() throws Exception {
        Path policy = PackagedApplicationIT.echoPolicy(directory, 9);
        assertThat(PackagedApplicationIT.failedStartUp(RUNNER, policy, directory.resolve("refused.log"),
                Map.of("LATCHKEY_DATABASE_ENABLED", "true"))).contains(
                        "latchkey.database.enabled (LATCHKEY_DATABASE_ENABLED) is true, but this is the without-database build")
                .doesNotContain("Latchkey proxy listening");
    }

    /** Quarkus logs its own ports once started, just after the proxy's line. */
    private static int adminPort(Path output) throws Exception {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .pollInterval(java.time.Duration.ofMillis(50))
                .until(() -> ADMIN_LISTENING.matcher(Files.readString(output)).find());
        Matcher listening = ADMIN_LISTENING.matcher(Files.readString(output));
        assertThat(listening.find()).isTrue();
        return Integer.parseInt(listening.group(1));
    }

    /** Past the admin token, the path answers 503 not_configured with the reason, not 404. */
    private static void assertNotConfigured(int port, String method, String path, String reason) {
        given().header("Authorization", "Bearer " + ADMIN_TOKEN).contentType("application/json")
                .body(method.equals("PUT") ? "{\"value\":\"v\"}" : "")
                .request(method, "http://127.0.0.1:" + port + path)
                .then().statusCode(503).body("error", equalTo("not_configured")).body("message", containsString(reason));
    }
}
