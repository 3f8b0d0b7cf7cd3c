package io.latchkey.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The validate command platform teams run in CI: exit code and one line per problem. */
class PolicyValidationTest {

    @TempDir
    Path directory;

    String run(int expectedExit, String... files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int exit = PolicyValidation.run(files, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertThat(exit).isEqualTo(expectedExit);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void validPoliciesExitZero() {
        assertThat(run(0, "examples/quickstart-policy.yaml", "src/test/resources/policies/design-example.yaml"))
                .contains("examples/quickstart-policy.yaml: valid (policy quickstart, 2 routes, 2 credentials)")
                .contains("design-example.yaml: valid (policy example, 4 routes, 5 credentials)");
    }

    @Test
    void problemsArePrintedWithPathAndLineAndExitOne() throws IOException {
        Path bad = directory.resolve("bad.yaml");
        Files.writeString(bad, """
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata: {name: bad}
                spec:
                  routes:
                    - {name: a, prefix: /a, upstream: "ftp://x", inject: [{bearer: nope}]}
                """);
        assertThat(run(1, bad.toString(), "examples/quickstart-policy.yaml"))
                .contains("has 2 problems")
                .contains("line 6: spec.routes[0].upstream: expected an http:// or https:// URL")
                .contains("line 6: spec.routes[0].inject[0].bearer: unknown credential 'nope'")
                .contains("quickstart-policy.yaml: valid");
    }

    @Test
    void missingFileAndNoArguments() {
        assertThat(run(1, directory.resolve("absent.yaml").toString())).contains("cannot be read (NoSuchFileException)");
        assertThat(run(2)).startsWith("usage: validate");
    }
}
