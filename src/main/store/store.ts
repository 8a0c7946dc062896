import type Database from 'better-sqlite3';
import os from 'node:os';
import { M3cError } from '../../shared/engine/errors.ts';
import { configureConnection, connect, StatementCache } from './connection.ts';
import { migrate } from './migrate.ts';
import { MIGRATIONS, type Migration } from './migrations/index.ts';
import { EncodeStatements } from './encodes.ts';
import { RegionStatements } from './regions.ts';
import { fromJson, isSqliteError, requireNonNegativeInt, toBytes, toJson, type Row } from './rows.ts';
import type { Fit } from '../../shared/api/contract.ts';
import type {
  AnalysisKey,
  AnalysisRecord,
  DecodeRecord,
  DescriptionInput,
  DescriptionItemKind,
  DescriptionOrigin,
  DescriptionRecord,
  EncodeFilter,
  EncodeRecord,
  NewAnalysis,
  NewDecode,
  NewEncode,
  NewSelection,
  NewSource,
  ProjectRecord,
  SelectionRecord,
  SourceRecord,
} from './types.ts';

export interface OpenStoreOptions {
  /** Schema steps to apply; tests pass a longer list to simulate a newer program. */
  readonly migrations?: readonly Migration[];
}

/** Whether the process that began an encode or an LMM dialogue may still be writing it. */
function ownerMayBeAlive(pid: number, startedAt: number, bootTime: number): boolean {
  // A row from before the last boot is dead whatever its pid now names; this also covers pid reuse across reboots.
  if (startedAt < bootTime) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function projectRow(r: Row): ProjectRecord {
  return {
    id: r.id as number,
    name: r.name as string,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    settings: fromJson(r.settings_json),
  };
}

function sourceRow(r: Row): SourceRecord {
  return {
    id: r.id as number,
    projectId: r.project_id as number,
    path: r.path as string,
    probe: fromJson(r.probe_json),
    contentSha256: r.content_sha256 as string,
    addedAt: r.added_at as number,
    fit: r.fit as Fit,
  };
}

function analysisRow(r: Row): AnalysisRecord {
  return {
    id: r.id as number,
    sourceId: r.source_id as number,
    geometry: {
      width: r.width as number,
      height: r.height as number,
      fpsNum: r.fps_num as number,
      fpsDen: r.fps_den as number,
      fit: r.fit as Fit,
    },
    embedderId: r.embedder_id as string,
    flowId: r.flow_id as string,
    frameCount: r.frame_count as number,
    signals: toBytes(r.signals),
    createdAt: r.created_at as number,
  };
}

function selectionRow(r: Row): SelectionRecord {
  return {
    id: r.id as number,
    analysisId: r.analysis_id as number,
    params: fromJson(r.params_json),
    keyframes: fromJson(r.keyframes_json) as number[],
    overrides: fromJson(r.overrides_json),
    createdAt: r.created_at as number,
  };
}

function descriptionRow(r: Row): DescriptionRecord {
  return {
    id: r.id as number,
    projectId: r.project_id as number,
    sourceId: r.source_id as number,
    itemKind: r.item_kind as DescriptionItemKind,
    itemIndex: r.item_index as number,
    frameIndex: r.frame_index as number,
    endFrame: r.end_frame as number | null,
    text: r.text as string,
    origin: r.origin as DescriptionOrigin,
    updatedAt: r.updated_at as number,
  };
}

const DESCRIPTION_SELECT = `SELECT d.*, s.project_id FROM descriptions d JOIN sources s ON s.id = d.source_id`;

/**
 * The project database. Every SQL statement of the application lives in this class and the modules
 * beside it (encodes.ts, lmm.ts); callers use its typed methods. Each method is atomic; `transaction` groups several into one.
 */
export class Store {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly statements: StatementCache;
  private readonly encodes: EncodeStatements;
  /** A source's regions of interest (migration 008, regions.ts). */
  readonly regions: RegionStatements;

  constructor(db: Database.Database, file: string) {
    this.db = db;
    this.file = file;
    this.statements = new StatementCache(db);
    this.encodes = new EncodeStatements({ stmt: (sql) => this.stmt(sql), write: (what, fn) => this.write(what, fn) });
    this.regions = new RegionStatements({ stmt: (sql) => this.stmt(sql), write: (what, fn) => this.write(what, fn) });
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  get journalMode(): string {
    return this.db.pragma('journal_mode', { simple: true }) as string;
  }

  private stmt(sql: string): Database.Statement {
    return this.statements.get(sql);
  }

  /** Foreign keys and CHECKs are the last line of defence; turn their violations into a store error a caller can report. */
  private write<T>(what: string, fn: () => T): T {
    try {
      return this.transaction(fn);
    } catch (e) {
      if (isSqliteError(e) && e.code.startsWith('SQLITE_CONSTRAINT')) {
        const reason = e.code === 'SQLITE_CONSTRAINT_FOREIGNKEY' ? 'it refers to a row that does not exist' : e.message;
        throw new M3cError('store', `cannot ${what}: ${reason}`, { cause: e });
      }
      throw e;
    }
  }

  /**
   * Runs `fn` in one transaction (nested calls become savepoints): all of its writes commit together or,
   * if it throws or the process dies first, none do. `fn` must be synchronous.
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(() => {
      const result = fn();
      if (result instanceof Promise) {
        // Committing here would commit before the awaited work runs; refuse so the writes roll back.
        throw new M3cError('internal', 'Store.transaction needs a synchronous function');
      }
      return result;
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // Projects

  createProject(name: string, settings: unknown = {}): ProjectRecord {
    if (name.trim() === '') throw new M3cError('input', 'a project needs a non-empty name');
    const now = Date.now();
    return this.write('create project', () => {
      const info = this.stmt('INSERT INTO projects (name, created_at, updated_at, settings_json) VALUES (?, ?, ?, ?)').run(
        name,
        now,
        now,
        toJson(settings, 'project settings'),
      );
      return this.requireProject(Number(info.lastInsertRowid));
    });
  }

  getProject(id: number): ProjectRecord | undefined {
    const r = this.stmt('SELECT * FROM projects WHERE id = ?').get(id) as Row | undefined;
    return r && projectRow(r);
  }

  /** Most recently changed first. */
  listProjects(): ProjectRecord[] {
    return (this.stmt('SELECT * FROM projects ORDER BY updated_at DESC, id DESC').all() as Row[]).map(projectRow);
  }

  renameProject(id: number, name: string): ProjectRecord {
    if (name.trim() === '') throw new M3cError('input', 'a project needs a non-empty name');
    return this.write('rename project', () => {
      this.stmt('UPDATE projects SET name = ?, updated_at = ? WHERE id = ?').run(name, Date.now(), id);
      return this.requireProject(id);
    });
  }

  updateProjectSettings(id: number, settings: unknown): ProjectRecord {
    return this.write('update project settings', () => {
      this.stmt('UPDATE projects SET settings_json = ?, updated_at = ? WHERE id = ?').run(
        toJson(settings, 'project settings'),
        Date.now(),
        id,
      );
      return this.requireProject(id);
    });
  }

  /** Deletes the project and everything under it (sources, analyses, selections, descriptions, encodes). */
  deleteProject(id: number): boolean {
    return this.write('delete project', () => this.stmt('DELETE FROM projects WHERE id = ?').run(id).changes > 0);
  }

  private requireProject(id: number): ProjectRecord {
    const p = this.getProject(id);
    if (!p) throw new M3cError('store', `project ${id} does not exist`);
    return p;
  }

  // Sources

  addSource(source: NewSource): SourceRecord {
    if (!/^[0-9a-f]{64}$/.test(source.contentSha256)) {
      throw new M3cError('internal', `contentSha256 must be 64 lower-case hex digits, got "${source.contentSha256}"`);
    }
    return this.write(`add source to project ${source.projectId}`, () => {
      const info = this.stmt(
        'INSERT INTO sources (project_id, path, probe_json, content_sha256, added_at) VALUES (?, ?, ?, ?, ?)',
      ).run(source.projectId, source.path, toJson(source.probe, 'source probe'), source.contentSha256, Date.now());
      return this.getSource(Number(info.lastInsertRowid)) as SourceRecord;
    });
  }

  getSource(id: number): SourceRecord | undefined {
    const r = this.stmt('SELECT * FROM sources WHERE id = ?').get(id) as Row | undefined;
    return r && sourceRow(r);
  }

  listSources(projectId: number): SourceRecord[] {
    return (this.stmt('SELECT * FROM sources WHERE project_id = ? ORDER BY id').all(projectId) as Row[]).map(sourceRow);
  }

  /** Sets how the source is fitted into the working geometry; false when there is no such source. */
  setSourceFit(id: number, fit: Fit): boolean {
    return this.write('set source fit', () => this.stmt('UPDATE sources SET fit = ? WHERE id = ?').run(fit, id).changes > 0);
  }

  // Analyses

  /** Stores the analysis for its key, replacing the signals of an earlier one with the same key (its selections stay). */
  saveAnalysis(analysis: NewAnalysis): AnalysisRecord {
    requireNonNegativeInt(analysis.frameCount, 'frameCount');
    const g = analysis.geometry;
    return this.write(`save analysis of source ${analysis.sourceId}`, () => {
      this.stmt(
        `INSERT INTO analyses (source_id, width, height, fps_num, fps_den, fit, embedder_id, flow_id, frame_count, signals, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (source_id, width, height, fps_num, fps_den, fit, embedder_id, flow_id)
         DO UPDATE SET frame_count = excluded.frame_count, signals = excluded.signals, created_at = excluded.created_at`,
      ).run(
        analysis.sourceId,
        g.width,
        g.height,
        g.fpsNum,
        g.fpsDen,
        g.fit ?? 'crop',
        analysis.embedderId,
        analysis.flowId,
        analysis.frameCount,
        analysis.signals,
        Date.now(),
      );
      return this.getAnalysis(analysis) as AnalysisRecord;
    });
  }

  getAnalysis(key: AnalysisKey): AnalysisRecord | undefined {
    const g = key.geometry;
    const r = this.stmt(
      `SELECT * FROM analyses WHERE source_id = ? AND width = ? AND height = ? AND fps_num = ? AND fps_den = ?
       AND fit = ? AND embedder_id = ? AND flow_id = ?`,
    ).get(key.sourceId, g.width, g.height, g.fpsNum, g.fpsDen, g.fit ?? 'crop', key.embedderId, key.flowId) as Row | undefined;
    return r && analysisRow(r);
  }

  getAnalysisById(id: number): AnalysisRecord | undefined {
    const r = this.stmt('SELECT * FROM analyses WHERE id = ?').get(id) as Row | undefined;
    return r && analysisRow(r);
  }

  // Selections

  saveSelection(selection: NewSelection): SelectionRecord {
    selection.keyframes.forEach((k, i) => requireNonNegativeInt(k, `keyframes[${i}]`));
    return this.write(`save selection for analysis ${selection.analysisId}`, () => {
      const info = this.stmt(
        'INSERT INTO selections (analysis_id, params_json, keyframes_json, overrides_json, created_at) VALUES (?, ?, ?, ?, ?)',
      ).run(
        selection.analysisId,
        toJson(selection.params, 'selection params'),
        toJson(selection.keyframes, 'keyframes'),
        toJson(selection.overrides, 'selection overrides'),
        Date.now(),
      );
      return this.getSelection(Number(info.lastInsertRowid)) as SelectionRecord;
    });
  }

  getSelection(id: number): SelectionRecord | undefined {
    const r = this.stmt('SELECT * FROM selections WHERE id = ?').get(id) as Row | undefined;
    return r && selectionRow(r);
  }

  /** Oldest first, so the last element is the latest selection. */
  listSelections(analysisId: number): SelectionRecord[] {
    return (this.stmt('SELECT * FROM selections WHERE analysis_id = ? ORDER BY id').all(analysisId) as Row[]).map(
      selectionRow,
    );
  }

  // Descriptions

  /** Inserts or replaces the description of one item, keyed by (source, kind, frame); a clip's span end is replaced with it. */
  upsertDescription(d: DescriptionInput): DescriptionRecord {
    requireNonNegativeInt(d.itemIndex, 'itemIndex');
    requireNonNegativeInt(d.frameIndex, 'frameIndex');
    const endFrame = d.itemKind === 'clip' ? (d.endFrame ?? null) : null;
    return this.write(`save ${d.itemKind} description of source ${d.sourceId}`, () => {
      this.stmt(
        `INSERT INTO descriptions (source_id, item_kind, item_index, frame_index, end_frame, text, origin, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (source_id, item_kind, frame_index)
         DO UPDATE SET item_index = excluded.item_index, end_frame = excluded.end_frame, text = excluded.text,
                       origin = excluded.origin, updated_at = excluded.updated_at`,
      ).run(d.sourceId, d.itemKind, d.itemIndex, d.frameIndex, endFrame, d.text, d.origin, Date.now());
      const r = this.stmt(`${DESCRIPTION_SELECT} WHERE d.source_id = ? AND d.item_kind = ? AND d.frame_index = ?`).get(
        d.sourceId,
        d.itemKind,
        d.frameIndex,
      ) as Row;
      return descriptionRow(r);
    });
  }

  /** In frame order; at one frame the keyframe description comes before the clip's. */
  listDescriptions(sourceId: number): DescriptionRecord[] {
    return (
      this.stmt(`${DESCRIPTION_SELECT} WHERE d.source_id = ? ORDER BY d.frame_index, d.item_kind DESC`).all(
        sourceId,
      ) as Row[]
    ).map(descriptionRow);
  }

  // Encodes and their decodes (SQL in encodes.ts)

  /** Records an encode as running, owned by this process, and returns its id. */
  beginEncode(e: NewEncode): number {
    return this.encodes.begin(e);
  }

  finishEncode(id: number, result: { readonly bytes: number; readonly metrics: unknown }): EncodeRecord {
    return this.encodes.finish(id, result);
  }

  failEncode(id: number, status: 'failed' | 'cancelled', error: string): EncodeRecord {
    return this.encodes.fail(id, status, error);
  }

  getEncode(id: number): EncodeRecord | undefined {
    return this.encodes.get(id);
  }

  /** Newest first. */
  listEncodes(filter: EncodeFilter = {}): EncodeRecord[] {
    return this.encodes.list(filter);
  }

  /** Deletes an encode's record and its decode (not their files). A running encode cannot be deleted. */
  deleteEncode(id: number): boolean {
    return this.encodes.delete(id);
  }

  /** Stores the decode of a finished encode, replacing an earlier one. */
  saveDecode(d: NewDecode): DecodeRecord {
    return this.encodes.saveDecode(d);
  }

  getDecode(encodeId: number): DecodeRecord | undefined {
    return this.encodes.getDecode(encodeId);
  }

  /**
   * Marks as 'interrupted' every running encode whose owning process is gone (crashed, killed, or from
   * before a reboot); their output files are incomplete and must not be trusted. Likewise ends as 'failed'
   * every running LMM transcript whose owner is gone or unknown (rows from before migration 003), keeping
   * its recorded rounds; the transcripts table has no 'interrupted' status (see 003-lmm-owner.ts).
   * Work of live processes, including other handles in this process, is left alone. Returns the number
   * of encodes and transcripts ended.
   */
  recoverInterrupted(): number {
    const bootTime = Date.now() - os.uptime() * 1000;
    const gone = (r: Row): boolean =>
      r.owner_pid === null || !ownerMayBeAlive(r.owner_pid as number, r.started_at as number, bootTime);
    return this.transaction(() => {
      const running = this.stmt(`SELECT id, owner_pid, started_at FROM encodes WHERE status = 'running'`).all() as Row[];
      const mark = this.stmt(
        `UPDATE encodes SET status = 'interrupted', finished_at = ?, error = ? WHERE id = ? AND status = 'running'`,
      );
      let marked = 0;
      for (const r of running.filter(gone)) {
        marked += mark.run(Date.now(), 'the process running this encode ended before it finished', r.id).changes;
      }
      // A store opened with a shorter migration list (a test's) has no transcript owners to check.
      if (this.schemaVersion < 3) return marked;
      const dialogues = this.stmt(`SELECT id, owner_pid, started_at FROM lmm_transcripts WHERE status = 'running'`).all() as Row[];
      const fail = this.stmt(
        // duration_ms stays NULL: when the owner died is unknown, only that it did.
        `UPDATE lmm_transcripts SET status = 'failed', error = ? WHERE id = ? AND status = 'running'`,
      );
      for (const r of dialogues.filter(gone)) {
        marked += fail.run('the process running this dialogue ended before it finished', r.id).changes;
      }
      return marked;
    });
  }

  // studio: removal of a source the source list offers (children go by ON DELETE CASCADE).

  /** Deletes a source with its analyses, selections, descriptions, encodes and transcripts. */
  deleteSource(id: number): boolean {
    return this.write('delete source', () => this.stmt('DELETE FROM sources WHERE id = ?').run(id).changes > 0);
  }
}

/**
 * Opens (creating if needed) the project database at `file`: WAL journal, foreign keys on, a busy
 * timeout, schema migrated to the latest version, and encodes left running by dead processes marked
 * 'interrupted' and their LMM transcripts 'failed'. Throws M3cError('store') for a file that is not an M3C database or is newer than this code.
 */
export function openStore(file: string, options: OpenStoreOptions = {}): Store {
  let db: Database.Database | undefined;
  try {
    db = connect(file);
    // The first statement reads the header, so a non-database file fails here.
    const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
    if (mode !== 'wal') throw new M3cError('store', `${file} cannot use write-ahead logging (journal mode ${mode}): move it to a local disk`);
    configureConnection(db);
    migrate(db, options.migrations ?? MIGRATIONS, file);
    const store = new Store(db, file);
    store.recoverInterrupted();
    return store;
  } catch (e) {
    db?.close();
    if (e instanceof M3cError) throw e;
    if (isSqliteError(e) && (e.code === 'SQLITE_NOTADB' || e.code === 'SQLITE_CORRUPT')) {
      throw new M3cError('store', `${file} is not an M3C project database (${e.message}): choose another file`, { cause: e });
    }
    const reason = e instanceof Error ? e.message : String(e);
    throw new M3cError('store', `cannot open project database ${file}: ${reason}`, { cause: e });
  }
}
