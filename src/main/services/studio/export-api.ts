/** Export (.m3c and mp4), the comparison view's data, and the files and bytes behind media references. */
import { constants as fsConstants, existsSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { M3cError } from '../../../shared/engine/errors.ts';
import { mediaRefs, parseMediaRef, type Comparison, type EncodeParams, type ExportFile, type ExportFilesResult, type ExportFormat, type ExportResult } from '../../../shared/api/contract.ts';
import type { EncodeMetrics, EncodeRecord } from '../../store/index.ts';
import { expectedFrameCount, type ProbeInfo } from '../../media/index.ts';
import { checkShape, isInside, safeFileName } from '../paths.ts';
import { makeFrameJpeg, makeProxyMp4, thumbSize } from '../frames.ts';
import * as v from '../validate.ts';
import type { StudioContext } from './context.ts';
import type { JobsApi } from './jobs-api.ts';
import { roiQuality } from './roi-quality.ts';
import { roiOfSource } from './regions-api.ts';
import type { ComparedEncode, RoiQuality } from '../../../shared/api/contract.ts';
import type { RoiSpec } from '../../../shared/roi/index.ts';

/** A binary resource for a MediaRef: a file to stream (with Range) or bytes. */
export type MediaResource =
  | { readonly kind: 'file'; readonly path: string; readonly contentType: string; readonly downloadName?: string }
  | { readonly kind: 'bytes'; readonly bytes: Uint8Array; readonly contentType: string };

export class ExportApi {
  constructor(
    private readonly ctx: StudioContext,
    private readonly jobs: JobsApi,
  ) {}

  private exportFile(e: EncodeRecord, format: ExportFormat): string {
    if (e.status !== 'done') throw new M3cError('usage', `encode ${e.id} is ${e.status}: only a finished encode can be exported`);
    if (format === 'mp4') {
      const recon = this.jobs.reconstructionOf(e);
      if (!recon) throw new M3cError('usage', `encode ${e.id} has no reconstruction yet: decode it first`);
      return recon;
    }
    if (!existsSync(e.path)) throw new M3cError('usage', `the .m3c of encode ${e.id} is missing: it was kept ${this.placeOf(e, e.path)}`);
    return e.path;
  }

  private exportName(e: EncodeRecord, format: ExportFormat): string {
    const src = this.ctx.store.getSource(e.sourceId);
    const stem = src ? path.basename(src.path, path.extname(src.path)) : 'video';
    return safeFileName(`${stem}-encode-${e.id}${format === 'm3c' ? '.m3c' : '.recon.mp4'}`);
  }

  /** Where the project keeps a file, in studio words: its folder inside the project and its name, never a server path. */
  private placeOf(e: EncodeRecord, file: string): string {
    const dir = this.ctx.layout.projectDir(e.projectId);
    const name = path.basename(file);
    if (!isInside(file, dir)) return `outside this project's folder (where it was encoded) as ${name}`;
    const folder = path.dirname(path.relative(dir, file));
    return folder === '.' ? `in this project's folder as ${name}` : `in this project's ${folder.split(path.sep).join('/')} folder as ${name}`;
  }

  /** The file of one format offered for download; `file` is where it is or will be once the decode is done. */
  private exportEntry(e: EncodeRecord, format: ExportFormat, file: string): ExportFile {
    return { format, fileName: this.exportName(e, format), ref: mediaRefs.download(e.id, format), place: this.placeOf(e, file) };
  }

  async exportEncode(p: Record<string, unknown>): Promise<ExportResult> {
    const e = this.ctx.requireEncode(v.id(p, 'encodeId'));
    const format = v.oneOf(p, 'format', ['m3c', 'mp4'] as const);
    const file = this.exportFile(e, format);
    const fileName = this.exportName(e, format);
    if (!this.ctx.options.dialogs) return { kind: 'download', ref: mediaRefs.download(e.id, format), fileName, place: this.placeOf(e, file) };
    const target = await this.ctx.options.dialogs.chooseSaveFile(fileName, format);
    if (target === null) return { kind: 'cancelled' };
    const checked = checkShape(target, 'export path');
    await copyFile(file, checked);
    return { kind: 'saved', path: checked };
  }

  /**
   * "Export .m3c and mp4": both files in one action. Electron asks for one folder and copies both there (a
   * name already taken there gets a number); without a reconstruction, a decode is queued first and the copy
   * is the end of that job. Web mode answers both downloads, or the decode job after which they are ready.
   */
  async exportEncodeFiles(p: Record<string, unknown>): Promise<ExportFilesResult> {
    const e = this.ctx.requireEncode(v.id(p, 'encodeId'));
    const m3c = this.exportFile(e, 'm3c');
    const recon = this.jobs.reconstructionOf(e);
    const files = [this.exportEntry(e, 'm3c', m3c), this.exportEntry(e, 'mp4', recon ?? this.ctx.layout.inProject(e.projectId, this.ctx.layout.reconstructionName(e.id)))];
    const dialogs = this.ctx.options.dialogs;
    if (!dialogs) return recon ? { kind: 'download', files } : { kind: 'decoding', job: this.jobs.queueDecode(e), folder: null, files };
    const chosen = await dialogs.chooseFolder(`Export encode ${e.id}: its .m3c and mp4`);
    if (chosen === null) return { kind: 'cancelled' };
    const folder = checkShape(chosen, 'export folder');
    const save = async (): Promise<string[]> => {
      const mp4 = this.exportFile(this.ctx.requireEncode(e.id), 'mp4');
      return [await copyInto(folder, m3c, files[0].fileName), await copyInto(folder, mp4, files[1].fileName)];
    };
    if (recon) return { kind: 'saved', folder, paths: await save() };
    const job = this.jobs.queueDecode(e, async (ctx) => {
      ctx.progress({ stage: 'exporting', done: 0, total: 2 });
      await save();
      ctx.progress({ stage: 'exporting', done: 2, total: 2 });
    });
    return { kind: 'decoding', job, folder, files };
  }

  async getComparison(p: Record<string, unknown>): Promise<Comparison> {
    const e = this.ctx.requireEncode(v.id(p, 'encodeId'));
    const cmp = this.jobs.decodeOf(e);
    if (!cmp) throw new M3cError('usage', `encode ${e.id} has not been decoded and compared yet: decode it first`);
    const g = (e.params as EncodeParams).geometry;
    // An encode made without regions is measured on the source's regions now, so an old encode and a new one
    // made with regions show their figures on the same box.
    const used = (e.params as EncodeParams).roi;
    const current = used && used.regions.length > 0 ? null : roiOfSource(this.ctx.store, e.sourceId);
    const roi = used && used.regions.length > 0 ? used : current && current.regions.length > 0 ? current : undefined;
    const quality = roi ? await this.roiQualityOf(e, cmp, roi) : undefined;
    // Old and new side by side (issue 14): another encode of the same source, measured on the same regions.
    let against: ComparedEncode | undefined;
    if (p.againstEncodeId !== undefined && p.againstEncodeId !== null) {
      const o = this.ctx.requireEncode(v.id(p, 'againstEncodeId'));
      if (o.id === e.id) throw new M3cError('usage', `encode ${e.id} cannot be compared against itself: pick another encode of the same video`);
      if (o.sourceId !== e.sourceId) throw new M3cError('usage', `encode ${o.id} is of another video than encode ${e.id}: compare encodes of the same video`);
      const og = (o.params as EncodeParams).geometry;
      if (og.width !== g.width || og.height !== g.height || og.fpsNum * g.fpsDen !== g.fpsNum * og.fpsDen || this.ctx.encodeFit(o) !== this.ctx.encodeFit(e)) {
        throw new M3cError('usage', `encode ${o.id} was made at another working geometry than encode ${e.id}: their frames do not line up`);
      }
      const ocmp = this.jobs.decodeOf(o);
      if (!ocmp) throw new M3cError('usage', `encode ${o.id} has not been decoded and compared yet: decode it first`);
      const oq = roi ? await this.roiQualityOf(o, ocmp, roi) : undefined;
      against = {
        encodeId: o.id,
        psnr: [...ocmp.psnr],
        msssim: [...ocmp.msssim],
        meanPsnr: ocmp.meanPsnr,
        meanMsssim: ocmp.meanMsssim,
        bytes: o.bytes,
        reconstructedVideo: mediaRefs.reconstruction(o.id),
        ...(oq ? { roiQuality: oq } : {}),
      };
    }
    return {
      encodeId: e.id,
      frames: cmp.frames,
      fps: g.fpsNum / g.fpsDen,
      keyframes: [...(((e.metrics ?? {}) as Partial<EncodeMetrics>).keyframes ?? [])],
      psnr: [...cmp.psnr],
      msssim: [...cmp.msssim],
      meanPsnr: cmp.meanPsnr,
      meanMsssim: cmp.meanMsssim,
      // The source as it was fitted for this encode, whatever its fit is now.
      originalVideo: mediaRefs.original(e.sourceId, this.ctx.encodeFit(e)),
      reconstructedVideo: mediaRefs.reconstruction(e.id),
      ...(roi ? { roi, roiUsed: roi === used } : {}),
      ...(quality ? { roiQuality: quality } : {}),
      ...(against ? { against } : {}),
    };
  }

  /** PSNR-Y inside and outside `roi` of an encode's decode (null without a reconstruction), measured once per decode and regions. */
  private async roiQualityOf(e: EncodeRecord, cmp: { createdAt: number; frames: number }, roi: RoiSpec): Promise<RoiQuality | undefined> {
    const recon = roi.regions.length > 0 ? this.jobs.reconstructionOf(e) : null;
    if (!recon) return undefined;
    const key = `${e.id}:${cmp.createdAt}:${JSON.stringify(roi.regions)}`;
    let q = this.roiQualities.get(key);
    if (!q) {
      const g = (e.params as EncodeParams).geometry;
      q = roiQuality(this.ctx.requireSource(e.sourceId).path, recon, { ...g, fit: this.ctx.encodeFit(e) }, roi, cmp.frames);
      this.roiQualities.set(key, q);
      q.catch(() => this.roiQualities.delete(key));
    }
    return q;
  }

  /** PSNR-Y inside/outside the regions per decode (encode id and decode time), measured once. */
  private readonly roiQualities = new Map<string, Promise<RoiQuality>>();

  /** The file or bytes behind a MediaRef; refuses malformed refs and unknown ids. */
  async resolveMedia(ref: string): Promise<MediaResource> {
    const m = parseMediaRef(ref);
    if (!m) throw new M3cError('input', `"${ref}" is not a media reference`);
    switch (m.kind) {
      case 'thumb':
      case 'preview': {
        const source = this.ctx.requireSource(m.sourceId);
        const g = this.ctx.workingGeometryOf(source, m.fit);
        const a = this.ctx.analysisOf(source);
        // Before the analysis has counted the frames, the probed duration at the working rate bounds them.
        const frames = a ? a.frameCount : expectedFrameCount(source.probe as ProbeInfo, g.fpsNum, g.fpsDen);
        if (m.frame >= frames) throw new M3cError('input', `frame ${m.frame} is past the end (${frames} frames)`);
        const { layout } = this.ctx;
        const file = m.kind === 'thumb' ? layout.thumbFile(source.projectId, source.id, g, m.frame) : layout.previewFile(source.projectId, source.id, g, m.frame);
        const size = m.kind === 'thumb' ? thumbSize(g) : { width: g.width, height: g.height };
        await this.ctx.once.make(file, (tmp) => this.ctx.previews.run(() => makeFrameJpeg(source.path, source.probe as ProbeInfo, g, m.frame, size, tmp)));
        return { kind: 'file', path: file, contentType: 'image/jpeg' };
      }
      case 'original': {
        const source = this.ctx.requireSource(m.sourceId);
        const g = this.ctx.workingGeometryOf(source, m.fit);
        const file = this.ctx.layout.proxyFile(source.projectId, source.id, g);
        await this.ctx.once.make(file, (tmp) => makeProxyMp4(source.path, source.probe as ProbeInfo, g, tmp));
        return { kind: 'file', path: file, contentType: 'video/mp4' };
      }
      case 'signals': {
        const a = this.ctx.requireAnalysis(this.ctx.requireSource(m.sourceId));
        return { kind: 'bytes', bytes: a.signals, contentType: 'application/octet-stream' };
      }
      case 'reconstruction': {
        const e = this.ctx.requireEncode(m.encodeId);
        return { kind: 'file', path: this.exportFile(e, 'mp4'), contentType: 'video/mp4' };
      }
      case 'download': {
        const e = this.ctx.requireEncode(m.encodeId);
        return {
          kind: 'file',
          path: this.exportFile(e, m.format),
          contentType: m.format === 'm3c' ? 'application/octet-stream' : 'video/mp4',
          downloadName: this.exportName(e, m.format),
        };
      }
    }
  }
}

/** Copies `file` into `folder` as `name`, or "name (2)", "name (3)"... when that is taken; answers the path written. */
async function copyInto(folder: string, file: string, name: string): Promise<string> {
  const ext = name.endsWith('.recon.mp4') ? '.recon.mp4' : path.extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let n = 1; n < 1000; n++) {
    const target = path.join(folder, n === 1 ? name : `${stem} (${n})${ext}`);
    try {
      await copyFile(file, target, fsConstants.COPYFILE_EXCL);
      return target;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      throw new M3cError('input', `cannot save ${path.basename(target)} in ${folder}: ${code ?? (err as Error).message}`);
    }
  }
  throw new M3cError('input', `cannot save ${name} in ${folder}: too many files of that name there`);
}
