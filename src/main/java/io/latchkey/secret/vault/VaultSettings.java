package io.latchkey.secret.vault;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.latchkey.secret.ValueReference;

/**
 * How Latchkey reaches Vault: address, namespace, TLS trust, the auth method and its inputs, and how long read
 * values are cached.
 *
 * @param token for {@code token} auth: a reference ({@code env:VAULT_TOKEN}, {@code file:/path}) to the token
 * @param cacheTtl how long a read value is served before it is read again (a new version reaches requests within it)
 * @param grace how long past its TTL a cached value keeps serving while Vault is unreachable
 */
public record VaultSettings(
        URI address,
        Optional<String> namespace,
        Optional<Path> tlsCa,
        AuthMethod authMethod,
        Optional<ValueReference> token,
        String kubernetesMountPath,
        Optional<String> kubernetesRole,
        Path kubernetesJwtPath,
        String approleMountPath,
        Optional<String> approleRoleId,
        Optional<ValueReference> approleSecretId,
        Duration cacheTtl,
        Duration grace,
        Duration requestTimeout) {

    public enum AuthMethod {
        TOKEN,
        KUBERNETES,
        APPROLE
    }
}
