/**
 * SQL of encodes (migration 001) and their decodes (migration 004), used by `Store`'s methods of the same
 * names. An encode is begun 'running' by this process and ended once; a decode row exists only for a
 * finished encode, one per encode, and goes with it (ON DELETE CASCADE).
 */
import type Database from 'better-sqlite3';
import { M3cError } from '../../shared/engine/errors.ts';
import { float64Blob, fromFloat64Blob, fromJson, requireNonNegativeInt, toJson, type Row } from './rows.ts';
import type { DecodeRecord, EncodeFilter, EncodeRecord, EncodeStatus, NewDecode, NewEncode } from './types.ts';

/** What these statements need of the Store: its statement cache and its constraint-reporting transaction. */
export interface StoreAccess {
  stmt(sql: string): Database.Statement;
  write<T>(what: string, fn: () => T): T;
}

function encodeRow(r: Row): EncodeRecord {
  return {
    id: r.id as number,
    projectId: r.project_id as number,
    sourceId: r.source_id as number,
    selectionId: r.selection_id as number | null,
    status: r.status as EncodeStatus,
    path: r.path as string,
    bytes: r.bytes as number | null,
    params: fromJson(r.params_json),
    metrics: fromJson(r.metrics_json),
    startedAt: r.started_at as number,
    finishedAt: r.finished_at as number | null,
    error: r.error as string | null,
  };
}

function decodeRow(r: Row): DecodeRecord {
  return {
    id: r.id as number,
    encodeId: r.encode_id as number,
    frames: r.frames as number,
    psnr: fromFloat64Blob(r.psnr),
    msssim: fromFloat64Blob(r.msssim),
    meanPsnr: r.mean_psnr as number,
    meanMsssim: r.mean_msssim as number,
    reconPath: r.recon_path as string,
    createdAt: r.created_at as number,
  };
}

const ENCODE_SELECT = `SELECT e.*, s.project_id FROM encodes e JOIN sources s ON s.id = e.source_id`;

export class EncodeStatements {
  constructor(private readonly s: StoreAccess) {}

  begin(e: NewEncode): number {
    return this.s.write(`record encode of source ${e.sourceId}`, () => {
      const info = this.s
        .stmt(
          `INSERT INTO encodes (source_id, selection_id, status, path, params_json, owner_pid, started_at)
           VALUES (?, ?, 'running', ?, ?, ?, ?)`,
        )
        .run(e.sourceId, e.selectionId ?? null, e.path, toJson(e.params, 'encode params'), process.pid, Date.now());
      return Number(info.lastInsertRowid);
    });
  }

  finish(id: number, result: { readonly bytes: number; readonly metrics: unknown }): EncodeRecord {
    requireNonNegativeInt(result.bytes, 'bytes');
    return this.s.write(`finish encode ${id}`, () => {
      this.endRunning(id);
      this.s
        .stmt(`UPDATE encodes SET status = 'done', bytes = ?, metrics_json = ?, finished_at = ? WHERE id = ?`)
        .run(result.bytes, toJson(result.metrics, 'encode metrics'), Date.now(), id);
      return this.get(id) as EncodeRecord;
    });
  }

  fail(id: number, status: 'failed' | 'cancelled', error: string): EncodeRecord {
    return this.s.write(`end encode ${id}`, () => {
      this.endRunning(id);
      this.s.stmt('UPDATE encodes SET status = ?, error = ?, finished_at = ? WHERE id = ?').run(status, error, Date.now(), id);
      return this.get(id) as EncodeRecord;
    });
  }

  /** An encode ends once; ending one twice, or one marked interrupted, is a caller bug worth surfacing. */
  private endRunning(id: number): void {
    const current = this.get(id);
    if (!current) throw new M3cError('store', `encode ${id} does not exist`);
    if (current.status !== 'running') throw new M3cError('store', `encode ${id} is ${current.status}, not running`);
  }

  get(id: number): EncodeRecord | undefined {
    const r = this.s.stmt(`${ENCODE_SELECT} WHERE e.id = ?`).get(id) as Row | undefined;
    return r && encodeRow(r);
  }

  list(filter: EncodeFilter): EncodeRecord[] {
    const r = this.s
      .stmt(
        `${ENCODE_SELECT} WHERE (@project IS NULL OR s.project_id = @project) AND (@source IS NULL OR e.source_id = @source)
         AND (@status IS NULL OR e.status = @status) ORDER BY e.started_at DESC, e.id DESC`,
      )
      .all({ project: filter.projectId ?? null, source: filter.sourceId ?? null, status: filter.status ?? null }) as Row[];
    return r.map(encodeRow);
  }

  delete(id: number): boolean {
    return this.s.write('delete encode', () => {
      const current = this.get(id);
      if (current?.status === 'running') throw new M3cError('store', `encode ${id} is still running: cancel it first`);
      return this.s.stmt('DELETE FROM encodes WHERE id = ?').run(id).changes > 0;
    });
  }

  saveDecode(d: NewDecode): DecodeRecord {
    requireNonNegativeInt(d.frames, 'frames');
    if (d.psnr.length !== d.frames || d.msssim.length !== d.frames) {
      throw new M3cError('internal', `a decode of ${d.frames} frames needs ${d.frames} PSNR and MS-SSIM values, got ${d.psnr.length} and ${d.msssim.length}`);
    }
    // SQLite stores NaN as NULL, which the NOT NULL columns refuse with a less telling message.
    if (Number.isNaN(d.meanPsnr) || Number.isNaN(d.meanMsssim)) throw new M3cError('internal', 'the mean PSNR and MS-SSIM of a decode must be numbers');
    return this.s.write(`save decode of encode ${d.encodeId}`, () => {
      const e = this.get(d.encodeId);
      if (!e) throw new M3cError('store', `encode ${d.encodeId} does not exist (it may have been deleted)`);
      if (e.status !== 'done') throw new M3cError('store', `encode ${d.encodeId} is ${e.status}: only a finished encode has a decode`);
      this.s
        .stmt(
          `INSERT INTO decodes (encode_id, frames, psnr, msssim, mean_psnr, mean_msssim, recon_path, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (encode_id) DO UPDATE SET frames = excluded.frames, psnr = excluded.psnr, msssim = excluded.msssim,
             mean_psnr = excluded.mean_psnr, mean_msssim = excluded.mean_msssim, recon_path = excluded.recon_path,
             created_at = excluded.created_at`,
        )
        .run(d.encodeId, d.frames, float64Blob(d.psnr), float64Blob(d.msssim), d.meanPsnr, d.meanMsssim, d.reconPath, Date.now());
      return this.getDecode(d.encodeId) as DecodeRecord;
    });
  }

  getDecode(encodeId: number): DecodeRecord | undefined {
    const r = this.s.stmt('SELECT * FROM decodes WHERE encode_id = ?').get(encodeId) as Row | undefined;
    return r && decodeRow(r);
  }
}
