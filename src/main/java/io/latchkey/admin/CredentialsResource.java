package io.latchkey.admin;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import io.latchkey.credential.CredentialRegistry;
import io.latchkey.credential.CredentialStatus;

/** The policy's credentials with their state, expiry and last error; never a value. */
@Path("/admin/v1/credentials")
@Produces(MediaType.APPLICATION_JSON)
public class CredentialsResource {

    public record CredentialList(List<CredentialStatus> credentials) {
    }

    private final CredentialRegistry registry;

    public CredentialsResource(CredentialRegistry registry) {
        this.registry = registry;
    }

    @GET
    public CredentialList list() {
        return new CredentialList(registry.statuses());
    }
}
