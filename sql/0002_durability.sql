-- 0002: what makes the ingest cursor durable, and the reconciliation's record.

-- One row whose token lives exactly as long as the server has lost no commit. UNLOGGED tables are
-- emptied by crash recovery (an immediate stop, a killed postmaster or backend) and kept by a
-- clean shutdown, which flushes every commit first. The ingester saves its cursor only in a
-- flushed transaction that still finds the token it saw when it last saved one: that flush then
-- also covers every ingest commit made since, which did not wait for it (storage/commit_wait.h).
-- A missing or different token means commits may have been lost: the ingester goes back to the
-- cursor the database holds and replays Orthanc's change log from there.
CREATE UNLOGGED TABLE server_life (
  id    INTEGER PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  token TEXT NOT NULL
);

-- Each reconciliation of the store with the instances Orthanc holds (plugin/reconciler.h).
CREATE TABLE reconciliations (
  reconciliation_id  BIGSERIAL PRIMARY KEY,
  trigger            TEXT NOT NULL DEFAULT '',          -- "start", "schedule", "rest", "recovery"
  started_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
  finished_at        TIMESTAMPTZ,
  orthanc_instances  BIGINT NOT NULL DEFAULT 0,         -- instances Orthanc listed
  store_instances    BIGINT NOT NULL DEFAULT 0,         -- ECGs and ingest errors the store held
  removed            BIGINT NOT NULL DEFAULT 0,         -- gone from Orthanc: removed from the store
  added              BIGINT NOT NULL DEFAULT 0,         -- ECGs the store lacked: queued for ingest
  error              TEXT NOT NULL DEFAULT ''           -- why it stopped early, '' when it finished
);
