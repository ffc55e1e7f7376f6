-- The product's own measurements of each ECG (issue 18; waveform/ecg_measure.h), as the JSON
-- object of waveform/measurements_json.h. Written in the ECG's insert statement at ingest. ECGs
-- stored before this migration, or measured by an older method (version below the plugin's
-- kMeasureVersion), are measured by the plugin's background measurer at low priority
-- (plugin/measurement_backlog.h), which finds them through the primary key.
CREATE TABLE ecg_measurements (
  ecg_key      BIGINT PRIMARY KEY REFERENCES ecgs ON DELETE CASCADE,
  version      INTEGER NOT NULL,  -- the measuring method's version (kMeasureVersion)
  measurements JSONB NOT NULL,
  measured_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
