/**
 * SQL of the anchor envelopes (migration 007): the classical anchor searched for a source, kept so that the
 * studio's R-D chart shows it again without searching. Its own connection to the project file, as lmm.ts.
 */
import type Database from 'better-sqlite3';
import { M3cError } from '../../shared/engine/errors.ts';
import type { Store } from './store.ts';
import { configureConnection, connect, StatementCache } from './connection.ts';
import { fromJson, isSqliteError, toJson, type Row } from './rows.ts';

export interface AnchorEnvelopeKey {
  readonly sourceId: number;
  /** What frames were searched: geometry, fit and span (see pipeline/anchor.ts). */
  readonly framesKey: string;
  /** The search grid's version and settings. */
  readonly gridKey: string;
}

export interface AnchorEnvelopeRecord<P = unknown> extends AnchorEnvelopeKey {
  readonly id: number;
  readonly frames: number;
  readonly points: readonly P[];
  readonly createdAt: number;
}

export class AnchorStore {
  private readonly db: Database.Database;
  private readonly statements: StatementCache;

  /** Opens a connection to the file of `store`, which has already migrated the schema. */
  constructor(store: Store) {
    if (store.schemaVersion < 7) throw new M3cError('store', `${store.file} is at schema ${store.schemaVersion}, before the anchor table of schema 7: open it with openStore first`);
    this.db = connect(store.file);
    configureConnection(this.db);
    this.statements = new StatementCache(this.db);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Stores (or replaces) the anchor of `key`; the source must exist. */
  save<P>(key: AnchorEnvelopeKey, frames: number, points: readonly P[]): AnchorEnvelopeRecord<P> {
    if (!Number.isInteger(frames) || frames < 1) throw new M3cError('internal', `an anchor needs a positive frame count, got ${frames}`);
    try {
      this.statements
        .get(
          `INSERT INTO anchor_envelopes (source_id, frames_key, grid_key, frames, points_json, created_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (source_id, frames_key, grid_key) DO UPDATE SET frames = excluded.frames, points_json = excluded.points_json, created_at = excluded.created_at`,
        )
        .run(key.sourceId, key.framesKey, key.gridKey, frames, toJson(points, 'anchor points'), Date.now());
    } catch (e) {
      if (isSqliteError(e) && e.code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new M3cError('store', `source ${key.sourceId} does not exist (it may have been deleted)`);
      throw e;
    }
    return this.get<P>(key) as AnchorEnvelopeRecord<P>;
  }

  get<P>(key: AnchorEnvelopeKey): AnchorEnvelopeRecord<P> | undefined {
    const r = this.statements.get('SELECT * FROM anchor_envelopes WHERE source_id = ? AND frames_key = ? AND grid_key = ?').get(key.sourceId, key.framesKey, key.gridKey) as Row | undefined;
    if (!r) return undefined;
    return {
      id: r.id as number,
      sourceId: r.source_id as number,
      framesKey: r.frames_key as string,
      gridKey: r.grid_key as string,
      frames: r.frames as number,
      points: (fromJson(r.points_json) ?? []) as P[],
      createdAt: r.created_at as number,
    };
  }
}
