package io.latchkey.secret.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.vault.client.VaultClient;

/**
 * Latchkey uses the Vault client as a library, without the extension that would register its JSON models for
 * reflection in a native image; {@code META-INF/native-image/.../reflect-config.json} does it instead. This test
 * keeps that file in step with the client jar: every class of the packages Latchkey uses is listed, and nothing
 * else, so upgrading the client cannot silently break the native image.
 */
class NativeReflectionConfigTest {

    static final List<String> PACKAGES = List.of("io/quarkus/vault/client/api/secrets/kv2/",
            "io/quarkus/vault/client/api/auth/token/", "io/quarkus/vault/client/api/auth/kubernetes/",
            "io/quarkus/vault/client/api/auth/approle/", "io/quarkus/vault/client/api/common/",
            "io/quarkus/vault/client/common/", "io/quarkus/vault/client/json/", "io/quarkus/vault/client/auth/");

    @Test
    void everyModelOfTheVaultPackagesInUseIsRegistered() throws Exception {
        Path jar = Path.of(VaultClient.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Set<String> inJar = new TreeSet<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            file.stream().map(entry -> entry.getName()).filter(name -> name.endsWith(".class"))
                    .filter(name -> PACKAGES.contains(name.substring(0, name.lastIndexOf('/') + 1)))
                    .forEach(name -> inJar.add(name.substring(0, name.length() - ".class".length()).replace('/', '.')));
        }
        List<Map<String, Object>> config;
        try (InputStream in = getClass().getResourceAsStream(
                "/META-INF/native-image/io.latchkey/latchkey/reflect-config.json")) {
            config = new ObjectMapper().readValue(in, new TypeReference<>() {
            });
        }
        Set<String> registered = config.stream().map(entry -> (String) entry.get("name"))
                .collect(Collectors.toCollection(TreeSet::new));

        assertThat(inJar).as("the client jar's classes in the packages used").hasSizeGreaterThan(100);
        assertThat(registered).isEqualTo(inJar);
        assertThat(registered).contains("io.quarkus.vault.client.api.secrets.kv2.VaultSecretsKV2ReadSecretData",
                "io.quarkus.vault.client.api.auth.kubernetes.VaultAuthKubernetesLoginResult",
                "io.quarkus.vault.client.api.auth.token.VaultAuthTokenLookupSelfResult");
        assertThat(config).allSatisfy(entry -> assertThat(entry).containsEntry("allDeclaredConstructors", true)
                .containsEntry("allDeclaredMethods", true).containsEntry("allDeclaredFields", true));
    }
}
