package io.latchkey.audit;

/** Where audit events go. Recording never blocks and never fails the caller. */
@FunctionalInterface
public interface AuditTrail {

    AuditTrail NONE = event -> {
    };

    void record(AuditEvent event);
}
