/**
 * What every connection to a project database shares: how it is opened and configured, and a
 * cache of prepared statements (preparing is the costly part of a small query).
 */
import Database from 'better-sqlite3';

export const BUSY_TIMEOUT_MS = 5000;

/** Opens `file` with the busy timeout; the caller sets the journal mode where it owns the file. */
export function connect(file: string): Database.Database {
  return new Database(file, { timeout: BUSY_TIMEOUT_MS });
}

/** Foreign keys on; in WAL mode NORMAL loses no committed transaction on a process crash. */
export function configureConnection(db: Database.Database): void {
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
}

/** Prepared statements of one connection, prepared on first use and kept by their SQL. */
export class StatementCache {
  private readonly statements = new Map<string, Database.Statement>();
  constructor(private readonly db: Database.Database) {}

  get(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}
