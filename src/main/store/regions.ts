/**
 * SQL of a source's regions of interest (migration 008), used through `Store.regions`. Rows are checked with
 * parseRegion before they are written; a tracked box is several rows sharing a `track` key, replaced together.
 */
import { randomUUID } from 'node:crypto';
import { M3cError } from '../../shared/engine/errors.ts';
import { parseRegion, type RoiRegion, type RoiSource } from '../../shared/roi/index.ts';
import type { StoreAccess } from './encodes.ts';
import type { Row } from './rows.ts';

export interface RegionRecord extends RoiRegion {
  readonly id: number;
  readonly sourceId: number;
  /** Rows of one drawn (and tracked) box share it. */
  readonly track: string;
  readonly source: RoiSource;
  readonly updatedAt: number;
}

function regionRow(r: Row): RegionRecord {
  return {
    id: r.id as number,
    sourceId: r.source_id as number,
    track: r.track as string,
    frames: [r.first_frame as number, r.last_frame as number],
    box: [r.x as number, r.y as number, r.w as number, r.h as number],
    weight: r.weight as number,
    label: r.label as string,
    source: r.origin as RoiSource,
    updatedAt: r.updated_at as number,
  };
}

export class RegionStatements {
  constructor(private readonly s: StoreAccess) {}

  list(sourceId: number): RegionRecord[] {
    return (this.s.stmt('SELECT * FROM regions WHERE source_id = ? ORDER BY first_frame, id').all(sourceId) as Row[]).map(regionRow);
  }

  get(id: number): RegionRecord | undefined {
    const r = this.s.stmt('SELECT * FROM regions WHERE id = ?').get(id) as Row | undefined;
    return r && regionRow(r);
  }

  private insert(sourceId: number, track: string, r: RoiRegion): number {
    const info = this.s
      .stmt(
        `INSERT INTO regions (source_id, track, first_frame, last_frame, x, y, w, h, weight, label, origin, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(sourceId, track, r.frames[0], r.frames[1], r.box[0], r.box[1], r.box[2], r.box[3], r.weight, r.label, r.source ?? 'hand', Date.now());
    return Number(info.lastInsertRowid);
  }

  /** A new region on its own track. */
  add(sourceId: number, region: RoiRegion): RegionRecord {
    const r = parseRegion(region, 'region', { code: 'store' });
    return this.s.write(`add a region to source ${sourceId}`, () => this.get(this.insert(sourceId, randomUUID(), r)) as RegionRecord);
  }

  /** Replaces one row's frames, box, weight, label and origin. */
  update(id: number, region: RoiRegion): RegionRecord {
    const r = parseRegion(region, `region ${id}`, { code: 'store' });
    return this.s.write(`update region ${id}`, () => {
      const changes = this.s
        .stmt('UPDATE regions SET first_frame = ?, last_frame = ?, x = ?, y = ?, w = ?, h = ?, weight = ?, label = ?, origin = ?, updated_at = ? WHERE id = ?')
        .run(r.frames[0], r.frames[1], r.box[0], r.box[1], r.box[2], r.box[3], r.weight, r.label, r.source ?? 'hand', Date.now(), id).changes;
      if (changes === 0) throw new M3cError('store', `region ${id} does not exist (it may have been deleted)`);
      return this.get(id) as RegionRecord;
    });
  }

  /** Every row of `track` replaced by `regions` (one transaction): what tracking a drawn box writes. */
  replaceTrack(sourceId: number, track: string, regions: readonly RoiRegion[]): RegionRecord[] {
    const checked = regions.map((r, i) => parseRegion(r, `tracked region ${i}`, { code: 'store' }));
    return this.s.write(`replace the tracked regions of source ${sourceId}`, () => {
      this.s.stmt('DELETE FROM regions WHERE source_id = ? AND track = ?').run(sourceId, track);
      const ids = checked.map((r) => this.insert(sourceId, track, r));
      return ids.map((id) => this.get(id) as RegionRecord);
    });
  }

  /**
   * The LMM's regions of the clip [first, last]: every LMM row that starts there is replaced by `regions`, each
   * on its own track (one transaction). Hand regions, and LMM regions a user edited (they became hand
   * regions), stay.
   */
  replaceLmm(sourceId: number, first: number, last: number, regions: readonly RoiRegion[]): RegionRecord[] {
    const checked = regions.map((r, i) => parseRegion({ ...r, source: 'lmm' }, `LMM region ${i}`, { code: 'store' }));
    return this.s.write(`replace the LMM regions of source ${sourceId}, frames ${first}-${last}`, () => {
      this.s.stmt("DELETE FROM regions WHERE source_id = ? AND origin = 'lmm' AND first_frame BETWEEN ? AND ?").run(sourceId, first, last);
      const ids = checked.map((r) => this.insert(sourceId, randomUUID(), r));
      return ids.map((id) => this.get(id) as RegionRecord);
    });
  }

  /** One row, or (`wholeTrack`) every row of its track. Answers how many rows went. */
  delete(id: number, wholeTrack = false): number {
    return this.s.write(`delete region ${id}`, () => {
      const r = this.get(id);
      if (!r) return 0;
      if (wholeTrack) return this.s.stmt('DELETE FROM regions WHERE source_id = ? AND track = ?').run(r.sourceId, r.track).changes;
      return this.s.stmt('DELETE FROM regions WHERE id = ?').run(id).changes;
    });
  }
}
