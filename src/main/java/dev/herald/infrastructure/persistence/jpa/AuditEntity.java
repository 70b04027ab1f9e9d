package dev.herald.infrastructure.persistence.jpa;

import dev.herald.application.audit.AuditOutcome;
import dev.herald.application.audit.AuditRecord;
import dev.herald.application.audit.AuditType;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** One audit record as stored; the application sees {@link AuditRecord}. */
@Entity
@Table(name = "herald_audit")
public class AuditEntity {

    /** The column's width; a longer detail is replaced by a note saying so. */
    static final int MAX_DETAIL = 4000;

    @Id
    @Column(name = "id", length = 64)
    private String id;

    @Column(name = "recorded_at", nullable = false)
    private Instant recordedAt;

    @Column(name = "record_type", nullable = false, length = 32)
    private String type;

    @Column(name = "outcome", nullable = false, length = 16)
    private String outcome;

    @Column(name = "user_name", length = 255)
    private String user;

    @Column(name = "instance", nullable = false, length = 64)
    private String instance;

    @Column(name = "connection_id", length = 64)
    private String connection;

    @Column(name = "transport", length = 16)
    private String transport;

    @Column(name = "channel", length = 161)
    private String channel;

    @Column(name = "detail", nullable = false, length = MAX_DETAIL)
    private String detail;

    protected AuditEntity() {
    }

    AuditEntity(AuditRecord r) {
        this.id = r.id();
        this.recordedAt = r.time();
        this.type = r.type().wire();
        this.outcome = r.outcome().wire();
        this.user = userOf(r);
        this.instance = r.instance();
        this.connection = r.connection();
        this.transport = r.transport();
        this.channel = r.channel();
        this.detail = detailOf(r);
    }

    /** The user as stored: cut to the column's width. */
    static String userOf(AuditRecord r) {
        return clip(r.user(), 255);
    }

    /** The detail as stored: a detail wider than the column is replaced by a note saying so. */
    static String detailOf(AuditRecord r) {
        return r.detail().length() <= MAX_DETAIL ? r.detail() : "{\"truncated\":true}";
    }

    AuditRecord toRecord() {
        return new AuditRecord(id, recordedAt, AuditType.parse(type).orElseThrow(), AuditOutcome.parse(outcome).orElseThrow(),
                user, instance, connection, transport, channel, detail);
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
