package io.latchkey.audit;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** An {@link AuditEvent} as stored. Ids come from a sequence in blocks of 100, so batches insert without round trips. */
@Entity
@Table(name = "audit_event")
public class AuditEventEntity extends PanacheEntityBase {

    @Id
    @SequenceGenerator(name = "audit_event_seq", sequenceName = "audit_event_seq", allocationSize = 100)
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "audit_event_seq")
    public Long id;

    @Column(name = "occurred_at", nullable = false)
    public Instant occurredAt;

    @Column(nullable = false)
    public String kind;

    public String route;

    public String credential;

    public String subject;

    public String method;

    public String path;

    public Integer status;

    @Column(name = "latency_micros")
    public Long latencyMicros;

    @Column(nullable = false)
    public String decision;

    public String detail;

    static AuditEventEntity of(AuditEvent event) {
        AuditEventEntity entity = new AuditEventEntity();
        entity.occurredAt = event.at();
        entity.kind = event.kind().label();
        entity.route = clip(event.route(), 200);
        entity.credential = clip(event.credential(), 200);
        entity.subject = clip(event.subject(), 200);
        entity.method = clip(event.method(), 16);
        entity.path = clip(event.path(), 2048);
        entity.status = event.kind() == AuditEvent.Kind.REQUEST ? event.status() : null;
        entity.latencyMicros = event.kind() == AuditEvent.Kind.REQUEST ? event.latencyMicros() : null;
        entity.decision = clip(event.decision(), 64);
        entity.detail = clip(event.detail(), 512);
        return entity;
    }

    private static String clip(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }
}
