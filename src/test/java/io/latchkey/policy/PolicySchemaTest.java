package io.latchkey.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;

/**
 * The JSON Schema shipped for IDEs and CI accepts every policy the repository shows, refuses what the loader
 * refuses for its shape, and names exactly the keys the loader knows.
 */
class PolicySchemaTest {

    static final Path SCHEMA = Path.of("src/main/resources/schema/egress-policy.schema.json");

    static JsonObject schema() throws IOException {
        return new JsonObject(Files.readString(SCHEMA));
    }

    static OutputUnit validate(String yaml) throws IOException {
        Object document = new Yaml().load(yaml);
        Validator validator = Validator.create(JsonSchema.of(schema()),
                new JsonSchemaOptions().setDraft(Draft.DRAFT7).setBaseUri("https://latchkey.io/"));
        return validator.validate(new JsonObject(Json.normalize(document)));
    }

    static Stream<Path> policies() throws IOException {
        Stream<Path> examples = Files.list(Path.of("examples")).filter(p -> p.toString().endsWith(".yaml"));
        return Stream.concat(examples, Stream.of(Path.of("src/test/resources/policies/design-example.yaml")))
                .sorted();
    }

    @ParameterizedTest
    @MethodSource("policies")
    void acceptsEveryPolicyTheRepositoryShows(Path policy) throws IOException {
        OutputUnit result = validate(Files.readString(policy));
        assertThat(result.getValid()).as(policy + ": " + result.getErrors()).isTrue();
    }

    @Test
    void acceptsThePoliciesInTheReadme() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int found = 0;
        for (String block : readme.split("```yaml\n")) {
            int end = block.indexOf("```");
            String yaml = end < 0 ? "" : block.substring(0, end);
            if (yaml.startsWith("apiVersion: latchkey.io/v1alpha1")) {
                OutputUnit result = validate(yaml);
                assertThat(result.getValid()).as(yaml + result.getErrors()).isTrue();
                found++;
            }
        }
        assertThat(found).isPositive();
    }

    @Test
    void refusesUnknownKeysAndTwoKindsAtOnce() throws IOException {
        assertThat(validate("""
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata: {name: x}
                spec:
                  routes:
                    - {name: a, prefix: /a, upstream: "https://example.com", timeout: 5s}
                """).getValid()).isFalse();
        assertThat(validate("""
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata: {name: x}
                spec:
                  credentials:
                    both: {secret: "env:A", basic: {username: "env:U", password: "env:P"}}
                  routes: []
                """).getValid()).isFalse();
        assertThat(validate("""
                apiVersion: latchkey.io/v1alpha1
                kind: EgressPolicy
                metadata: {name: x}
                spec:
                  credentials:
                    raw: {secret: "ghp_no_scheme"}
                  routes: []
                """).getValid()).isFalse();
    }

    @Test
    void namesExactlyTheKeysTheLoaderKnows() throws IOException {
        JsonObject schema = schema();
        JsonObject definitions = schema.getJsonObject("definitions");
        assertThat(keys(schema)).isEqualTo(PolicyParser.TOP_KEYS);
        assertThat(keys(schema.getJsonObject("properties").getJsonObject("metadata")))
                .isEqualTo(PolicyParser.METADATA_KEYS);
        assertThat(keys(schema.getJsonObject("properties").getJsonObject("spec"))).isEqualTo(PolicyParser.SPEC_KEYS);
        Set<String> credentialKeys = new java.util.HashSet<>(PolicyParser.CREDENTIAL_KINDS);
        credentialKeys.addAll(PolicyParser.CREDENTIAL_OPTIONS);
        assertThat(keys(definitions.getJsonObject("credential"))).isEqualTo(credentialKeys);
        assertThat(keys(definitions.getJsonObject("route"))).isEqualTo(RouteReader.ROUTE_KEYS);
        assertThat(keys(definitions.getJsonObject("injection"))).isEqualTo(RouteReader.INJECT_KINDS);
        assertThat(keys(definitions.getJsonObject("oauth2"))).isEqualTo(OAuth2SettingsReader.KEYS);
    }

    static Set<String> keys(JsonObject objectSchema) {
        return objectSchema.getJsonObject("properties").fieldNames();
    }

    /** YAML maps to JSON types (SnakeYAML gives Integer, Boolean, LinkedHashMap...). */
    static final class Json {
        @SuppressWarnings("unchecked")
        static Map<String, Object> normalize(Object document) {
            return (Map<String, Object>) document;
        }
    }
}
