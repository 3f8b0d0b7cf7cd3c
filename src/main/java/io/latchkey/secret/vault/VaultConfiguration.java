package io.latchkey.secret.vault;

import java.util.Locale;
import java.util.Optional;

import io.latchkey.LatchkeyConfig;
import io.latchkey.secret.ValueReference;

/** Turns {@code latchkey.vault.*} into {@link VaultSettings}, failing start-up with the property at fault. */
public final class VaultConfiguration {

    private VaultConfiguration() {
    }

    public static Optional<VaultSettings> from(LatchkeyConfig.Vault vault) {
        if (vault.address().isEmpty()) {
            return Optional.empty();
        }
        VaultSettings.AuthMethod method;
        try {
            method = VaultSettings.AuthMethod.valueOf(vault.auth().method().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "latchkey.vault.auth.method must be token, kubernetes or approle, not " + vault.auth().method());
        }
        if (method == VaultSettings.AuthMethod.KUBERNETES && vault.auth().kubernetesRole().isEmpty()) {
            throw new IllegalArgumentException("latchkey.vault.auth.kubernetes-role is required for kubernetes auth");
        }
        if (method == VaultSettings.AuthMethod.APPROLE
                && (vault.auth().approleRoleId().isEmpty() || vault.auth().approleSecretId().isEmpty())) {
            throw new IllegalArgumentException(
                    "latchkey.vault.auth.approle-role-id and approle-secret-id are required for approle auth");
        }
        return Optional.of(new VaultSettings(vault.address().get(), vault.namespace(), vault.tlsCa(), method,
                Optional.of(reference("latchkey.vault.auth.token", vault.auth().token())),
                vault.auth().kubernetesMountPath(), vault.auth().kubernetesRole(), vault.auth().kubernetesJwtPath(),
                vault.auth().approleMountPath(), vault.auth().approleRoleId(),
                vault.auth().approleSecretId().map(r -> reference("latchkey.vault.auth.approle-secret-id", r)),
                vault.cacheTtl(), vault.grace(), vault.requestTimeout()));
    }

    private static ValueReference reference(String property, String text) {
        try {
            ValueReference reference = ValueReference.parse(text);
            if (reference instanceof ValueReference.Vault || reference instanceof ValueReference.Db) {
                throw new IllegalArgumentException("it must come from env: or file:");
            }
            return reference;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(property + ": " + e.getMessage());
        }
    }
}
