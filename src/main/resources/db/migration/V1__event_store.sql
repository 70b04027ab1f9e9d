-- Herald's event store. Portable SQL: the same script runs on the embedded H2 database and on PostgreSQL.

-- One row per channel ever published to. Publishing increments head under the row lock, which
-- serializes appends per channel (and only per channel) across every Herald instance.
CREATE TABLE herald_channel (
    name VARCHAR(161) NOT NULL,
    head BIGINT       NOT NULL,
    CONSTRAINT pk_herald_channel PRIMARY KEY (name)
);

CREATE TABLE herald_event (
    channel        VARCHAR(161)             NOT NULL,
    seq            BIGINT                   NOT NULL,
    type           VARCHAR(64)              NOT NULL,
    ts             TIMESTAMP WITH TIME ZONE NOT NULL,
    data           VARCHAR(1000000)         NOT NULL,
    correlation_id VARCHAR(128),
    CONSTRAINT pk_herald_event PRIMARY KEY (channel, seq)
);

-- Cumulative acknowledgements: the last sequence a user's client processed on a channel.
CREATE TABLE herald_ack (
    user_id    VARCHAR(255)             NOT NULL,
    channel    VARCHAR(161)             NOT NULL,
    seq        BIGINT                   NOT NULL,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_herald_ack PRIMARY KEY (user_id, channel)
);
