package io.latchkey.admin;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.latchkey.database.WithoutDatabase;
import io.quarkus.arc.profile.IfBuildProfile;

/**
 * The embedded store's and the audit trail's admin paths in the without-database build, which leaves their resources
 * out with the database: each answers 503 {@code not_configured} with the reason, as the full build does with the
 * database off, rather than a bare 404.
 */
@IfBuildProfile("without-database")
@Path("/admin/v1")
@Produces(MediaType.APPLICATION_JSON)
public class WithoutDatabaseResource {

    @GET
    @Path("/secrets")
    public void list() {
        throw new AdminExceptions.NotConfigured(WithoutDatabase.NO_STORE);
    }

    @PUT
    @Path("/secrets/{name: .+}")
    public void put() {
        throw new AdminExceptions.NotConfigured(WithoutDatabase.NO_STORE);
    }

    @DELETE
    @Path("/secrets/{name: .+}")
    public void delete() {
        throw new AdminExceptions.NotConfigured(WithoutDatabase.NO_STORE);
    }

    @POST
    @Path("/keys/re-encrypt")
    public void reencrypt() {
        throw new AdminExceptions.NotConfigured(WithoutDatabase.NO_STORE);
    }

    @GET
    @Path("/audit")
    public void audit() {
        throw new AdminExceptions.NotConfigured(WithoutDatabase.NO_AUDIT);
    }
}
