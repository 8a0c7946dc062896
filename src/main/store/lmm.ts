/**
 * SQL of the LMM dialogue engine (tables of migrations 002 and 003): transcripts, rounds, answer cache.
 * A transcript left running by a process that died is ended by `Store.recoverInterrupted` at openStore.
 * It uses its own connection to the project file (WAL lets it sit beside the Store's); each method is
 * one transaction.
 */
import type Database from 'better-sqlite3';
import { M3cError } from '../../shared/engine/errors.ts';
import type {
  CachedAnswer,
  LmmRecords,
  RoundRecord,
  TranscriptEnd,
  TranscriptStart,
  TranscriptStatus,
} from '../lmm/records.ts';
import type { Store } from './store.ts';
import { configureConnection, connect, StatementCache } from './connection.ts';

export interface TranscriptRow {
  readonly id: number;
  readonly projectId: number | null;
  readonly sourceId: number | null;
  readonly itemKind: 'keyframe' | 'clip';
  readonly itemIndex: number;
  readonly frameIndex: number;
  readonly model: string;
  readonly promptVersion: string;
  readonly settings: unknown;
  readonly status: TranscriptStatus;
  readonly startedAt: number;
  readonly durationMs: number | null;
  readonly description: string | null;
  readonly descriptionBits: number | null;
  readonly error: string | null;
  readonly rounds: readonly RoundRecord[];
}

export interface TranscriptFilter {
  readonly projectId?: number;
  readonly sourceId?: number;
  readonly itemKind?: 'keyframe' | 'clip';
  readonly itemIndex?: number;
}

type Row = Record<string, unknown>;

function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

export class LmmStore implements LmmRecords {
  private readonly db: Database.Database;
  private readonly statements: StatementCache;

  /** Opens a connection to the file of `store`, which has already migrated the schema. */
  constructor(store: Store) {
    if (store.schemaVersion < 3) {
      throw new M3cError('store', `${store.file} is at schema ${store.schemaVersion}, before the LMM tables of schema 3: open it with openStore first`);
    }
    this.db = connect(store.file);
    configureConnection(this.db);
    this.statements = new StatementCache(this.db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private stmt(sql: string): Database.Statement {
    return this.statements.get(sql);
  }

  private write<T>(what: string, fn: () => T): T {
    try {
      return this.db.transaction(fn).immediate();
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('SQLITE_')) {
        throw new M3cError('store', `cannot ${what}: ${(e as Error).message}`, { cause: e });
      }
      throw e;
    }
  }

  lookupAnswer(key: string): CachedAnswer | undefined {
    const r = this.stmt('SELECT answer, model FROM lmm_answer_cache WHERE key = ?').get(key) as Row | undefined;
    if (!r) return undefined;
    this.write('update the LMM answer cache', () =>
      this.stmt('UPDATE lmm_answer_cache SET hits = hits + 1, last_used_at = ? WHERE key = ?').run(Date.now(), key),
    );
    return { answer: r.answer as string, model: r.model as string };
  }

  /** Records the dialogue as running, owned by this process, and returns its id. */
  beginTranscript(t: TranscriptStart): number {
    return this.write(`record the ${t.itemKind} ${t.itemIndex} transcript`, () => {
      let projectId = t.projectId;
      if (t.sourceId !== null) {
        const src = this.stmt('SELECT project_id FROM sources WHERE id = ?').get(t.sourceId) as Row | undefined;
        if (!src) throw new M3cError('store', `source ${t.sourceId} does not exist`);
        if (projectId !== null && projectId !== src.project_id) {
          throw new M3cError('store', `source ${t.sourceId} belongs to project ${src.project_id as number}, not ${projectId}`);
        }
        projectId = src.project_id as number;
      }
      const info = this.stmt(
        `INSERT INTO lmm_transcripts (project_id, source_id, item_kind, item_index, frame_index, model, prompt_version,
           settings_json, status, owner_pid, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?)`,
      ).run(
        projectId,
        t.sourceId,
        t.itemKind,
        t.itemIndex,
        t.frameIndex,
        t.model,
        t.promptVersion,
        json(t.settings),
        process.pid,
        t.startedAt,
      );
      return Number(info.lastInsertRowid);
    });
  }

  recordRound(transcriptId: number, r: RoundRecord): void {
    this.write(`record round ${r.roundNumber} of transcript ${transcriptId}`, () => {
      this.stmt(
        `INSERT INTO lmm_rounds (transcript_id, round_number, name, prompt, image_hashes_json, answer, model, settings_json,
           started_at, duration_ms, status, cache_hit, cache_key, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        transcriptId,
        r.roundNumber,
        r.name,
        r.prompt,
        json(r.imageHashes),
        r.answer,
        r.model,
        json(r.settings),
        r.startedAt,
        r.durationMs,
        r.status,
        r.cacheHit ? 1 : 0,
        r.cacheKey,
        r.error,
      );
      if (r.status === 'ok' && !r.cacheHit && r.answer !== null) {
        const now = Date.now();
        this.stmt(
          `INSERT INTO lmm_answer_cache (key, answer, model, created_at, last_used_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET answer = excluded.answer, model = excluded.model, last_used_at = excluded.last_used_at`,
        ).run(r.cacheKey, r.answer, r.model, now, now);
      }
    });
  }

  finishTranscript(transcriptId: number, end: TranscriptEnd): void {
    this.write(`finish transcript ${transcriptId}`, () => {
      const changes = this.stmt(
        `UPDATE lmm_transcripts SET status = ?, duration_ms = ?, description = ?, description_bits = ?, error = ?
         WHERE id = ? AND status = 'running'`,
      ).run(end.status, end.durationMs, end.description, end.descriptionBits, end.error, transcriptId).changes;
      if (changes !== 1) throw new M3cError('store', `transcript ${transcriptId} is not running`);
    });
  }

  /** Transcripts with their rounds, oldest first. */
  listTranscripts(filter: TranscriptFilter = {}): TranscriptRow[] {
    const rows = this.stmt(
      `SELECT * FROM lmm_transcripts WHERE (@project IS NULL OR project_id = @project)
       AND (@source IS NULL OR source_id = @source) AND (@kind IS NULL OR item_kind = @kind)
       AND (@item IS NULL OR item_index = @item) ORDER BY id`,
    ).all({
      project: filter.projectId ?? null,
      source: filter.sourceId ?? null,
      kind: filter.itemKind ?? null,
      item: filter.itemIndex ?? null,
    }) as Row[];
    const rounds = this.stmt('SELECT * FROM lmm_rounds WHERE transcript_id = ? ORDER BY round_number');
    return rows.map((r) => ({
      id: r.id as number,
      projectId: r.project_id as number | null,
      sourceId: r.source_id as number | null,
      itemKind: r.item_kind as 'keyframe' | 'clip',
      itemIndex: r.item_index as number,
      frameIndex: r.frame_index as number,
      model: r.model as string,
      promptVersion: r.prompt_version as string,
      settings: JSON.parse(r.settings_json as string),
      status: r.status as TranscriptStatus,
      startedAt: r.started_at as number,
      durationMs: r.duration_ms as number | null,
      description: r.description as string | null,
      descriptionBits: r.description_bits as number | null,
      error: r.error as string | null,
      rounds: (rounds.all(r.id) as Row[]).map(roundRow),
    }));
  }

  cacheSize(): number {
    return (this.stmt('SELECT count(*) AS n FROM lmm_answer_cache').get() as Row).n as number;
  }
}

function roundRow(r: Row): RoundRecord {
  return {
    roundNumber: r.round_number as number,
    name: r.name as string,
    prompt: r.prompt as string,
    imageHashes: JSON.parse(r.image_hashes_json as string) as string[],
    answer: r.answer as string | null,
    model: r.model as string,
    settings: JSON.parse(r.settings_json as string),
    startedAt: r.started_at as number,
    durationMs: r.duration_ms as number,
    status: r.status as RoundRecord['status'],
    cacheHit: r.cache_hit === 1,
    cacheKey: r.cache_key as string,
    error: r.error as string | null,
  };
}
