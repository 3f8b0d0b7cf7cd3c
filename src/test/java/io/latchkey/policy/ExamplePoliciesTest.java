package io.latchkey.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.latchkey.secret.FileWatcher;
import io.latchkey.secret.ValueSources;

/** Every policy the repository shows people loads as written. */
class ExamplePoliciesTest {

    static Stream<Path> examples() throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(Path.of("examples"))) {
            files = list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        return files.stream();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void loads(Path example) throws IOException {
        PolicyParser parser = new PolicyParser(
                new ValueSources(name -> null, new FileWatcher(java.time.Duration.ofHours(1)))::checkSupported);
        Policy policy = parser.parse(Files.readString(example), example.toString());
        assertThat(policy.routes()).isNotEmpty();
    }
}
