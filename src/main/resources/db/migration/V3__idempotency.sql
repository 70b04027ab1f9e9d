-- Exactly-once publishing. Portable SQL: the same script runs on the embedded H2 database and on PostgreSQL.

-- One row per idempotency key ever published with, inserted in the same transaction as its event:
-- of several transactions publishing one key, the primary key lets exactly one commit. The key is
-- one namespace across channels; channel and seq say which event it produced. The column is not
-- called "key", a reserved word in H2. Keys are kept until a later retention step removes old ones
-- (created_at is there for it).
CREATE TABLE herald_idempotency (
    idempotency_key VARCHAR(128)             NOT NULL,
    channel         VARCHAR(161)             NOT NULL,
    seq             BIGINT                   NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_herald_idempotency PRIMARY KEY (idempotency_key)
);
