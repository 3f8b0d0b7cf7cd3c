package io.latchkey.secret.vault;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.latchkey.secret.Resolution;
import io.latchkey.secret.ValueSource;
import io.quarkus.vault.client.VaultClient;
import io.quarkus.vault.client.VaultClientException;
import io.quarkus.vault.client.auth.VaultAppRoleAuthOptions;
import io.quarkus.vault.client.auth.VaultKubernetesAuthOptions;
import io.quarkus.vault.client.auth.VaultStaticClientTokenAuthOptions;
import io.quarkus.vault.client.common.VaultRequest;
import io.quarkus.vault.client.common.VaultRequestExecutor;
import io.quarkus.vault.client.common.VaultResponse;
import io.quarkus.vault.client.http.vertx.VertxVaultHttpClient;
import io.vertx.core.Vertx;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/** Builds the Vault client on Quarkus's Vert.x, with the configured TLS trust and auth method. */
public final class VaultClients {

    private VaultClients() {
    }

    /**
     * @param token for token auth: the source of the Vault token, read at each login so a rotated file is used
     * @param secretId for approle auth: the source of the secret id
     */
    public static VaultClient create(Vertx vertx, VaultSettings settings, ValueSource token, ValueSource secretId) {
        return create(vertx, settings, token, secretId, java.time.InstantSource.system());
    }

    /**
     * @param clock decides when the Vault token is due for renewal
     */
    public static VaultClient create(Vertx vertx, VaultSettings settings, ValueSource token, ValueSource secretId,
            java.time.InstantSource clock) {
        WebClientOptions options = new WebClientOptions().setFollowRedirects(false)
                .setConnectTimeout((int) settings.requestTimeout().toMillis());
        settings.tlsCa().ifPresent(ca -> options.setSsl(true).setTrustOptions(new PemTrustOptions()
                .addCertPath(ca.toString())));
        VaultClient.Builder builder = VaultClient.builder()
                .baseUrl(settings.address().toString())
                .executor(new TransportFailures(new VertxVaultHttpClient(WebClient.create(vertx, options))))
                .requestTimeout(settings.requestTimeout())
                .instantSource(clock);
        settings.namespace().ifPresent(builder::namespace);
        switch (settings.authMethod()) {
            case TOKEN -> builder.clientToken(VaultStaticClientTokenAuthOptions.builder()
                    .customTokenProvider(request -> value(token, "latchkey.vault.auth.token")).build());
            case KUBERNETES -> builder.kubernetes(VaultKubernetesAuthOptions.builder()
                    .role(settings.kubernetesRole().orElseThrow())
                    .mountPath(settings.kubernetesMountPath())
                    .jwtTokenPath(settings.kubernetesJwtPath()).build());
            case APPROLE -> builder.appRole(VaultAppRoleAuthOptions.builder()
                    .mountPath(settings.approleMountPath())
                    .roleId(settings.approleRoleId().orElseThrow())
                    .customSecretIdProvider(request -> value(secretId, "latchkey.vault.auth.approle.secret-id"))
                    .build());
        }
        return builder.build();
    }

    /**
     * Vault's client wraps a request that got no answer (refused, reset, timed out) as a {@link VaultClientException}
     * without a status, and then, deciding whether to log in again, reads that status and fails with a bare
     * {@code NullPointerException} in place of the cause (quarkus-vault-client 4.4.0,
     * {@code VaultClientException.isPermissionDenied}). Such a failure leaves here as {@link VaultUnreachableException},
     * which the client passes on as it is.
     */
    private record TransportFailures(VaultRequestExecutor http) implements VaultRequestExecutor {

        @Override
        public <T> CompletionStage<VaultResponse<T>> execute(VaultRequest<T> request) {
            return http.execute(request).exceptionallyCompose(error -> {
                Throwable cause = VaultStore.unwrap(error);
                if (cause instanceof VaultClientException unanswered && unanswered.getStatus() == null) {
                    return CompletableFuture.failedFuture(new VaultUnreachableException(unanswered.getCause()));
                }
                return CompletableFuture.failedFuture(error);
            });
        }
    }

    private static CompletableFuture<String> value(ValueSource source, String property) {
        if (source == null) {
            return CompletableFuture.failedFuture(new IllegalStateException(property + " is not set"));
        }
        Resolution resolution = source.current();
        if (resolution instanceof Resolution.Available available) {
            return CompletableFuture.completedFuture(available.value().reveal());
        }
        return CompletableFuture.failedFuture(new IllegalStateException(
                property + ": " + ((Resolution.Unavailable) resolution).reason()));
    }
}
