package dev.herald.infrastructure.persistence.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** A named lease: who holds it and until when. */
@Entity
@Table(name = "herald_lease")
public class LeaseEntity {

    @Id
    @Column(name = "name", length = 128)
    private String name;

    @Column(name = "owner", nullable = false, length = 128)
    private String owner;

    @Column(name = "expires_at", nullable = false)
    private Instant expiresAt;

    protected LeaseEntity() {
    }

    LeaseEntity(String name, String owner, Instant expiresAt) {
        this.name = name;
        this.owner = owner;
        this.expiresAt = expiresAt;
    }
}
