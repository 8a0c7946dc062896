import type { Migration } from './migration.ts';

/**
 * The classical anchor of a source, for the studio's R-D chart: every trial of the anchor search (a classical
 * codec forced down to our rates, src/main/pipeline/anchor.ts) with its rate and quality, as JSON. One row per
 * source, frames key (working geometry, fit and the span searched) and grid version: a search with another
 * grid, or at another geometry, is another row. Deleting the source deletes its rows.
 */
const migration: Migration = {
  version: 7,
  name: 'anchor-envelopes',
  sql: `
CREATE TABLE anchor_envelopes (
  id          INTEGER PRIMARY KEY,
  source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
  frames_key  TEXT    NOT NULL CHECK (length(frames_key) > 0),
  grid_key    TEXT    NOT NULL CHECK (length(grid_key) > 0),
  frames      INTEGER NOT NULL CHECK (frames > 0),
  points_json TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  UNIQUE (source_id, frames_key, grid_key)
);
`,
};

export default migration;
