package io.latchkey.admin;

import java.util.concurrent.CompletionException;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.latchkey.database.DatabaseUnavailableException;
import io.latchkey.secret.db.DbWriteConflict;

/** Admin API failures, each with a precise status and code; unexpected ones are logged by class, not by message. */
public class AdminExceptions {

    private static final Logger LOG = Logger.getLogger(AdminExceptions.class);

    @ServerExceptionMapper({ CompletionException.class, DatabaseUnavailableException.class, DbWriteConflict.class,
            IllegalArgumentException.class, NotConfigured.class })
    public Response map(RuntimeException failure) {
        return mapCause(failure instanceof CompletionException && failure.getCause() instanceof RuntimeException cause
                ? cause
                : failure);
    }

    private static Response mapCause(RuntimeException cause) {
        if (cause instanceof DatabaseUnavailableException) {
            return error(Response.Status.SERVICE_UNAVAILABLE, "database_unavailable", cause.getMessage());
        }
        if (cause instanceof DbWriteConflict) {
            return error(Response.Status.CONFLICT, "conflict", cause.getMessage());
        }
        if (cause instanceof IllegalArgumentException) {
            return error(Response.Status.BAD_REQUEST, "bad_request", cause.getMessage());
        }
        if (cause instanceof NotConfigured) {
            return error(Response.Status.SERVICE_UNAVAILABLE, "not_configured", cause.getMessage());
        }
        LOG.errorf("Admin API call failed: %s", cause.getClass().getName());
        return error(Response.Status.INTERNAL_SERVER_ERROR, "internal_error",
                "the call failed (" + cause.getClass().getSimpleName() + "); see the log");
    }

    static Response error(Response.Status status, String code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new AdminError(code, message))
                .build();
    }

    /** A part the call needs is not set up (the embedded store, the audit trail). */
    public static final class NotConfigured extends RuntimeException {
        public NotConfigured(String message) {
            super(message, null, false, false);
        }
    }
}
