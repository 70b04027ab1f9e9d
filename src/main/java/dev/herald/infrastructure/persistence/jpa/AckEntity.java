package dev.herald.infrastructure.persistence.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/** A user's acknowledged position on a channel. */
@Entity
@Table(name = "herald_ack")
@IdClass(AckEntity.Key.class)
public class AckEntity {

    @Id
    @Column(name = "user_id", length = 255)
    private String userId;

    @Id
    @Column(name = "channel", length = 161)
    private String channel;

    @Column(name = "seq", nullable = false)
    private long seq;

    @Column(name = "updated_at", nullable = false)
    private Instant updatedAt;

    protected AckEntity() {
    }

    AckEntity(String userId, String channel, long seq, Instant updatedAt) {
        this.userId = userId;
        this.channel = channel;
        this.seq = seq;
        this.updatedAt = updatedAt;
    }

    long seq() {
        return seq;
    }

    /** Composite primary key (user_id, channel). */
    public static class Key implements Serializable {
        private String userId;
        private String channel;

        public Key() {
        }

        public Key(String userId, String channel) {
            this.userId = userId;
            this.channel = channel;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(userId, k.userId) && Objects.equals(channel, k.channel);
        }

        @Override
        public int hashCode() {
            return Objects.hash(userId, channel);
        }
    }
}
