import type { Migration } from './migration.ts';

/**
 * LMM dialogue transcripts and the answer cache. A transcript is one dialogue about one keyframe or clip;
 * its rounds keep every prompt and answer, including failed ones, so a failure mid-dialogue loses nothing
 * already answered. project_id and source_id are optional (a CLI run may have no project); when a source is
 * given, its project is filled in from it. The cache is global: its key is the sha-256 of the images, the
 * whole message history, the model and the sampling settings, so it is valid across projects.
 */
const migration: Migration = {
  version: 2,
  name: 'lmm',
  sql: `
CREATE TABLE lmm_transcripts (
  id               INTEGER PRIMARY KEY,
  project_id       INTEGER REFERENCES projects(id) ON DELETE CASCADE,
  source_id        INTEGER REFERENCES sources(id) ON DELETE CASCADE,
  item_kind        TEXT    NOT NULL CHECK (item_kind IN ('keyframe', 'clip')),
  item_index       INTEGER NOT NULL CHECK (item_index >= 0),
  frame_index      INTEGER NOT NULL CHECK (frame_index >= 0),
  model            TEXT    NOT NULL,
  prompt_version   TEXT    NOT NULL,
  settings_json    TEXT    NOT NULL,
  status           TEXT    NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
  started_at       INTEGER NOT NULL,
  duration_ms      INTEGER CHECK (duration_ms IS NULL OR duration_ms >= 0),
  description      TEXT,
  description_bits INTEGER CHECK (description_bits IS NULL OR description_bits >= 0),
  error            TEXT,
  CHECK ((status = 'done') = (description IS NOT NULL))
);
CREATE INDEX lmm_transcripts_item ON lmm_transcripts(source_id, item_kind, item_index);
CREATE INDEX lmm_transcripts_project ON lmm_transcripts(project_id);

CREATE TABLE lmm_rounds (
  id                INTEGER PRIMARY KEY,
  transcript_id     INTEGER NOT NULL REFERENCES lmm_transcripts(id) ON DELETE CASCADE,
  round_number      INTEGER NOT NULL CHECK (round_number >= 1),
  name              TEXT    NOT NULL,
  prompt            TEXT    NOT NULL,
  image_hashes_json TEXT    NOT NULL,
  answer            TEXT,
  model             TEXT    NOT NULL,
  settings_json     TEXT    NOT NULL,
  started_at        INTEGER NOT NULL,
  duration_ms       INTEGER NOT NULL CHECK (duration_ms >= 0),
  status            TEXT    NOT NULL CHECK (status IN ('ok', 'failed', 'cancelled')),
  cache_hit         INTEGER NOT NULL CHECK (cache_hit IN (0, 1)),
  cache_key         TEXT    NOT NULL CHECK (length(cache_key) = 64),
  error             TEXT,
  CHECK ((status = 'ok') = (answer IS NOT NULL)),
  UNIQUE (transcript_id, round_number)
);

CREATE TABLE lmm_answer_cache (
  key          TEXT    PRIMARY KEY CHECK (length(key) = 64),
  answer       TEXT    NOT NULL,
  model        TEXT    NOT NULL,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL,
  hits         INTEGER NOT NULL DEFAULT 0 CHECK (hits >= 0)
);
`,
};

export default migration;
