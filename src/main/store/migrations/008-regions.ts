import type { Migration } from './migration.ts';

/**
 * Regions of interest of a source (issue 14): boxes drawn by hand in the studio's Timeline, or LMM regions
 * edited there, in the shape of src/shared/roi (inclusive working frames, a box in [0, 1] of the working frame,
 * a weight and a label). A box tracked through its clip is several rows over short frame ranges sharing one
 * `track` key, so moving or deleting the drawn box can act on all of them. Deleting the source deletes its rows.
 * (The regions an encode used are recorded in that encode's params_json as `roi`.)
 */
const migration: Migration = {
  version: 8,
  name: 'regions',
  sql: `
CREATE TABLE regions (
  id          INTEGER PRIMARY KEY,
  source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  track       TEXT    NOT NULL CHECK (length(track) > 0),
  first_frame INTEGER NOT NULL CHECK (first_frame >= 0),
  last_frame  INTEGER NOT NULL CHECK (last_frame >= first_frame),
  x           REAL    NOT NULL CHECK (x >= 0 AND x <= 1),
  y           REAL    NOT NULL CHECK (y >= 0 AND y <= 1),
  w           REAL    NOT NULL CHECK (w > 0 AND w <= 1),
  h           REAL    NOT NULL CHECK (h > 0 AND h <= 1),
  weight      REAL    NOT NULL CHECK (weight > 0),
  label       TEXT    NOT NULL,
  origin      TEXT    NOT NULL CHECK (origin IN ('hand', 'lmm', 'file')),
  updated_at  INTEGER NOT NULL
);
CREATE INDEX regions_source ON regions (source_id, first_frame);
`,
};

export default migration;
