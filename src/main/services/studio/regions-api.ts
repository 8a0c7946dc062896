/**
 * Regions of interest of a source (issue 14): the boxes the Timeline draws, moves and deletes, tracked through
 * their keyframe's clip with the dense flow at a small working size, stored as regions over short frame ranges
 * (store/regions.ts). Arguments are checked with parseRegion: bad input is one usage error.
 */
import { M3cError } from '../../../shared/engine/errors.ts';
import type { RegionInfo } from '../../../shared/api/contract.ts';
import { parseRegion, type RoiRegion, type RoiSpec } from '../../../shared/roi/index.ts';
import { regionsOfTrack, trackBox, type Box } from '../../../shared/roi/track.ts';
import { DenseFlowEstimator } from '../../../shared/vision/dense-flow.ts';
import { lumaArea } from '../../../shared/vision/resize.ts';
import type { Plane } from '../../../shared/vision/plane.ts';
import { workingFrames } from '../../pipeline/working-frames.ts';
import type { RegionRecord } from '../../store/regions.ts';
import type { SourceRecord, Store } from '../../store/index.ts';
import * as v from '../validate.ts';
import type { StudioContext } from './context.ts';

/** Width of the luma planes the tracker's flow runs on (the analysis keeps no per-frame flow field). */
export const TRACK_WIDTH = 128;

function info(r: RegionRecord): RegionInfo {
  return { id: r.id, sourceId: r.sourceId, track: r.track, frames: r.frames, box: r.box, weight: r.weight, label: r.label, source: r.source };
}

export class RegionsApi {
  private readonly flow = new DenseFlowEstimator({ workingWidth: TRACK_WIDTH });

  constructor(private readonly ctx: StudioContext) {}

  /** The frame count of the source's analysis, when there is one (regions are checked against it). */
  private frameCount(source: SourceRecord): number | undefined {
    return this.ctx.analysisOf(source)?.frameCount;
  }

  private region(p: Record<string, unknown>, source: SourceRecord): RoiRegion {
    return parseRegion(p.region, 'region', { frameCount: this.frameCount(source), code: 'usage', source: 'hand' });
  }

  private requireRegion(p: Record<string, unknown>): RegionRecord {
    const id = v.id(p, 'regionId');
    const r = this.ctx.store.regions.get(id);
    if (!r) throw new M3cError('usage', `region ${id} does not exist (it may have been deleted)`);
    return r;
  }

  private changed(source: SourceRecord): void {
    this.ctx.emit({ type: 'regions-changed', projectId: source.projectId, sourceId: source.id });
  }

  async listRegions(p: Record<string, unknown>): Promise<RegionInfo[]> {
    const source = this.ctx.requireSource(v.id(p, 'sourceId'));
    return this.ctx.store.regions.list(source.id).map(info);
  }

  async addRegion(p: Record<string, unknown>): Promise<RegionInfo[]> {
    const source = this.ctx.requireSource(v.id(p, 'sourceId'));
    const r = this.ctx.store.regions.add(source.id, { ...this.region(p, source), source: 'hand' });
    const out = p.track === true ? await this.track(source, [r]) : [info(r)];
    this.changed(source);
    return out;
  }

  /** An edited region is a hand region whatever it was. */
  async updateRegion(p: Record<string, unknown>): Promise<RegionInfo[]> {
    const current = this.requireRegion(p);
    const source = this.ctx.requireSource(current.sourceId);
    const r = this.ctx.store.regions.update(current.id, { ...this.region(p, source), source: 'hand' });
    const out = p.track === true ? await this.track(source, [r]) : [info(r)];
    this.changed(source);
    return out;
  }

  async deleteRegion(p: Record<string, unknown>): Promise<{ deleted: number }> {
    const current = this.requireRegion(p);
    if (p.wholeTrack !== undefined && typeof p.wholeTrack !== 'boolean') throw new M3cError('usage', '"wholeTrack" must be true or false');
    const deleted = this.ctx.store.regions.delete(current.id, p.wholeTrack === true);
    this.changed(this.ctx.requireSource(current.sourceId));
    return { deleted };
  }

  async trackRegion(p: Record<string, unknown>): Promise<RegionInfo[]> {
    const current = this.requireRegion(p);
    const source = this.ctx.requireSource(current.sourceId);
    const out = await this.track(source, [current]);
    this.changed(source);
    return out;
  }

  /**
   * The LMM's boxes for the clip [first, end): they replace that clip's LMM regions, each tracked through the
   * clip like a drawn box (a box the tracker cannot follow stays where the model put it), and the studio hears of it.
   */
  async setLmmRegions(sourceId: number, first: number, end: number, regions: readonly RoiRegion[]): Promise<RegionInfo[]> {
    const source = this.ctx.requireSource(sourceId);
    const rows = this.ctx.store.regions.replaceLmm(source.id, first, end - 1, regions);
    const out = end - first > 1 ? await this.track(source, rows) : rows.map(info);
    this.changed(source);
    return out;
  }

  /** The last frame of the clip that starts at or before `frame` (the saved selection's keyframes), else the video's last frame. */
  clipEnd(source: SourceRecord, frame: number): number {
    const a = this.ctx.requireAnalysis(source);
    const keyframes = this.ctx.latestSelection(a, source.id)?.keyframes ?? [];
    const next = keyframes.filter((k) => k > frame).sort((x, y) => x - y)[0];
    return next === undefined ? a.frameCount - 1 : next - 1;
  }

  /**
   * Follows each row's box from its first frame to the end of that frame's clip and replaces its track's rows
   * with the tracked regions. The frames are read once at the working geometry and reduced to TRACK_WIDTH luma
   * planes, and each frame-to-frame flow is computed once for all the boxes (rows starting at one frame).
   */
  private async track(source: SourceRecord, list: readonly RegionRecord[]): Promise<RegionInfo[]> {
    if (list.length === 0) return [];
    const first = list[0].frames[0];
    if (list.some((r) => r.frames[0] !== first)) throw new M3cError('internal', 'regions tracked together must start at one frame');
    const last = this.clipEnd(source, first);
    const planes: Plane[] = [];
    const geometry = this.ctx.workingGeometryOf(source);
    const grid = this.flow.gridFor(geometry.width, geometry.height);
    const abort = new AbortController();
    let i = 0;
    try {
      for await (const f of workingFrames(source.path, geometry, abort.signal)) {
        if (i >= first) planes.push(lumaArea(f, grid.width, grid.height));
        if (++i > last) break;
      }
    } finally {
      abort.abort();
    }
    if (planes.length === 0) throw new M3cError('usage', `frame ${first} is past the end of ${source.path}`);
    const flows = new Map<Plane, ReturnType<DenseFlowEstimator['estimatePlanes']>>();
    const flow = (a: Plane, b: Plane): ReturnType<DenseFlowEstimator['estimatePlanes']> => {
      let f = flows.get(a);
      if (!f) flows.set(a, (f = this.flow.estimatePlanes(a, b)));
      return f;
    };
    return list.flatMap((r) => {
      const boxes = trackBox(planes, r.box as Box, flow);
      const regions = regionsOfTrack(boxes, first, { weight: r.weight, label: r.label, source: r.source });
      return this.ctx.store.regions.replaceTrack(source.id, r.track, regions).map(info);
    });
  }

}

/** What an encode of the source is given: every stored region (empty: none). */
export function roiOfSource(store: Store, sourceId: number): RoiSpec {
  return { regions: store.regions.list(sourceId).map((r) => ({ frames: r.frames, box: r.box, weight: r.weight, label: r.label, source: r.source })) };
}
