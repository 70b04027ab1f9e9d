package dev.herald.application.audit;

/**
 * Where the application reports what it audits. Guarantee: {@link #record} never blocks and never
 * throws, whatever the state of the store or the broker behind it, so auditing can never hold up or
 * break a connection; a record that cannot be kept is counted as dropped instead.
 */
public interface AuditLog {

    /** Records nothing: for code wired without an audit trail. */
    AuditLog NONE = event -> { };

    void record(AuditEvent event);
}
