package io.latchkey.admin;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import io.latchkey.audit.AuditEvent;
import io.latchkey.audit.AuditQuery;
import io.latchkey.database.DatabaseLifecycle;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The audit trail, newest first: {@code from} and {@code to} are ISO-8601 instants (default: the last hour),
 * {@code route} and {@code credential} narrow it, {@code page} (from 0) and {@code size} (up to 500) page it.
 */
@Path("/admin/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
@RegisterForReflection(targets = { AuditQuery.Result.class, AuditEvent.class, AuditEvent.Kind.class })
public class AuditResource {

    private final DatabaseLifecycle database;

    public AuditResource(DatabaseLifecycle database) {
        this.database = database;
    }

    @GET
    public CompletionStage<AuditQuery.Result> find(@QueryParam("from") String from, @QueryParam("to") String to,
            @QueryParam("route") String route, @QueryParam("credential") String credential,
            @QueryParam("page") @DefaultValue("0") int page, @QueryParam("size") @DefaultValue("100") int size) {
        Instant end = to == null ? Instant.now() : instant("to", to);
        Instant start = from == null ? end.minus(Duration.ofHours(1)) : instant("from", from);
        var filter = new AuditQuery.Filter(start, end, Optional.ofNullable(route), Optional.ofNullable(credential),
                page, size);
        return new AuditQuery(database.get().orElseThrow(
                () -> new AdminExceptions.NotConfigured("the audit trail needs the database (latchkey.database)")))
                .find(filter);
    }

    private static Instant instant(String parameter, String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(parameter + " must be an ISO-8601 instant such as 2026-11-26T10:00:00Z");
        }
    }
}
