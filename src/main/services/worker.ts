/**
 * Entry of the worker thread that runs analysis, encode, decode and describe, so the studio's HTTP server and
 * IPC stay responsive while frames are embedded, coded, reconstructed or turned into PNGs for the LMM. ffmpeg
 * still runs as child processes.
 */
import { parentPort } from 'node:worker_threads';
import { M3cError } from '../../shared/engine/errors.ts';
import { DEFAULT_SELECTION, deserialiseFrameSignals, serialiseFrameSignals } from '../../shared/keyframes/index.ts';
import { createEngine, type Engine } from '../pipeline/engine.ts';
import { analyzeVideo } from '../pipeline/select.ts';
import { encodeVideo } from '../pipeline/encode.ts';
import { retextBitstream } from '../pipeline/retext.ts';
import type { BitstreamSummary } from '../pipeline/container.ts';
import { decodeToMp4, geometryOf, openBitstream } from '../pipeline/decode.ts';
import { evaluateVideos } from '../pipeline/evaluate.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { readFile } from 'node:fs/promises';
import { describeChosen, describeWithLmm, type LmmDescribeOptions } from '../pipeline/describe.ts';
import { openStore } from '../store/index.ts';
import { LmmStore } from '../store/lmm.ts';
import type { WorkingGeometry } from '../pipeline/working-frames.ts';
import { searchSourceAnchor } from '../pipeline/anchor.ts';
import type { AnalysisOutcome, AnchorOutcome, DecodeOutcome, DescribeOutcome, EncodeOutcome, FromWorker, ToWorker, WorkerTask } from './worker-tasks.ts';

type ComputeTask = Exclude<WorkerTask, { kind: 'describe' } | { kind: 'anchor' }>;
type DescribeTask = Extract<WorkerTask, { kind: 'describe' }>;

const port = parentPort;
if (!port) throw new Error('services/worker.ts must run in a worker thread');

const controller = new AbortController();
const post = (m: FromWorker): void => port.postMessage(m);
const onProgress = (e: { stage: string; done: number; total: number }): void => post({ type: 'progress', stage: e.stage, done: e.done, total: e.total });

function engineFor(task: ComputeTask): Engine {
  const modelsDir = task.modelsDir ?? undefined;
  if (task.kind === 'encode') return createEngine({ modelsDir, keyframeCodec: task.keyframeCodec });
  if (task.kind === 'decode') return createEngine({ modelsDir, denoiserSteps: task.denoiserSteps, realism: task.realism });
  return createEngine({ modelsDir });
}

async function run(task: WorkerTask): Promise<AnalysisOutcome | EncodeOutcome | DecodeOutcome | DescribeOutcome | AnchorOutcome> {
  if (task.kind === 'describe') return describe(task);
  // The anchor is classical codecs through ffmpeg: no model pack.
  if (task.kind === 'anchor') return searchSourceAnchor(task.input, task.geometry, { signal: controller.signal, onProgress });
  const engine = engineFor(task);
  try {
    return await runWith(engine, task);
  } finally {
    await engine.dispose();
  }
}

/**
 * Transcripts and cached answers go to the project database through this thread's own connection (WAL and
 * the busy timeout let it write beside main's); each description goes to main as soon as it is finished.
 */
async function describe(task: DescribeTask): Promise<DescribeOutcome> {
  const store = openStore(task.database);
  let records: LmmStore;
  try {
    records = new LmmStore(store);
  } finally {
    store.close();
  }
  let described = 0;
  const options: LmmDescribeOptions = {
    lmm: task.lmm,
    prompts: task.prompts,
    records,
    projectId: task.projectId,
    sourceId: task.sourceId,
    signal: controller.signal,
    onProgress,
    onDescription: (description) => {
      described++;
      post({ type: 'description', description });
    },
  };
  const selection = { keyframes: task.keyframes, frameCount: task.frameCount };
  try {
    if (task.items === null) await describeWithLmm(task.input, task.geometry, selection, options);
    else {
      const texts = new Map(task.keyframeTexts);
      await describeChosen(task.input, task.geometry, selection, task.items, (frame) => texts.get(frame) ?? '', options);
    }
  } finally {
    records.close();
  }
  return { described };
}

async function runWith(engine: Engine, task: ComputeTask): Promise<AnalysisOutcome | EncodeOutcome | DecodeOutcome> {
  const signal = controller.signal;
  switch (task.kind) {
    case 'analysis': {
      const r = await analyzeVideo(engine, task.input, { ...task.geometry, fit: task.fit }, DEFAULT_SELECTION, { signal, onProgress });
      return { frameCount: r.frameCount, signals: serialiseFrameSignals(r.signals), embedderId: r.signals.embedderId, flowId: r.signals.flowId };
    }
    case 'encode': {
      // The fit travels with the geometry to every pass over the source (pipeline/working-frames.ts).
      const geometry: WorkingGeometry = { ...task.geometry, fit: task.fit };
      const r = await encodeVideo(engine, task.input, {
        geometry,
        selection: task.selection,
        mode: task.mode,
        clipModes: task.clipModes?.map((m) => m ?? undefined),
        targetKbps: task.targetKbps ?? undefined,
        keyframeBudgetBytes: task.keyframeBudgetBytes ?? undefined,
        descriptions: task.descriptions,
        signals: task.signals ? deserialiseFrameSignals(task.signals) : undefined,
        ...(task.roi && task.roi.regions.length > 0 ? { roi: task.roi, roiWhere: 'the regions of interest' } : {}),
        signal,
        onProgress,
      });
      const outcome = await writeEncoded(task.output, r);
      return r.guided ? { ...outcome, guided: r.guided } : outcome;
    }
    case 'retext': {
      const r = retextBitstream(engine, new Uint8Array(await readFile(task.m3cPath)), task.descriptions, { signal });
      return writeEncoded(task.output, r);
    }
    case 'decode': {
      const file = openBitstream(engine, new Uint8Array(await readFile(task.m3cPath)));
      const r = await decodeToMp4(engine, file, task.output, { signal, onProgress });
      // The reconstruction is at the working geometry already; the source is fitted as it was for the encode.
      const geometry: WorkingGeometry = { ...geometryOf(file), fit: task.fit };
      const ev = await evaluateVideos(task.reference, task.output, geometry, {
        signal,
        onProgress: (e) => onProgress({ stage: e.stage, done: e.done, total: e.total || r.frames }),
      });
      return { frames: ev.frames, psnr: ev.perFrame.psnr, msssim: ev.perFrame.msssim, meanPsnr: ev.psnr, meanMsssim: ev.msssim };
    }
  }
}

/** Writes a new .m3c (atomically) and answers what it holds. */
async function writeEncoded(output: string, r: BitstreamSummary & { readonly m3c: Uint8Array; readonly keyframes: number[]; readonly timings: Record<string, number> }): Promise<EncodeOutcome> {
  onProgress({ stage: 'writing', done: 0, total: 1 });
  await writeFileAtomic(output, r.m3c).catch((e: NodeJS.ErrnoException) => {
    throw new M3cError('input', `cannot write ${output}: ${e.code ?? e.message}`);
  });
  const { bytes, bpp, kbps, frameCount, durationSec, keyframes, sections, timings } = r;
  return { bytes, bpp, kbps, frameCount, durationSec, keyframes, sections, timings };
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'cancel') {
    controller.abort();
    return;
  }
  run(m.task).then(
    (value) => post({ type: 'result', value }),
    (e: unknown) => {
      const err = e instanceof M3cError ? e : controller.signal.aborted ? new M3cError('cancelled', 'cancelled') : new M3cError('internal', `internal error: ${(e as Error)?.message ?? String(e)}`);
      post({ type: 'error', code: err.code, message: err.message });
    },
  );
});
