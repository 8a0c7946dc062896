import type { Migration } from './migration.ts';

/**
 * The span of the clip a clip description was written for: it ends at end_frame (exclusive) and starts at
 * frame_index, so after a re-selection a clip text goes only with the clip of exactly that span (a keyframe
 * text goes with its frame). Rows from before this step keep NULL: their span is unknown, and such a text
 * goes with the clip that starts at its frame, as before.
 */
const migration: Migration = {
  version: 5,
  name: 'descriptions-span',
  sql: `
ALTER TABLE descriptions ADD COLUMN end_frame INTEGER CHECK (end_frame IS NULL OR (item_kind = 'clip' AND end_frame > frame_index));
`,
};

export default migration;
