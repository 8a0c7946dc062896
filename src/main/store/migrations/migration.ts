/** One schema step: `sql` runs in its own transaction and the database's user_version becomes `version`. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}
