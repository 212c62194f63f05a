-- pitbox-ingest schema, version 1. Applied once, in one transaction, by `pitbox-ingest migrate`
-- (and on start); recorded in pitbox_migrations.

-- Every event exactly once: the key is (studio, table, seq). `body` is the canonical text as
-- signed (verify it again at any time); `hash` is its chain hash, what event seq+1 carries as prev.
CREATE TABLE pitbox_events (
  studio       text        NOT NULL,
  table_name   text        NOT NULL,
  seq          bigint      NOT NULL CHECK (seq >= 1),
  id           uuid        NOT NULL,
  type         text        NOT NULL,
  round        bigint,
  ts           timestamptz NOT NULL,
  kid          text        NOT NULL,
  prev         text,
  hash         text        NOT NULL,
  body         text        NOT NULL,
  committed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  ingested_by  text        NOT NULL,
  PRIMARY KEY (studio, table_name, seq),
  UNIQUE (studio, table_name, id)
);

-- Results, one row per round.result event, written in the same transaction as the event.
CREATE TABLE pitbox_results (
  studio     text        NOT NULL,
  table_name text        NOT NULL,
  seq        bigint      NOT NULL,
  round      bigint,
  game       text        NOT NULL,
  data       jsonb       NOT NULL,
  ts         timestamptz NOT NULL,
  PRIMARY KEY (studio, table_name, seq),
  FOREIGN KEY (studio, table_name, seq) REFERENCES pitbox_events
);

-- Per table: how far the stream is complete and chained. Instances of a shared subscription
-- each see part of a table's events, in any order; the row lock on this row orders their
-- writes, and `contiguous` only moves over events whose prev is the hash of the one before.
-- Read events in order with `seq <= contiguous`.
CREATE TABLE pitbox_tables (
  studio          text        NOT NULL,
  table_name      text        NOT NULL,
  contiguous      bigint      NOT NULL,
  contiguous_hash text,
  highest         bigint      NOT NULL,
  first_seq       bigint      NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (studio, table_name)
);

-- Keys announced in births a trusted key signed: an instance that restarts resumes from them.
CREATE TABLE pitbox_keys (
  studio     text        NOT NULL,
  table_name text        NOT NULL,
  kid        text        NOT NULL,
  jwk        jsonb       NOT NULL,
  first_seen timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (studio, table_name, kid)
);

-- What was refused, and why: bad signatures, unknown tables or keys, malformed messages,
-- conflicting duplicates, a broken chain.
CREATE TABLE pitbox_violations (
  id          bigserial   PRIMARY KEY,
  studio      text,
  table_name  text,
  seq         bigint,
  code        text        NOT NULL,
  detail      text        NOT NULL,
  body        text,
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  ingested_by text        NOT NULL
);

-- Open gaps: seqs above the contiguous mark and below the highest stored that are missing.
CREATE VIEW pitbox_gaps AS
  SELECT t.studio, t.table_name, s.seq
  FROM pitbox_tables t
  CROSS JOIN LATERAL generate_series(t.contiguous + 1, t.highest - 1) AS s(seq)
  WHERE NOT EXISTS (SELECT 1 FROM pitbox_events e WHERE e.studio = t.studio AND e.table_name = t.table_name AND e.seq = s.seq);
