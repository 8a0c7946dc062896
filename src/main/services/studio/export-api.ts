/** Export (.m3c and mp4), the comparison view's data, and the files and bytes behind media references. */
import { existsSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { M3cError } from '../../../shared/engine/errors.ts';
import { mediaRefs, parseMediaRef, type Comparison, type EncodeParams, type ExportFormat, type ExportResult } from '../../../shared/api/contract.ts';
import type { EncodeMetrics, EncodeRecord } from '../../store/index.ts';
import { expectedFrameCount, type ProbeInfo } from '../../media/index.ts';
import { checkShape, safeFileName } from '../paths.ts';
import { makeFrameJpeg, makeProxyMp4, thumbSize } from '../frames.ts';
import * as v from '../validate.ts';
import type { StudioContext } from './context.ts';
import type { JobsApi } from './jobs-api.ts';

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
    if (!existsSync(e.path)) throw new M3cError('usage', `the .m3c of encode ${e.id} is missing from ${path.dirname(e.path)}`);
    return e.path;
  }

  private exportName(e: EncodeRecord, format: ExportFormat): string {
    const src = this.ctx.store.getSource(e.sourceId);
    const stem = src ? path.basename(src.path, path.extname(src.path)) : 'video';
    return safeFileName(`${stem}-encode-${e.id}${format === 'm3c' ? '.m3c' : '.recon.mp4'}`);
  }

  async exportEncode(p: Record<string, unknown>): Promise<ExportResult> {
    const e = this.ctx.requireEncode(v.id(p, 'encodeId'));
    const format = v.oneOf(p, 'format', ['m3c', 'mp4'] as const);
    const file = this.exportFile(e, format);
    const fileName = this.exportName(e, format);
    if (!this.ctx.options.dialogs) return { kind: 'download', ref: mediaRefs.download(e.id, format), fileName };
    const target = await this.ctx.options.dialogs.chooseSaveFile(fileName, format);
    if (target === null) return { kind: 'cancelled' };
    const checked = checkShape(target, 'export path');
    await copyFile(file, checked);
    return { kind: 'saved', path: checked };
  }

  async getComparison(p: Record<string, unknown>): Promise<Comparison> {
    const e = this.ctx.requireEncode(v.id(p, 'encodeId'));
    const cmp = this.jobs.decodeOf(e);
    if (!cmp) throw new M3cError('usage', `encode ${e.id} has not been decoded and compared yet: decode it first`);
    const g = (e.params as EncodeParams).geometry;
    return {
      encodeId: e.id,
      frames: cmp.frames,
      fps: g.fpsNum / g.fpsDen,
      keyframes: [...(((e.metrics ?? {}) as Partial<EncodeMetrics>).keyframes ?? [])],
      psnr: [...cmp.psnr],
      msssim: [...cmp.msssim],
      meanPsnr: cmp.meanPsnr,
      meanMsssim: cmp.meanMsssim,
      originalVideo: mediaRefs.original(e.sourceId),
      reconstructedVideo: mediaRefs.reconstruction(e.id),
    };
  }

  /** The file or bytes behind a MediaRef; refuses malformed refs and unknown ids. */
  async resolveMedia(ref: string): Promise<MediaResource> {
    const m = parseMediaRef(ref);
    if (!m) throw new M3cError('input', `"${ref}" is not a media reference`);
    switch (m.kind) {
      case 'thumb':
      case 'preview': {
        const source = this.ctx.requireSource(m.sourceId);
        const g = this.ctx.geometryOf(source.projectId);
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
        const g = this.ctx.geometryOf(source.projectId);
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
