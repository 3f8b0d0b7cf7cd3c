package io.latchkey.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.latchkey.testing.EchoUpstream;
import io.vertx.core.Vertx;

/**
 * The without-database build ({@code target/quarkus-app-without-database}, pom.xml's second Quarkus build): starts
 * without the database by default and proxies, never boots Hibernate ORM, and refuses a database it cannot use.
 */
class WithoutDatabaseBuildIT {

    static final Path RUNNER = Path.of(System.getProperty("latchkey.runner-without-database",
            "target/quarkus-app-without-database/quarkus-run.jar"));
    /** A class Hibernate ORM loads only while it builds a persistence unit's metamodel at start-up. */
    static final String METAMODEL_CLASS = "org.hibernate.boot.internal.MetadataImpl ";

    @TempDir
    Path directory;

    @Test
    void startsWithoutTheDatabaseAndProxiesWithoutBootingHibernate() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (EchoUpstream upstream = EchoUpstream.http(vertx)) {
            Path policy = PackagedApplicationIT.echoPolicy(directory, upstream.port());
            Path output = directory.resolve("out.log");
            Path classes = directory.resolve("classes.log");
            // No LATCHKEY_DATABASE_ENABLED: the build's own default must switch the database off.
            Process process = PackagedApplicationIT.start(RUNNER, policy, output,
                    List.of("-Xlog:class+load=info:file=" + classes), Map.of());
            try {
                PackagedApplicationIT.assertProxiesWithToken(PackagedApplicationIT.awaitListening(output, process),
                        upstream, "packaged-it-token-55e1");
            } finally {
                PackagedApplicationIT.stopsOnSigterm(process);
            }
            assertThat(Files.readString(output)).contains("Profiles without-database,prod activated")
                    .doesNotContain("packaged-it-token-55e1");
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
}
