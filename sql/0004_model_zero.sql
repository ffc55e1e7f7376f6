-- Model zero (issue 17): the non-learned embedding that serves search before any training is a
-- model like the others, of kind 'zero' (learning/model_zero.h), with empty bytes. Every model
-- stored before this migration is a trained one ('learned'). At most one model zero exists, so
-- that several Orthanc servers starting at once register it once (INSERT ... ON CONFLICT).
ALTER TABLE models ADD COLUMN kind TEXT NOT NULL DEFAULT 'learned'
  CHECK (kind IN ('learned', 'zero'));
CREATE UNIQUE INDEX models_one_zero ON models ((true)) WHERE kind = 'zero';
