package dev.herald.infrastructure.persistence.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/** A stored event row. A persistence detail: the rest of Herald sees {@code dev.herald.domain.Event}. */
@Entity
@Table(name = "herald_event")
@IdClass(EventEntity.Key.class)
public class EventEntity {

    @Id
    @Column(name = "channel", length = 161)
    private String channel;

    @Id
    @Column(name = "seq")
    private long seq;

    @Column(name = "type", nullable = false, length = 64)
    private String type;

    @Column(name = "ts", nullable = false)
    private Instant ts;

    @Column(name = "data", nullable = false, length = 1_000_000)
    private String data;

    @Column(name = "correlation_id", length = 128)
    private String correlationId;

    protected EventEntity() {
    }

    EventEntity(String channel, long seq, String type, Instant ts, String data, String correlationId) {
        this.channel = channel;
        this.seq = seq;
        this.type = type;
        this.ts = ts;
        this.data = data;
        this.correlationId = correlationId;
    }

    String channel() {
        return channel;
    }

    long seq() {
        return seq;
    }

    String type() {
        return type;
    }

    Instant ts() {
        return ts;
    }

    String data() {
        return data;
    }

    String correlationId() {
        return correlationId;
    }

    /** Composite primary key (channel, seq). */
    public static class Key implements Serializable {
        private String channel;
        private long seq;

        public Key() {
        }

        public Key(String channel, long seq) {
            this.channel = channel;
            this.seq = seq;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && seq == k.seq && Objects.equals(channel, k.channel);
        }

        @Override
        public int hashCode() {
            return Objects.hash(channel, seq);
        }
    }
}
