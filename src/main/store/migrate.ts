import type Database from 'better-sqlite3';
import { M3cError } from '../../shared/engine/errors.ts';
import type { Migration } from './migrations/index.ts';

/** PRAGMA application_id of M3C project databases ("M3CS"), so another program's SQLite file is never migrated. */
export const APPLICATION_ID = 0x4d334353;

/** Throws unless versions run 1, 2, 3... without gaps: a misnumbered file must fail loudly, not skip a step. */
export function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new M3cError('internal', `migration "${m.name}" has version ${m.version}, expected ${i + 1}`);
    }
  });
}

function checkForeignKeys(db: Database.Database, m: Migration): void {
  const broken = db.pragma('foreign_key_check') as unknown[];
  if (broken.length > 0) {
    throw new M3cError('internal', `migration "${m.name}" leaves ${broken.length} rows with a broken reference`);
  }
}

function userVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the database up to the last migration, each step in its own IMMEDIATE transaction that also
 * sets user_version, so a crash leaves the schema at a whole step and two processes opening the same
 * file at once do not both apply a step. Returns the resulting version.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[], file: string): number {
  checkMigrationList(migrations);
  const latest = migrations.length;
  const appId = db.pragma('application_id', { simple: true }) as number;
  const current = userVersion(db);
  if (appId !== APPLICATION_ID) {
    const tables = db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'").get() as { n: number };
    if (appId !== 0 || current !== 0 || tables.n > 0) {
      throw new M3cError('store', `${file} is an SQLite database of another program, not an M3C project: choose another file`);
    }
  }
  if (current > latest) {
    throw new M3cError(
      'store',
      `${file} has schema version ${current} but this M3C knows up to ${latest}: open it with a newer M3C`,
    );
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
    // The pragma is a no-op inside a transaction, so it is switched here, around the step's transaction.
    if (m.foreignKeysOff) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        if (userVersion(db) >= m.version) return;
        db.exec(m.sql);
        if (m.foreignKeysOff) checkForeignKeys(db, m);
        db.pragma(`application_id = ${APPLICATION_ID}`);
        db.pragma(`user_version = ${m.version}`);
      }).immediate();
    } finally {
      if (m.foreignKeysOff) db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
    }
  }
  return userVersion(db);
}
