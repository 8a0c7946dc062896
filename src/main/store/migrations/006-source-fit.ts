import type { Migration } from './migration.ts';

/**
 * How each source is fitted into the working geometry when its shape differs ('crop', 'pad' or 'stretch';
 * rows from before this step keep 'crop', what every source got until now), and the fit as part of an
 * analysis's identity: the signals of a padded picture are not those of a cropped one, so an analysis made
 * with one fit is never found for another. The UNIQUE key of `analyses` cannot change in place, so the table
 * is rebuilt (with foreign keys off for this step, so its selections are not deleted by the copy) keeping
 * every id; existing analyses were all made with 'crop'.
 */
const migration: Migration = {
  version: 6,
  name: 'source-fit',
  foreignKeysOff: true,
  sql: `
ALTER TABLE sources ADD COLUMN fit TEXT NOT NULL DEFAULT 'crop' CHECK (fit IN ('crop', 'pad', 'stretch'));

CREATE TABLE analyses_new (
  id          INTEGER PRIMARY KEY,
  source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  width       INTEGER NOT NULL CHECK (width > 0),
  height      INTEGER NOT NULL CHECK (height > 0),
  fps_num     INTEGER NOT NULL CHECK (fps_num > 0),
  fps_den     INTEGER NOT NULL CHECK (fps_den > 0),
  fit         TEXT    NOT NULL DEFAULT 'crop' CHECK (fit IN ('crop', 'pad', 'stretch')),
  embedder_id TEXT    NOT NULL,
  flow_id     TEXT    NOT NULL,
  frame_count INTEGER NOT NULL CHECK (frame_count >= 0),
  signals     BLOB    NOT NULL,
  created_at  INTEGER NOT NULL,
  UNIQUE (source_id, width, height, fps_num, fps_den, fit, embedder_id, flow_id)
);
INSERT INTO analyses_new (id, source_id, width, height, fps_num, fps_den, fit, embedder_id, flow_id, frame_count, signals, created_at)
  SELECT id, source_id, width, height, fps_num, fps_den, 'crop', embedder_id, flow_id, frame_count, signals, created_at FROM analyses;
DROP TABLE analyses;
ALTER TABLE analyses_new RENAME TO analyses;
`,
};

export default migration;
