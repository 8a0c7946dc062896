import type { Migration } from './migration.ts';

/**
 * Core schema. Timestamps are integer milliseconds since the Unix epoch; *_json columns hold JSON text.
 * Descriptions and encodes reach their project through their source (no duplicated project_id that could
 * disagree with it). Descriptions are keyed by frame so that a user's text stays attached to the frame it
 * describes when a new selection renumbers the items.
 */
const migration: Migration = {
  version: 1,
  name: 'core',
  sql: `
CREATE TABLE projects (
  id            INTEGER PRIMARY KEY,
  name          TEXT    NOT NULL CHECK (length(trim(name)) > 0),
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  settings_json TEXT    NOT NULL DEFAULT '{}'
);

CREATE TABLE sources (
  id             INTEGER PRIMARY KEY,
  project_id     INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  path           TEXT    NOT NULL,
  probe_json     TEXT    NOT NULL,
  content_sha256 TEXT    NOT NULL CHECK (length(content_sha256) = 64),
  added_at       INTEGER NOT NULL
);
CREATE INDEX sources_project ON sources(project_id);

CREATE TABLE analyses (
  id          INTEGER PRIMARY KEY,
  source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  width       INTEGER NOT NULL CHECK (width > 0),
  height      INTEGER NOT NULL CHECK (height > 0),
  fps_num     INTEGER NOT NULL CHECK (fps_num > 0),
  fps_den     INTEGER NOT NULL CHECK (fps_den > 0),
  embedder_id TEXT    NOT NULL,
  flow_id     TEXT    NOT NULL,
  frame_count INTEGER NOT NULL CHECK (frame_count >= 0),
  signals     BLOB    NOT NULL,
  created_at  INTEGER NOT NULL,
  UNIQUE (source_id, width, height, fps_num, fps_den, embedder_id, flow_id)
);

CREATE TABLE selections (
  id             INTEGER PRIMARY KEY,
  analysis_id    INTEGER NOT NULL REFERENCES analyses(id) ON DELETE CASCADE,
  params_json    TEXT    NOT NULL,
  keyframes_json TEXT    NOT NULL,
  overrides_json TEXT    NOT NULL,
  created_at     INTEGER NOT NULL
);
CREATE INDEX selections_analysis ON selections(analysis_id);

CREATE TABLE descriptions (
  id          INTEGER PRIMARY KEY,
  source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  item_kind   TEXT    NOT NULL CHECK (item_kind IN ('keyframe', 'clip')),
  item_index  INTEGER NOT NULL CHECK (item_index >= 0),
  frame_index INTEGER NOT NULL CHECK (frame_index >= 0),
  text        TEXT    NOT NULL,
  origin      TEXT    NOT NULL CHECK (origin IN ('user', 'lmm', 'file')),
  updated_at  INTEGER NOT NULL,
  UNIQUE (source_id, item_kind, frame_index)
);

CREATE TABLE encodes (
  id           INTEGER PRIMARY KEY,
  source_id    INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  selection_id INTEGER REFERENCES selections(id) ON DELETE SET NULL,
  status       TEXT    NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled', 'interrupted')),
  path         TEXT    NOT NULL,
  bytes        INTEGER CHECK (bytes IS NULL OR bytes >= 0),
  params_json  TEXT    NOT NULL,
  metrics_json TEXT,
  owner_pid    INTEGER NOT NULL,
  started_at   INTEGER NOT NULL,
  finished_at  INTEGER,
  error        TEXT
);
CREATE INDEX encodes_source ON encodes(source_id);
CREATE INDEX encodes_selection ON encodes(selection_id);
CREATE INDEX encodes_running ON encodes(status) WHERE status = 'running';
`,
};

export default migration;
