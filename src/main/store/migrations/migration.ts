/** One schema step: `sql` runs in its own transaction and the database's user_version becomes `version`. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /**
   * Runs the step with foreign keys off (checked with foreign_key_check before it commits), for a step that
   * rebuilds a table other tables refer to: with them on, dropping the old table would cascade to its children.
   */
  readonly foreignKeysOff?: boolean;
}
