/**
 * The R-D chart of a source: the project's decoded encodes of it, and its classical anchor (searched on
 * demand as an 'anchor' job in a worker thread, kept in the project database by frames and grid).
 */
import type { AnchorPointInfo, JobInfo, RdChart, WorkingGeometry } from '../../../shared/api/contract.ts';
import { paretoEnvelope } from '../../codecs/anchor-search.ts';
import { ANCHOR_MAX_FRAMES, studioAnchorGridKey, type AnchorChartPoint } from '../../pipeline/anchor.ts';
import { AnchorStore, type AnchorEnvelopeKey } from '../../store/anchors.ts';
import type { EncodeMetrics, SourceRecord } from '../../store/index.ts';
import { runInWorker } from '../run-in-worker.ts';
import * as v from '../validate.ts';
import type { StudioContext } from './context.ts';

export class RdApi {
  constructor(private readonly ctx: StudioContext) {}

  /** Which anchor answers for `source` now: its frames at the working geometry and fit, searched with today's grid. */
  private anchorKey(source: SourceRecord, geometry: WorkingGeometry): AnchorEnvelopeKey {
    const framesKey = `${geometry.width}x${geometry.height}@${geometry.fpsNum}/${geometry.fpsDen} ${geometry.fit ?? 'crop'} first ${ANCHOR_MAX_FRAMES}`;
    return { sourceId: source.id, framesKey, gridKey: studioAnchorGridKey(geometry) };
  }

  private withAnchors<T>(fn: (anchors: AnchorStore) => T): T {
    const anchors = new AnchorStore(this.ctx.store);
    try {
      return fn(anchors);
    } finally {
      anchors.close();
    }
  }

  async getRdChart(p: Record<string, unknown>): Promise<RdChart> {
    const source = this.ctx.requireSource(v.id(p, 'sourceId'));
    const geometry = this.ctx.workingGeometryOf(source);
    const encodes: RdChart['encodes'][number][] = [];
    for (const e of this.ctx.store.listEncodes({ projectId: source.projectId, sourceId: source.id })) {
      const d = e.status === 'done' ? this.ctx.store.getDecode(e.id) : undefined;
      const m = e.metrics as EncodeMetrics | null;
      if (d && m) encodes.push({ encodeId: e.id, kbps: m.kbps, psnr: d.meanPsnr, msssim: d.meanMsssim, keyframes: m.keyframes.length });
    }
    const stored = this.withAnchors((a) => a.get<AnchorChartPoint>(this.anchorKey(source, geometry)));
    if (!stored) return { sourceId: source.id, encodes, anchor: null };
    const points: AnchorPointInfo[] = stored.points.map((q) => ({ kbps: q.kbps, psnr: q.psnr, msssim: q.msssim, width: q.width, height: q.height, fps: q.fpsNum / q.fpsDen, crf: q.crf, encoder: q.encoder }));
    const indices = points.map((_, i) => i);
    const envelopeOf = (quality: (q: AnchorPointInfo) => number): number[] => paretoEnvelope(indices, (i) => points[i].kbps, (i) => quality(points[i]));
    return {
      sourceId: source.id,
      encodes,
      anchor: {
        points,
        envelopePsnr: envelopeOf((q) => q.psnr),
        envelopeMsssim: envelopeOf((q) => q.msssim),
        frames: stored.frames,
        seconds: (stored.frames * geometry.fpsDen) / geometry.fpsNum,
        createdAt: stored.createdAt,
      },
    };
  }

  async startAnchorSearch(p: Record<string, unknown>): Promise<JobInfo> {
    const source = this.ctx.requireSource(v.id(p, 'sourceId'));
    const { ctx } = this;
    return ctx.jobs.enqueue({
      kind: 'anchor',
      projectId: source.projectId,
      sourceId: source.id,
      run: async (job) => {
        const geometry = ctx.workingGeometryOf(source);
        const key = this.anchorKey(source, geometry);
        const r = await runInWorker({ kind: 'anchor', input: source.path, geometry }, { signal: job.signal, onProgress: job.progress });
        this.withAnchors((a) => a.save(key, r.frames, r.points));
      },
    });
  }
}
