-- Retention. Portable SQL: the same script runs on the embedded H2 database and on PostgreSQL.

-- Named leases for work that one Herald instance at a time does (the retention sweep). A lease is
-- taken by a conditional UPDATE of its row (free when expires_at has passed), or by inserting the
-- row the first time; the primary key makes exactly one of several racing inserts succeed.
-- Retention itself needs no new index: it reads and deletes each channel's oldest events through
-- the (channel, seq) primary key of herald_event, and lists channels through herald_channel's.
CREATE TABLE herald_lease (
    name       VARCHAR(128)             NOT NULL,
    owner      VARCHAR(128)             NOT NULL,
    expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_herald_lease PRIMARY KEY (name)
);
