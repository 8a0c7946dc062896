/**
 * `m3c bench latency`: encoder and decoder wall time per stage on one clip, in the layout of the
 * paper's Table II (time per clip, per frame, share of the side's total), with the machine described.
 *
 * The stage times are the engine's own (encodeVideo's and decodeToMp4's `timings`): probe + analysis
 * + keyframe selection, the LMM description, keyframe coding; keyframe decoding, clip reconstruction,
 * mp4 writing. The engine does not time text coding, bitstream writing and bitstream parsing (each
 * well under a millisecond): those are timed here on the same inputs, repeated until 5 ms have
 * passed, and the row says so. One cold run: the first use of each model includes loading it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { M3cError } from '../src/shared/engine/errors.ts';
import { DEFAULT_SELECTION } from '../src/shared/keyframes/index.ts';
import { writeM3c } from '../src/shared/bitstream/index.ts';
import { encodeText } from '../src/shared/text/index.ts';
import { runFfmpeg } from '../src/main/media/index.ts';
import { createEngine, DEFAULT_GEOMETRY } from '../src/main/pipeline/engine.ts';
import { encodeVideo } from '../src/main/pipeline/encode.ts';
import { decodeToMp4, openBitstream } from '../src/main/pipeline/decode.ts';
import { lmmDescriber } from '../src/main/pipeline/describe.ts';
import { lmmOptionsFrom } from '../src/main/cli/lmm-options.ts';

export interface LatencyRow {
  readonly side: 'encoder' | 'decoder';
  readonly stage: string;
  /** Absent when the stage was skipped (`skipped` says why). */
  readonly ms?: number;
  readonly msPerFrame?: number;
  /** Of the side's total, in percent. */
  readonly share?: number;
  readonly skipped?: string;
  readonly note?: string;
}

export interface LatencyReport {
  readonly tool: 'm3c bench latency';
  readonly generatedAt: string;
  readonly clip: string;
  readonly frames: number;
  readonly durationSec: number;
  readonly geometry: typeof DEFAULT_GEOMETRY;
  readonly bytes: number;
  readonly kbps: number;
  readonly keyframes: number;
  readonly keyframeCodec: string;
  readonly reconstructor: string;
  readonly machine: { cpuModel: string; cores: number; memoryGiB: number; platform: string; node: string; onnxruntimeNode: string; ffmpeg: string };
  readonly rows: LatencyRow[];
  readonly totals: { encoderMs: number; decoderMs: number };
  readonly wallMs: number;
}

export interface LatencyOptions {
  readonly clip: string;
  readonly modelsDir?: string;
  /** An OpenAI-compatible endpoint for the description stage; skipped without it. */
  readonly lmmUrl?: string;
  readonly signal?: AbortSignal;
}

/** Mean milliseconds of `fn`, repeated until at least `minMs` have passed (sub-millisecond stages). */
function repeatTimed(fn: () => void, minMs = 5): number {
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  do {
    fn();
    n++;
    t = performance.now();
  } while (t - t0 < minMs);
  return (t - t0) / n;
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1].trim();
  } catch {
    // not Linux: os.cpus() below
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

function onnxruntimeVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    return (JSON.parse(readFileSync(require.resolve('onnxruntime-node/package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

async function ffmpegVersion(signal?: AbortSignal): Promise<string> {
  const { stdout } = await runFfmpeg(['-version'], { signal });
  return stdout.toString('utf8').split('\n')[0].replace(/\s+Copyright.*$/, '').trim();
}

export async function runLatency(options: LatencyOptions): Promise<LatencyReport> {
  const t0 = performance.now();
  const { clip, signal } = options;
  if (!existsSync(clip)) throw new M3cError('input', `clip ${clip} not found`);
  const geometry = DEFAULT_GEOMETRY;
  const engine = createEngine({ modelsDir: options.modelsDir });
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'm3c-latency-'));
  try {
    const describer = options.lmmUrl ? lmmDescriber(clip, geometry, { lmm: lmmOptionsFrom({ 'lmm-url': options.lmmUrl }), signal }) : undefined;
    const te = performance.now();
    const enc = await encodeVideo(engine, clip, { geometry, selection: DEFAULT_SELECTION, mode: 'interpolation', describer, signal });
    const encodeWall = performance.now() - te;
    const frames = enc.frameCount;

    // Stages the engine does not time, on the inputs it had.
    const textMs = repeatTimed(() => {
      for (const d of enc.descriptions) {
        encodeText(d.keyframe);
        encodeText(d.clip);
      }
    });
    let parsed = openBitstream(engine, enc.m3c);
    const parseMs = repeatTimed(() => {
      parsed = openBitstream(engine, enc.m3c);
    });
    const writeMs = repeatTimed(() => writeM3c({ header: parsed.header, clips: parsed.clips }));

    const dec = await decodeToMp4(engine, parsed, path.join(tmp, 'decoded.mp4'), { signal });
    const t = enc.timings;
    const analysisMs = (t.probe ?? 0) + (t.analysis ?? 0) + (t.selection ?? 0);
    const encRows: { stage: string; ms?: number; skipped?: string; note?: string }[] = [
      { stage: 'keyframe selection / analysis', ms: analysisMs, note: `probe ${(t.probe ?? 0).toFixed(0)} ms, analysis (decoding, embeddings, flow) ${(t.analysis ?? 0).toFixed(0)} ms, selection ${(t.selection ?? 0).toFixed(1)} ms` },
      describer ? { stage: 'description (LMM)', ms: t.describe ?? 0, note: options.lmmUrl } : { stage: 'description (LMM)', skipped: 'not configured, skipped' },
      { stage: 'keyframe coding', ms: t['keyframe-coding'] ?? 0, note: `${engine.keyframeCodec.id}, ${enc.keyframes.length} keyframe${enc.keyframes.length === 1 ? '' : 's'}; includes a second decoding pass of the clip` },
      { stage: 'text coding', ms: textMs, note: 'timed by the bench (the engine does not)' },
      { stage: 'bitstream writing', ms: writeMs, note: 'timed by the bench (the engine does not)' },
    ];
    const encSum = encRows.reduce((a, r) => a + (r.ms ?? 0), 0);
    encRows.push({ stage: 'other', ms: Math.max(0, encodeWall - encSum), note: 'the rest of the encoder wall time' });
    const encoderMs = Math.max(encodeWall, encSum);
    const decRows: { stage: string; ms: number; note?: string }[] = [
      { stage: 'bitstream parsing', ms: parseMs, note: 'timed by the bench (the engine does not)' },
      { stage: 'keyframe decoding', ms: dec.timings['keyframe-decoding'] ?? 0 },
      { stage: 'clip reconstruction', ms: dec.timings.reconstruction ?? 0, note: engine.reconstructor.id },
      { stage: 'mp4 writing', ms: dec.timings['mp4-encoding'] ?? 0, note: 'libx264 via ffmpeg' },
    ];
    const decoderMs = decRows.reduce((a, r) => a + r.ms, 0);
    const row = (side: LatencyRow['side'], total: number) => (r: { stage: string; ms?: number; skipped?: string; note?: string }): LatencyRow =>
      r.ms === undefined
        ? { side, stage: r.stage, skipped: r.skipped, ...(r.note ? { note: r.note } : {}) }
        : { side, stage: r.stage, ms: r.ms, msPerFrame: r.ms / frames, share: (100 * r.ms) / total, ...(r.note ? { note: r.note } : {}) };
    const cores = os.cpus().length;
    return {
      tool: 'm3c bench latency',
      generatedAt: new Date().toISOString(),
      clip: path.resolve(clip),
      frames,
      durationSec: enc.durationSec,
      geometry,
      bytes: enc.bytes,
      kbps: enc.kbps,
      keyframes: enc.keyframes.length,
      keyframeCodec: engine.keyframeCodec.id,
      reconstructor: engine.reconstructor.id,
      machine: { cpuModel: cpuModel(), cores, memoryGiB: os.totalmem() / 2 ** 30, platform: `${process.platform}-${process.arch}`, node: process.version, onnxruntimeNode: onnxruntimeVersion(), ffmpeg: await ffmpegVersion(signal) },
      rows: [...encRows.map(row('encoder', encoderMs)), ...decRows.map(row('decoder', decoderMs))],
      totals: { encoderMs, decoderMs },
      wallMs: performance.now() - t0,
    };
  } finally {
    await engine.dispose();
    await rm(tmp, { recursive: true, force: true });
  }
}

const fmtMs = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 1 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(3)} ms`);

/** The report as Markdown: the machine, then Table II (encoder and decoder stages). */
export function renderLatencyMarkdown(r: LatencyReport): string {
  const m = r.machine;
  const L = [
    '# Latency per stage (`m3c bench latency`)',
    '',
    `Clip \`${path.basename(r.clip)}\`: ${r.frames} frames at ${r.geometry.width}x${r.geometry.height}, ${r.geometry.fpsNum}/${r.geometry.fpsDen} fps (${r.durationSec.toFixed(2)} s); ${r.bytes} B, ${r.kbps.toFixed(2)} kbit/s, ${r.keyframes} keyframe${r.keyframes === 1 ? '' : 's'} (${r.keyframeCodec}), ${r.reconstructor}. One cold run (model loading included).`,
    '',
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB.toFixed(1)} GiB, ${m.platform}; Node ${m.node}, onnxruntime-node ${m.onnxruntimeNode}; ${m.ffmpeg}.`,
    '',
    '| | stage | time per clip | time per frame | share | note |',
    '|---|---|---:|---:|---:|---|',
  ];
  for (const side of ['encoder', 'decoder'] as const) {
    r.rows
      .filter((x) => x.side === side)
      .forEach((x, i) => {
        const head = i === 0 ? side : '';
        if (x.ms === undefined) L.push(`| ${head} | ${x.stage} | ${x.skipped ?? 'skipped'} | | | ${x.note ?? ''} |`);
        else L.push(`| ${head} | ${x.stage} | ${fmtMs(x.ms)} | ${fmtMs(x.msPerFrame ?? 0)} | ${(x.share ?? 0).toFixed(1)}% | ${x.note ?? ''} |`);
      });
    const total = side === 'encoder' ? r.totals.encoderMs : r.totals.decoderMs;
    L.push(`| | **${side} total** | **${fmtMs(total)}** | **${fmtMs(total / r.frames)}** | 100% | ${(r.durationSec / (total / 1000)).toFixed(2)}x real time |`);
  }
  L.push('');
  return L.join('\n');
}
