import type { Migration } from './migration.ts';

/**
 * Which process runs a dialogue, so that one left 'running' by a process that died can be ended at the next
 * open, as encodes are. Rows from before this step get NULL: their owner is unknown and treated as gone.
 * The status CHECK of 002 has no 'interrupted', and SQLite cannot change a CHECK in place; rebuilding the
 * table would mean copying it under foreign_keys = ON (which a migration's transaction cannot switch off)
 * with lmm_rounds cascading from it, so a dead owner's dialogue ends 'failed' with an error text instead.
 */
const migration: Migration = {
  version: 3,
  name: 'lmm-owner',
  sql: `
ALTER TABLE lmm_transcripts ADD COLUMN owner_pid INTEGER;
CREATE INDEX lmm_transcripts_running ON lmm_transcripts(status) WHERE status = 'running';
`,
};

export default migration;
