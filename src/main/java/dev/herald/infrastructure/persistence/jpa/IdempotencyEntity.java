package dev.herald.infrastructure.persistence.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** An idempotency key that was published with, and the event it produced. */
@Entity
@Table(name = "herald_idempotency")
public class IdempotencyEntity {

    @Id
    @Column(name = "idempotency_key", length = 128)
    private String key;

    @Column(name = "channel", nullable = false, length = 161)
    private String channel;

    @Column(name = "seq", nullable = false)
    private long seq;

    @Column(name = "created_at", nullable = false)
    private Instant createdAt;

    protected IdempotencyEntity() {
    }

    IdempotencyEntity(String key, String channel, long seq, Instant createdAt) {
        this.key = key;
        this.channel = channel;
        this.seq = seq;
        this.createdAt = createdAt;
    }

    String key() {
        return key;
    }

    String channel() {
        return channel;
    }

    long seq() {
        return seq;
    }

    Instant createdAt() {
        return createdAt;
    }
}
