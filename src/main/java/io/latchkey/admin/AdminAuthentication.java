package io.latchkey.admin;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Every call under {@code /admin} needs {@code Authorization: Bearer <token>}; anything else is 401. */
public class AdminAuthentication {

    private static final String BEARER = "Bearer ";

    private final AdminToken token;

    public AdminAuthentication(AdminToken token) {
        this.token = token;
    }

    @ServerRequestFilter(priority = jakarta.ws.rs.Priorities.AUTHENTICATION)
    public Response authenticate(ContainerRequestContext request) {
        if (!request.getUriInfo().getPath().startsWith("/admin")) {
            return null;
        }
        var off = token.unavailableReason();
        if (off.isPresent()) {
            return unauthorized(off.get());
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return unauthorized("send Authorization: Bearer <the admin token>");
        }
        if (!token.accepts(header.substring(BEARER.length()).trim())) {
            return unauthorized("the bearer token is not the admin token");
        }
        return null;
    }

    private static Response unauthorized(String message) {
        return Response.status(Response.Status.UNAUTHORIZED)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"latchkey-admin\"")
                .type(MediaType.APPLICATION_JSON_TYPE).entity(new AdminError("unauthorized", message)).build();
    }
}
