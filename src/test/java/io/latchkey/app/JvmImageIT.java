package io.latchkey.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.latchkey.testing.EchoUpstream;
import io.vertx.core.Vertx;

/**
 * The JVM image without a container engine: the packaged jar started with the JVM options the {@code Dockerfile}
 * composes, and the image's AppCDS training run ({@code src/main/docker/cds-training.sh}) followed by a start that
 * must map its archive.
 */
class JvmImageIT {

    static final Path DOCKERFILE = Path.of(System.getProperty("latchkey.dockerfile", "Dockerfile"));
    static final Path TRAINING = Path.of(System.getProperty("latchkey.cds-training", "src/main/docker/cds-training.sh"));
    static final String IMAGE_ARCHIVE = "/deployments/app-cds.jsa";
    static final Pattern ENV_PAIR = Pattern.compile("(\\w+)=(\"[^\"]*\"|\\S+)");
    static final Pattern VARIABLE = Pattern.compile("\\$\\{?(\\w+)}?");

    @TempDir
    Path directory;

    @Test
    void trainedArchiveIsMappedByTheImageOptionsAndTheSidecarProxies() throws Exception {
        Path archive = directory.resolve("app-cds.jsa");
        List<String> runtime = imageJvmOptions(archive);
        List<String> training = runtime.stream()
                .map(option -> option.equals("-XX:SharedArchiveFile=" + archive)
                        ? "-XX:ArchiveClassesAtExit=" + archive
                        : option)
                .toList();

        List<String> trainingCommand = new ArrayList<>(List.of("bash", TRAINING.toString(),
                PackagedApplicationIT.java()));
        trainingCommand.addAll(training);
        trainingCommand.addAll(List.of("-Xlog:cds=error", "-jar", PackagedApplicationIT.RUNNER.toString()));
        ProcessBuilder trainingRun = new ProcessBuilder(trainingCommand);
        trainingRun.environment().put("TRAINING_PROXY_PORT", Integer.toString(freePort()));
        trainingRun.environment().put("TRAINING_MANAGEMENT_PORT", Integer.toString(freePort()));
        Path trainingLog = directory.resolve("training.log");
        Process trainer = trainingRun.redirectErrorStream(true).redirectOutput(trainingLog.toFile()).start();
        assertThat(trainer.waitFor(120, TimeUnit.SECONDS)).as("the training run ends").isTrue();
        assertThat(trainer.exitValue()).as(Files.readString(trainingLog)).isZero();
        assertThat(Files.readString(trainingLog)).contains("route=training status=200")
                .doesNotContain("training-only");
        assertThat(archive).exists();

        Vertx vertx = Vertx.vertx();
        try (EchoUpstream upstream = EchoUpstream.http(vertx)) {
            Path policy = PackagedApplicationIT.echoPolicy(directory, upstream.port());
            // -Xshare:on turns "cannot use the archive" from a warning into a failed start.
            List<String> jvmOptions = new ArrayList<>(runtime);
            jvmOptions.addAll(List.of("-Xshare:on", "-Xlog:class+load=info:file=" + directory.resolve("classes.log")));
            Path output = directory.resolve("out.log");
            Process process = PackagedApplicationIT.start(policy, output, jvmOptions,
                    Map.of("IT_TOKEN", "image-it-token-93c7", "LATCHKEY_DATABASE_ENABLED", "false"));
            try {
                PackagedApplicationIT.assertProxiesWithToken(PackagedApplicationIT.awaitListening(output, process),
                        upstream, "image-it-token-93c7");
            } finally {
                PackagedApplicationIT.stopsOnSigterm(process);
            }
            assertThat(Files.readString(output)).doesNotContain("image-it-token-93c7");
            // Nor does the JVM warn about the image's options (-Xms8m -Xmn8m made it warn at every start).
            assertThat(Files.readAllLines(output)).noneMatch(line -> line.contains("][warning]"));
        } finally {
            vertx.close();
        }
        // The sidecar's own classes came from the archive that the training run wrote.
        List<String> classes = Files.readAllLines(directory.resolve("classes.log"));
        assertThat(classes).anySatisfy(line -> assertThat(line).contains("io.latchkey.proxy.DataPlane ")
                .contains("shared objects file (top)"));
        // And nearly all the others: with the jar on the JDK's class path the archive serves what start-up loads
        // without the jar being read (about 10 classes were read from it; with Quarkus's fast-jar layout and its
        // class loader, about 700 were, archive or not: application.properties).
        assertThat(classes.stream().filter(line -> line.contains("source: file:") || line.contains("source: jar:")))
                .as("classes read from the jar").hasSizeLessThan(100);
    }

    /**
     * The JVM options the image's {@code run-java.sh} passes: the base image's defaults (its
     * {@code java-default-options}, which reads the {@code GC_*} variables) followed by {@code JAVA_OPTS_APPEND}, as
     * the Dockerfile's {@code ENV} lines leave them, with the image's archive path moved to {@code archive}.
     */
    static List<String> imageJvmOptions(Path archive) throws IOException {
        Map<String, String> env = dockerfileEnvironment(Files.readAllLines(DOCKERFILE));
        String defaults = "-XX:MaxRAMPercentage=80.0 " + env.getOrDefault("GC_CONTAINER_OPTIONS", "-XX:+UseParallelGC")
                + " -XX:MinHeapFreeRatio=" + env.getOrDefault("GC_MIN_HEAP_FREE_RATIO", "10")
                + " -XX:MaxHeapFreeRatio=" + env.getOrDefault("GC_MAX_HEAP_FREE_RATIO", "20")
                + " -XX:GCTimeRatio=4 -XX:AdaptiveSizePolicyWeight=90 -XX:+ExitOnOutOfMemoryError";
        String options = defaults + " " + env.getOrDefault("JAVA_OPTS_APPEND", "");
        return List.of(options.replace(IMAGE_ARCHIVE, archive.toString()).trim().split("\\s+"));
    }

    /** The variables the Dockerfile's {@code ENV} lines set, in order, each expanding the ones set before it. */
    static Map<String, String> dockerfileEnvironment(List<String> lines) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : lines) {
            if (!line.startsWith("ENV ")) {
                continue;
            }
            Matcher pair = ENV_PAIR.matcher(line.substring(4));
            while (pair.find()) {
                String value = pair.group(2).replaceAll("^\"|\"$", "");
                env.put(pair.group(1), VARIABLE.matcher(value)
                        .replaceAll(variable -> Matcher.quoteReplacement(env.getOrDefault(variable.group(1), ""))));
            }
        }
        return env;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
