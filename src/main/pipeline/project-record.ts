/**
 * `m3c encode --project DB`: records the source, its signals, the selection, the texts and the
 * encode in a project database. The encode row is written as 'running' before the work starts and
 * ended in one transaction afterwards, so a crash leaves it 'running' until the next open marks it
 * 'interrupted'; a stored analysis of the same source at the same geometry is reused. The row says
 * 'done' only once the .m3c is durable on disk (written, file and folder flushed): a failure to
 * write it ends the row 'failed' (or 'cancelled'). The metrics are the store's EncodeMetrics, the
 * shape the studio writes too, so both read the same rows.
 */
import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Geometry } from '../../shared/engine/frame.ts';
import type { ReconstructionMode } from '../../shared/engine/interfaces.ts';
import { isAbortError, M3cError } from '../../shared/engine/errors.ts';
import { assertRegularFile } from '../util/input-file.ts';
import { deserialiseFrameSignals, serialiseFrameSignals, type FrameSignals, type SelectionParams } from '../../shared/keyframes/index.ts';
import { openStore, type EncodeMetrics, type Store } from '../store/index.ts';
import type { EncodeResult } from './encode.ts';
import type { Engine, KeyframeCodecKind } from './engine.ts';

export async function sha256File(file: string): Promise<string> {
  // A FIFO would block the hash forever, a device such as /dev/zero never ends.
  await assertRegularFile(file);
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  } catch (e) {
    throw new M3cError('input', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return hash.digest('hex');
}

export interface RecordParams {
  readonly geometry: Geometry;
  readonly selection: SelectionParams;
  readonly mode: ReconstructionMode;
  readonly keyframeBudgetBytes?: number;
  /** The keyframe codec the encode uses ('auto' resolved by the engine). */
  readonly keyframeCodec?: KeyframeCodecKind;
  /** Denoiser steps meant for decoding: the .m3c has no field for them, the project keeps them. */
  readonly denoiserSteps?: number;
  /** Where the texts came from; without one nothing was supplied and stored descriptions are left alone. */
  readonly descriptionOrigin?: 'file' | 'lmm';
}

function projectFor(store: Store, dbPath: string): number {
  const existing = store.listProjects()[0];
  if (existing) return existing.id;
  return store.createProject(path.basename(dbPath).replace(/\.[^.]+$/, '') || 'project').id;
}

/** The CLI's project context: the database's (first) project and the source row of `input`. */
export interface ProjectContext {
  readonly store: Store;
  readonly projectId: number;
  readonly sourceId: number;
}

/** Opens the project database and finds or adds `input` as a source (by path and content hash). */
export async function openProjectSource(dbPath: string, input: string): Promise<ProjectContext> {
  const contentSha256 = await sha256File(input);
  const store = openStore(dbPath);
  try {
    const projectId = projectFor(store, dbPath);
    const absolute = path.resolve(input);
    const source =
      store.listSources(projectId).find((s) => s.path === absolute && s.contentSha256 === contentSha256) ??
      store.addSource({ projectId, path: absolute, probe: {}, contentSha256 });
    return { store, projectId, sourceId: source.id };
  } catch (e) {
    store.close();
    throw e;
  }
}

export async function recordEncode(
  dbPath: string,
  input: string,
  output: string,
  params: RecordParams,
  engine: Engine,
  signal: AbortSignal,
  run: (signal: AbortSignal, signals: FrameSignals | undefined, project: ProjectContext) => Promise<EncodeResult>,
  /** Writes the .m3c durably; the row is ended 'done' only after it resolves. */
  persist: (result: EncodeResult) => Promise<void>,
): Promise<EncodeResult> {
  const project = await openProjectSource(dbPath, input);
  const { store } = project;
  try {
    const source = { id: project.sourceId };
    const key = { sourceId: source.id, geometry: params.geometry, embedderId: engine.embedder.id, flowId: engine.analysisFlow.id };
    const stored = store.getAnalysis(key);
    const encodeId = store.beginEncode({ sourceId: source.id, path: path.resolve(output), params });
    let result: EncodeResult;
    try {
      result = await run(signal, stored ? deserialiseFrameSignals(stored.signals) : undefined, project);
      await persist(result);
    } catch (e) {
      store.failEncode(encodeId, isAbortError(e) || signal.aborted ? 'cancelled' : 'failed', (e as Error).message);
      throw e;
    }
    store.transaction(() => {
      const analysisId = stored?.id ?? store.saveAnalysis({ ...key, frameCount: result.frameCount, signals: serialiseFrameSignals(result.signals) }).id;
      store.saveSelection({ analysisId, params: params.selection, keyframes: result.keyframes, overrides: params.selection.overrides ?? null });
      const origin = params.descriptionOrigin;
      if (origin) result.descriptions.forEach((d, i) => {
        const frameIndex = result.keyframes[i];
        store.upsertDescription({ sourceId: source.id, itemKind: 'keyframe', itemIndex: i, frameIndex, text: d.keyframe, origin });
        // The clip text belongs to this exact span: a later re-selection marks it stale instead of moving it.
        const endFrame = result.keyframes[i + 1] ?? result.frameCount;
        store.upsertDescription({ sourceId: source.id, itemKind: 'clip', itemIndex: i, frameIndex, endFrame, text: d.clip, origin });
      });
      const metrics: EncodeMetrics = { bpp: result.bpp, kbps: result.kbps, frameCount: result.frameCount, durationSec: result.durationSec, keyframes: result.keyframes, sections: result.sections, timings: result.timings };
      store.finishEncode(encodeId, { bytes: result.bytes, metrics });
    });
    return result;
  } finally {
    store.close();
  }
}
