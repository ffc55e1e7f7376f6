-- 0001: the longitudinal ECG store.
-- Every table that grows with the number of ECGs carries patient_key (the Citus distribution
-- key, docs/scaling.md) and per-patient queries filter on it. The patient's name is not stored.

CREATE TABLE patients (
  patient_key          BIGSERIAL PRIMARY KEY,
  patient_id           TEXT NOT NULL,             -- DICOM PatientID (PHI: never logged)
  issuer_of_patient_id TEXT NOT NULL DEFAULT '',  -- DICOM IssuerOfPatientID, '' when absent
  orthanc_patient_id   TEXT NOT NULL,
  birth_date           DATE,                      -- NULL when unknown or malformed
  sex                  TEXT NOT NULL DEFAULT '',  -- 'M', 'F', 'O' or ''
  created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (patient_id, issuer_of_patient_id)
);
CREATE INDEX patients_by_orthanc_id ON patients (orthanc_patient_id);

CREATE TABLE ecgs (
  ecg_key                  BIGSERIAL PRIMARY KEY,
  patient_key              BIGINT NOT NULL REFERENCES patients ON DELETE CASCADE,
  sop_instance_uid         TEXT NOT NULL UNIQUE,
  orthanc_instance_id      TEXT NOT NULL UNIQUE,
  orthanc_series_id        TEXT NOT NULL,
  orthanc_study_id         TEXT NOT NULL,
  orthanc_patient_id       TEXT NOT NULL,
  study_instance_uid       TEXT NOT NULL,
  series_instance_uid      TEXT NOT NULL,
  sop_class_uid            TEXT NOT NULL,
  acquired_at              TIMESTAMPTZ,       -- device clock read as UTC (EcgMetadata)
  utc_offset_minutes       INTEGER,
  acquisition_time_source  TEXT NOT NULL DEFAULT '',
  patient_age_years        INTEGER,
  source_rate_hz           DOUBLE PRECISION NOT NULL,
  duration_ms              DOUBLE PRECISION NOT NULL,
  lead_mask                INTEGER NOT NULL,  -- LeadMask::Pack()
  manufacturer             TEXT NOT NULL DEFAULT '',
  model                    TEXT NOT NULL DEFAULT '',
  low_frequency_filter_hz  DOUBLE PRECISION,
  high_frequency_filter_hz DOUBLE PRECISION,
  notch_filter_hz          DOUBLE PRECISION,
  device_measurements      JSONB NOT NULL DEFAULT '[]',  -- [{name, code, value, unit}]
  statements               JSONB NOT NULL DEFAULT '[]',  -- ["text", ...]
  content_hash             BIGINT NOT NULL,   -- of metadata and signals: detects unchanged re-sends
  ingested_at              TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- The timeline: one patient's ECGs in time order.
CREATE INDEX ecgs_timeline ON ecgs (patient_key, acquired_at, ecg_key);
-- Deletes follow Orthanc's hierarchy.
CREATE INDEX ecgs_by_orthanc_series ON ecgs (orthanc_series_id);
CREATE INDEX ecgs_by_orthanc_study ON ecgs (orthanc_study_id);
CREATE INDEX ecgs_by_orthanc_patient ON ecgs (orthanc_patient_id);

-- Signals apart from the metadata: rows stay small for scans, blobs are fetched by key.
CREATE TABLE signals (
  ecg_key     BIGINT PRIMARY KEY REFERENCES ecgs ON DELETE CASCADE,
  patient_key BIGINT NOT NULL,
  signal      BYTEA NOT NULL,  -- storage/signal_codec.h: already zstd-compressed
  median_beat BYTEA            -- the same codec, NULL when the file had none
);
-- Already compressed: out of line, without pglz (4 to 7 times faster inserts).
ALTER TABLE signals ALTER COLUMN signal SET STORAGE EXTERNAL;
ALTER TABLE signals ALTER COLUMN median_beat SET STORAGE EXTERNAL;

CREATE TABLE models (
  model_id     BIGSERIAL PRIMARY KEY,
  name         TEXT NOT NULL,
  bytes        BYTEA NOT NULL,  -- the serialised model (TorchScript)
  config_json  JSONB NOT NULL DEFAULT '{}',
  metrics_json JSONB NOT NULL DEFAULT '{}',
  active       BOOLEAN NOT NULL DEFAULT false,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
ALTER TABLE models ALTER COLUMN bytes SET STORAGE EXTERNAL;
-- At most one active model.
CREATE UNIQUE INDEX models_one_active ON models ((true)) WHERE active;

CREATE TABLE embeddings (
  model_id    BIGINT NOT NULL REFERENCES models ON DELETE CASCADE,
  ecg_key     BIGINT NOT NULL REFERENCES ecgs ON DELETE CASCADE,
  patient_key BIGINT NOT NULL,
  dimension   INTEGER NOT NULL,
  vector      BYTEA NOT NULL,  -- dimension float32 values, little-endian
  PRIMARY KEY (model_id, ecg_key)
);
CREATE INDEX embeddings_by_ecg ON embeddings (ecg_key);

CREATE TABLE training_runs (
  run_id           BIGSERIAL PRIMARY KEY,
  status           TEXT NOT NULL DEFAULT 'queued'
                   CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'interrupted',
                                     'cancelled')),
  trigger          TEXT NOT NULL DEFAULT '',
  config_json      JSONB NOT NULL DEFAULT '{}',
  worker           TEXT NOT NULL DEFAULT '',
  device           TEXT NOT NULL DEFAULT '',
  phase            TEXT NOT NULL DEFAULT '',
  progress_percent DOUBLE PRECISION NOT NULL DEFAULT 0,
  progress_json    JSONB NOT NULL DEFAULT '{}',
  cancel_requested BOOLEAN NOT NULL DEFAULT false,
  queued_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  started_at       TIMESTAMPTZ,
  heartbeat_at     TIMESTAMPTZ,
  finished_at      TIMESTAMPTZ,
  ecg_count        BIGINT NOT NULL DEFAULT 0,
  metrics_json     JSONB NOT NULL DEFAULT '{}',
  reason           TEXT NOT NULL DEFAULT '',
  model_id         BIGINT REFERENCES models ON DELETE SET NULL,
  promoted         BOOLEAN NOT NULL DEFAULT false
);
-- Never two runs queued or running, whoever queues them.
CREATE UNIQUE INDEX training_runs_one_open ON training_runs ((true))
  WHERE status IN ('queued', 'running');

CREATE TABLE ingest_errors (
  orthanc_instance_id TEXT PRIMARY KEY,
  reason              TEXT NOT NULL,
  first_seen          TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_seen           TIMESTAMPTZ NOT NULL DEFAULT now(),
  attempts            BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX ingest_errors_by_last_seen ON ingest_errors (last_seen DESC);

CREATE TABLE ingest_cursor (
  name       TEXT PRIMARY KEY,
  change_seq BIGINT NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
