package io.latchkey.audit;

import java.time.Instant;

/**
 * One line of the audit trail: a proxied request, or something that happened to a credential. It names routes,
 * credentials and outcomes; it never holds a value, a header, or a query string.
 *
 * @param path the request path relative to the route, without its query; null for credential events
 * @param status the HTTP status returned to the caller; 0 for credential events
 * @param decision {@code forwarded} or the error code for requests; for credential events what happened, such as
 *        {@code token_refreshed}
 */
public record AuditEvent(Instant at, Kind kind, String route, String credential, String subject, String method,
        String path, int status, long latencyMicros, String decision, String detail) {

    public enum Kind {
        REQUEST,
        CREDENTIAL;

        @com.fasterxml.jackson.annotation.JsonValue
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static AuditEvent credential(Instant at, String credential, String decision, String detail) {
        return new AuditEvent(at, Kind.CREDENTIAL, null, credential, null, null, null, 0, 0, decision, detail);
    }
}
