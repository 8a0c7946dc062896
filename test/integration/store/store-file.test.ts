import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MIGRATIONS, openStore, type Migration } from '../../../src/main/store/index.ts';
import { APPLICATION_ID } from '../../../src/main/store/migrate.ts';
import { M3cError } from '../../../src/shared/engine/errors.ts';
import { REPO_ROOT } from '../../helpers/media.ts';

const SHA = '01'.repeat(32);
let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-storefile-'));
  file = path.join(dir, 'project.m3cdb');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function openError(f: string, migrations?: readonly Migration[]): M3cError {
  try {
    openStore(f, migrations ? { migrations } : {}).close();
  } catch (e) {
    expect(e).toBeInstanceOf(M3cError);
    return e as M3cError;
  }
  throw new Error('expected openStore to fail');
}

/** Reads the file with a plain connection, as an independent check of what the store wrote. */
function raw<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(file, { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const TRANSCRIPTS: Migration = {
  version: MIGRATIONS.length + 1,
  name: 'future',
  sql: 'CREATE TABLE future (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE);',
};

describe('opening and migrating', () => {
  it('creates the whole schema from empty, in WAL mode with foreign keys on', () => {
    const store = openStore(file);
    expect(store.schemaVersion).toBe(MIGRATIONS.length);
    expect(store.journalMode).toBe('wal');
    store.close();
    const tables = raw((db) =>
      (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name),
    );
    expect(tables).toEqual(expect.arrayContaining(['analyses', 'descriptions', 'encodes', 'projects', 'selections', 'sources']));
    expect(raw((db) => db.pragma('application_id', { simple: true }))).toBe(APPLICATION_ID);
    expect(raw((db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');
  });

  it('reopens idempotently with the data intact', () => {
    const first = openStore(file);
    const p = first.createProject('persisted', { a: 1 });
    first.close();
    for (let i = 0; i < 2; i++) {
      const again = openStore(file);
      expect(again.schemaVersion).toBe(MIGRATIONS.length);
      expect(again.listProjects()).toEqual([p]);
      again.close();
    }
  });

  it('applies a later migration on top of an existing database, keeping its rows', () => {
    const v1 = openStore(file);
    const p = v1.createProject('old');
    v1.close();
    const v2 = openStore(file, { migrations: [...MIGRATIONS, TRANSCRIPTS] });
    expect(v2.schemaVersion).toBe(MIGRATIONS.length + 1);
    expect(v2.getProject(p.id)?.name).toBe('old');
    v2.close();
    expect(raw((db) => db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'future'").get())).toEqual({ n: 1 });
  });

  it('rolls a failing migration back whole and leaves the version where it was', () => {
    openStore(file).close();
    const broken: Migration = { version: MIGRATIONS.length + 1, name: 'broken', sql: 'CREATE TABLE half (x); SELECT * FROM nowhere;' };
    expect(() => openStore(file, { migrations: [...MIGRATIONS, broken] })).toThrow(M3cError);
    expect(raw((db) => db.pragma('user_version', { simple: true }))).toBe(MIGRATIONS.length);
    expect(raw((db) => db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'half'").get())).toEqual({ n: 0 });
  });

  it('refuses a database made by a newer version', () => {
    openStore(file, { migrations: [...MIGRATIONS, TRANSCRIPTS] }).close();
    const e = openError(file);
    expect(e.code).toBe('store');
    expect(e.message).toBe(
      `${file} has schema version ${MIGRATIONS.length + 1} but this M3C knows up to ${MIGRATIONS.length}: open it with a newer M3C`,
    );
  });

  it('refuses a misnumbered migration list', () => {
    const e = openError(file, [...MIGRATIONS, { ...TRANSCRIPTS, version: MIGRATIONS.length + 2 }]);
    expect(e.code).toBe('internal');
    expect(existsSync(file) ? raw((db) => db.pragma('user_version', { simple: true })) : 0).toBe(0);
  });

  it('refuses a file that is not a database, on one line', () => {
    writeFileSync(file, 'just some text, not SQLite\n'.repeat(200));
    const e = openError(file);
    expect(e.code).toBe('store');
    expect(e.message).toBe(`${file} is not an M3C project database (file is not a database): choose another file`);
    expect(e.message).not.toContain('\n');
  });

  it("refuses another program's SQLite database without touching it", () => {
    const other = new Database(file);
    other.exec('CREATE TABLE bookmarks (url TEXT)');
    other.close();
    const e = openError(file);
    expect(e.code).toBe('store');
    expect(e.message).toContain('database of another program');
    expect(raw((db) => db.pragma('user_version', { simple: true }))).toBe(0);
  });

  it('reports a missing directory as a store error', () => {
    const e = openError(path.join(dir, 'no', 'such', 'dir', 'p.m3cdb'));
    expect(e.code).toBe('store');
    expect(e.message).toMatch(/^cannot open project database .*: /);
  });
});

describe('crash consistency', () => {
  it('shows nothing of a transaction killed before commit and marks its running encode interrupted', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'crash-child.ts'), file], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.signal, child.stderr).toBe('SIGKILL');
    const ids = JSON.parse(child.stdout.trim()) as { projectId: number; sourceId: number; encodeId: number };
    // The uncommitted blob reached the WAL file: recovery, not an untouched cache, has to discard it.
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(8 * 1024 * 1024);

    const store = openStore(file);
    try {
      expect(store.listProjects().map((p) => p.name)).toEqual(['kept']);
      expect(store.listSources(ids.projectId)).toHaveLength(1);
      expect(store.listDescriptions(ids.sourceId)).toEqual([]);
      const encode = store.getEncode(ids.encodeId);
      expect(encode).toMatchObject({ status: 'interrupted', bytes: null });
      expect(encode?.error).toMatch(/ended before it finished/);
      expect(() => store.finishEncode(ids.encodeId, { bytes: 10, metrics: {} })).toThrow(`encode ${ids.encodeId} is interrupted, not running`);
    } finally {
      store.close();
    }
  });

  it('leaves encodes of live processes running and marks those from before the last boot', () => {
    const a = openStore(file);
    const p = a.createProject('p');
    const s = a.addSource({ projectId: p.id, path: 'x', probe: {}, contentSha256: SHA });
    const live = a.beginEncode({ sourceId: s.id, path: '/out/live.m3c', params: {} });
    const stale = a.beginEncode({ sourceId: s.id, path: '/out/stale.m3c', params: {} });
    const db = new Database(file);
    // Same live pid, but a start time before this machine booted: only a previous boot can have left it.
    db.prepare('UPDATE encodes SET started_at = 0 WHERE id = ?').run(stale);
    db.close();

    const b = openStore(file);
    expect(b.getEncode(live)?.status).toBe('running');
    expect(b.getEncode(stale)?.status).toBe('interrupted');
    expect(b.recoverInterrupted()).toBe(0);
    b.close();
    expect(a.finishEncode(live, { bytes: 5, metrics: null }).status).toBe('done');
    a.close();
  });
});
