-- Stored identity checks (issue 18, the timeline's identity flag; storage/identity_check.h): for
-- each ECG embedded by a model, how well it matches its patient's other ECGs against the nearest
-- ECGs of other patients. Computed in the background by the plugin's search thread
-- (plugin/search/identity_backlog.h), so that a timeline of 200 ECGs reads them instead of running
-- 200 searches. A check is stale when the patient's number of embedded ECGs for the model has
-- changed since (an ECG came or went): patient_embedded records it, and the backlog computes the
-- check again.
CREATE TABLE identity_checks (
  model_id            BIGINT NOT NULL REFERENCES models ON DELETE CASCADE,
  ecg_key             BIGINT NOT NULL REFERENCES ecgs ON DELETE CASCADE,
  patient_key         BIGINT NOT NULL,
  patient_embedded    BIGINT NOT NULL,  -- the patient's ECGs embedded for the model, this one too
  z                   DOUBLE PRECISION,  -- null: nothing to compare (reason says why)
  suspicious          BOOLEAN,
  best_same_patient   DOUBLE PRECISION,
  population_mean     DOUBLE PRECISION,
  population_std      DOUBLE PRECISION,
  same_patient_count  INTEGER NOT NULL DEFAULT 0,
  population_count    INTEGER NOT NULL DEFAULT 0,
  reason              TEXT NOT NULL DEFAULT '',
  checked_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (model_id, ecg_key)
);
CREATE INDEX identity_checks_by_ecg ON identity_checks (ecg_key);
