package dev.herald.infrastructure.persistence.jpa;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A channel's head sequence; its row lock orders appends to the channel. */
@Entity
@Table(name = "herald_channel")
public class ChannelEntity {

    @Id
    @Column(name = "name", length = 161)
    private String name;

    @Column(name = "head", nullable = false)
    private long head;

    protected ChannelEntity() {
    }

    ChannelEntity(String name, long head) {
        this.name = name;
        this.head = head;
    }

    long head() {
        return head;
    }
}
