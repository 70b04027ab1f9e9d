-- The audit trail. Portable SQL: the same script runs on the embedded H2 database and on PostgreSQL.

-- One row per audit record. Searches read newest first by (recorded_at, id), which is also the
-- paging cursor; each filter has an index led by its column so a filtered page is an index range
-- read backwards. The channel filter is a prefix (LIKE 'prefix%'), which uses its index on H2 and,
-- on PostgreSQL, with the C collation; otherwise PostgreSQL reads the time index and filters.
-- "user" and "type" are reserved or awkward words, hence user_name and record_type.
CREATE TABLE herald_audit (
    id            VARCHAR(64)              NOT NULL,
    recorded_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    record_type   VARCHAR(32)              NOT NULL,
    outcome       VARCHAR(16)              NOT NULL,
    user_name     VARCHAR(255),
    instance      VARCHAR(64)              NOT NULL,
    connection_id VARCHAR(64),
    transport     VARCHAR(16),
    channel       VARCHAR(161),
    detail        VARCHAR(4000)            NOT NULL,
    CONSTRAINT pk_herald_audit PRIMARY KEY (id)
);

CREATE INDEX ix_herald_audit_time ON herald_audit (recorded_at, id);
CREATE INDEX ix_herald_audit_type ON herald_audit (record_type, recorded_at, id);
CREATE INDEX ix_herald_audit_user ON herald_audit (user_name, recorded_at, id);
CREATE INDEX ix_herald_audit_channel ON herald_audit (channel, recorded_at, id);
