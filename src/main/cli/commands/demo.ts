import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { M3cError } from '../../../shared/engine/errors.ts';
import { DEFAULT_SELECTION } from '../../../shared/keyframes/index.ts';
import { numberArg, parse } from '../args.ts';
import type { ReconstructionMode } from '../../../shared/engine/interfaces.ts';
import { DEFAULT_TARGET_KBPS, MAX_TARGET_KBPS, MIN_TARGET_KBPS } from '../../pipeline/guided-encode.ts';
import { DENOISER_HELP, DENOISER_OPTIONS, engineOptionsFrom, KEYFRAME_CODEC_HELP, KEYFRAME_CODEC_OPTIONS, modeFrom, MODELS_HELP, MODELS_OPTIONS } from '../common-options.ts';
import type { CommandContext } from '../context.ts';
import { createEngine, DEFAULT_GEOMETRY, type Engine } from '../../pipeline/engine.ts';
import { encodeVideo } from '../../pipeline/encode.ts';
import { decodeToMp4, openBitstream } from '../../pipeline/decode.ts';
import { evaluateVideos } from '../../pipeline/evaluate.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { importBench } from '../bench-import.ts';
import { encodeFigures } from './encode.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

const HELP = `usage: m3c demo [VIDEO ...] [--out DIR] [options] [--json]

Encodes and decodes sample clips (default: bikes.mp4 and 04_coffee.mp4 from ../shared/media, or
$M3C_MEDIA_DIR) with the default settings, writes the .m3c and mp4 files to DIR (default out/demo)
and prints bytes per section, kbit/s, keyframes, PSNR and MS-SSIM.

  --mode M               guided (default), interpolation or prediction (see "m3c encode --help")
  --kbps R               guided: the rate of each file in kbit/s (default 3)
${KEYFRAME_CODEC_HELP}
${DENOISER_HELP}
${MODELS_HELP}`;

export async function demoCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const { values: v, positionals } = parse(
    argv,
    { out: { type: 'string' }, mode: { type: 'string' }, kbps: { type: 'string' }, ...KEYFRAME_CODEC_OPTIONS, ...DENOISER_OPTIONS, ...MODELS_OPTIONS, help: { type: 'boolean', short: 'h' } },
    'demo',
  );
  if (v.help) return ctx.out(HELP);
  const mode = modeFrom(v);
  const targetKbps = numberArg(v.kbps, 'kbps', { min: MIN_TARGET_KBPS, max: MAX_TARGET_KBPS });
  // The samples and the media folder are resolved by bench/ (source checkouts only).
  const inputs = positionals.length ? positionals : (await importBench(() => import('../../../../bench/demo.ts'), 'm3c demo without VIDEO')).demoSamples();
  for (const input of inputs) {
    if (!existsSync(input)) throw new M3cError('input', `sample ${input} not found: pass a video path or set M3C_MEDIA_DIR`);
  }
  const outDir = v.out ?? path.join(REPO_ROOT, 'out', 'demo');
  mkdirSync(outDir, { recursive: true });
  const engine = createEngine(engineOptionsFrom(v));
  try {
    ctx.result({ keyframeCodec: engine.keyframeCodec.id, mode, results: await demoClips(engine, inputs, outDir, ctx, mode, targetKbps) });
  } finally {
    await engine.dispose();
  }
}

async function demoClips(engine: Engine, inputs: readonly string[], outDir: string, ctx: CommandContext, mode: ReconstructionMode, targetKbps: number | undefined) {
  ctx.out(mode === 'guided' ? `mode: guided at ${targetKbps ?? DEFAULT_TARGET_KBPS} kbit/s` : `mode: ${mode}, keyframe codec: ${engine.keyframeCodec.id}`);
  const results = [];
  for (const input of inputs) {
    const base = path.basename(input).replace(/\.[^.]+$/, '');
    const m3cPath = path.join(outDir, `${base}.m3c`);
    const mp4Path = path.join(outDir, `${base}.decoded.mp4`);
    ctx.out(`\n== ${input}`);
    const enc = await encodeVideo(engine, input, { geometry: DEFAULT_GEOMETRY, selection: DEFAULT_SELECTION, mode, targetKbps, signal: ctx.signal, onProgress: ctx.progress });
    await writeFileAtomic(m3cPath, enc.m3c);
    const f = encodeFigures(enc);
    ctx.out(`encoded ${m3cPath}: ${f.bytes} bytes (${f.kbps} kbit/s, ${f.bpp} bpp) for ${f.frames} frames, ${f.durationSec} s`);
    ctx.out(`keyframes: ${f.keyframes.join(' ')}`);
    ctx.out(`bytes per section: ${f.sections.guide !== undefined ? `guide ${f.sections.guide}, ` : ''}keyframes ${f.sections.keyframes}, keyframe texts ${f.sections.keyframeTexts}, clip texts ${f.sections.clipTexts}, container ${f.sections.container}`);
    const dec = await decodeToMp4(engine, openBitstream(engine, enc.m3c), mp4Path, { signal: ctx.signal, onProgress: ctx.progress });
    ctx.out(`decoded ${mp4Path}: ${dec.frames} frames in ${Math.round(dec.timings.total)} ms`);
    const q = await evaluateVideos(input, mp4Path, DEFAULT_GEOMETRY, { signal: ctx.signal, onProgress: ctx.progress });
    ctx.out(`quality at ${DEFAULT_GEOMETRY.width}x${DEFAULT_GEOMETRY.height}, ${DEFAULT_GEOMETRY.fpsNum} fps: PSNR ${q.psnr.toFixed(2)} dB, MS-SSIM ${q.msssim.toFixed(4)}`);
    results.push({ input, m3c: m3cPath, mp4: mp4Path, ...f, psnr: q.psnr, msssim: q.msssim, decodeMs: Math.round(dec.timings.total) });
  }
  return results;
}
