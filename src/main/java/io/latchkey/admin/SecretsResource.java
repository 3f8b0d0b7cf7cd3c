package io.latchkey.admin;

import java.util.List;
import java.util.concurrent.CompletionStage;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.latchkey.secret.Secret;
import io.latchkey.secret.ValueReference;
import io.latchkey.secret.db.DbSecretAdmin;
import io.latchkey.secret.db.EmbeddedStore;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The embedded store's {@code db:} secrets. Values go in and never come out: list shows names, versions, key ids
 * and times only.
 */
@Path("/admin/v1")
@Produces(MediaType.APPLICATION_JSON)
@RegisterForReflection(targets = { SecretsResource.SecretValue.class, SecretsResource.SecretList.class,
        DbSecretAdmin.Metadata.class, DbSecretAdmin.Reencryption.class })
public class SecretsResource {

    /** A value to store. Its text never appears in {@link #toString()}. */
    public static final class SecretValue {
        public String value;

        @Override
        public String toString() {
            return "SecretValue[redacted]";
        }
    }

    public record SecretList(List<DbSecretAdmin.Metadata> secrets) {
    }

    private final EmbeddedStore store;

    public SecretsResource(EmbeddedStore store) {
        this.store = store;
    }

    @GET
    @Path("/secrets")
    public CompletionStage<SecretList> list() {
        return admin().list().thenApply(SecretList::new);
    }

    @PUT
    @Path("/secrets/{name: .+}")
    @Consumes(MediaType.APPLICATION_JSON)
    public CompletionStage<DbSecretAdmin.Metadata> put(@PathParam("name") String name, SecretValue body) {
        checkName(name);
        if (body == null || body.value == null) {
            throw new IllegalArgumentException("send {\"value\": \"...\"}");
        }
        return admin().put(name, Secret.of(body.value));
    }

    @DELETE
    @Path("/secrets/{name: .+}")
    public CompletionStage<Response> delete(@PathParam("name") String name) {
        checkName(name);
        return admin().delete(name).thenApply(deleted -> deleted ? Response.noContent().build()
                : AdminExceptions.error(Response.Status.NOT_FOUND, "not_found", "no secret db:" + name));
    }

    /** Seals every value under the active key; run it after putting a new key first in latchkey.crypto.keys. */
    @POST
    @Path("/keys/re-encrypt")
    public CompletionStage<DbSecretAdmin.Reencryption> reencrypt() {
        return admin().reencryptAll();
    }

    private DbSecretAdmin admin() {
        return store.admin().orElseThrow(() -> new AdminExceptions.NotConfigured(store.unavailableReason()));
    }

    private static void checkName(String name) {
        if (!ValueReference.DB_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a secret name is 1-200 letters, digits, '.', '_', '-' or '/',"
                    + " starting with a letter or digit");
        }
    }
}
