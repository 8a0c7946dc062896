/** `m3c bench`: options, help and printing only; the harnesses live in bench/ and are loaded lazily (../bench-import.ts). */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { M3cError } from '../../../shared/engine/errors.ts';
import { parse, numberArg, choiceArg } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { MAX_DENOISER_STEPS, DEFAULT_DENOISER_STEPS } from '../../codecs/learned/index.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { importBench } from '../bench-import.ts';
import type { BenchSet } from '../../../../bench/keyframes/index.ts';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const REPORT_NAME = 'keyframes-bench';

const SUBCOMMANDS = {
  keyframes: 'the learned keyframe codec against AV1 intra at equal bytes, on Kodak and evaluation-clip keyframes',
  rd: 'rate-distortion of ours against SVT-AV1/libaom forced down to our rates (smaller, slower, upscaled) and full-size x264/x265/SVT-AV1, with BD-rate and ablations',
  latency: "encoder and decoder wall time per stage on one clip (the paper's Table II), with the machine",
} as const;

const HELP = `usage: m3c bench <subcommand> [options]

subcommands:
${Object.entries(SUBCOMMANDS)
  .map(([name, s]) => `  ${name.padEnd(10)} ${s}`)
  .join('\n')}`;

const KEYFRAMES_HELP = `usage: m3c bench keyframes [options] [--json]

Per image and on average: bytes, bpp, PSNR (RGB), MS-SSIM, HF energy ratio, gradient-histogram
distance, encode and decode ms of three rows per token grid of the pack: ours (learned codec with the
denoiser), ours-no-diffusion (same payload, z^ decoded directly) and av1 (libaom intra within +-5% of
ours's bytes). Images: the 24 Kodak PNGs (portrait ones coded as 512x768) and the keyframes the
default selection picks in the evaluation clips (04_coffee, 05_juggle, bedroom, bikes, carphone) at
512x320, 8 fps, read from $M3C_MEDIA_DIR or ../shared/media.

  --models DIR       learned model pack (default resources/models)
  --kodak-only       only the Kodak set
  --clips-only       only the evaluation-clip keyframes
  --limit N          first N images per set
  --max-per-clip N   at most N keyframes per clip (default all)
  --steps N          denoiser steps of "ours", 0..${MAX_DENOISER_STEPS} (default ${DEFAULT_DENOISER_STEPS})
  --out DIR          where ${REPORT_NAME}.md and ${REPORT_NAME}.json go (default docs/)
  --grids-dir DIR    side-by-side PNGs (default OUT/${REPORT_NAME}/)`;

export async function benchCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h') return ctx.out(HELP);
  if (sub === undefined) throw new M3cError('usage', `bench needs a subcommand (${Object.keys(SUBCOMMANDS).join(', ')}; see "m3c bench --help")`);
  if (sub === 'rd') return benchRdCommand(rest, ctx);
  if (sub === 'latency') return benchLatencyCommand(rest, ctx);
  if (sub !== 'keyframes') throw new M3cError('usage', `unknown bench subcommand "${sub}" (subcommands: ${Object.keys(SUBCOMMANDS).join(', ')})`);
  return benchKeyframesCommand(rest, ctx);
}

const RD_HELP = `usage: m3c bench rd --clips FILE... [--out DIR] [--points quick|full|report|guided] [--series NAME,...] [--max-frames N] [--models DIR] [--json]

Per clip, preprocessed as the encoder does (512x320, 8 fps, crop): the anchor (SVT-AV1, libaom
below 64 px, at reduced size and frame rate, upscaled with lanczos and frame-repeated back; rate =
raw AV1 OBU bytes, no container) over a size x frame rate x CRF grid and its envelope; x264 and
x265 (veryslow, QP sweep) and SVT-AV1 (CRF sweep) at full size (raw Annex B / OBU bytes); ours
through the real engine at several operating points, with the ablations of the paper's Table I in
full and report; PSNR-Y, PSNR-RGB, MS-SSIM; BD-rate and BD-quality of every curve against the
envelope (PCHIP, overlapping range only). Writes rd.json and rd.md.

  --clips FILE...    the clips (further positional arguments are clips too)
  --points P         quick (2 sizes x 1 frame rate x 2 CRF, 2 points per full-size codec, 2 of
                     ours), full (dense, for one clip), report (what npm run report runs) or
                     guided (the report's anchor grid with 5 CRFs, no full-size codecs, the guided
                     series at 1.5-6 kbit/s and ours-default) (default quick)
  --series NAME,...  only these series of ours from the preset (e.g. ours-guided); the anchors
                     and full-size codecs run as the preset says
  --max-frames N     only the first N frames (at 8 fps) of each clip
  --models DIR       learned model pack (default resources/models)
  --out DIR          where rd.md and rd.json go (default bench-out/rd); computed points are cached
                     in OUT/cache/ (keyed by clip hash, configuration and versions) and a rerun, or
                     a run resumed after Ctrl-C, loads them instead of recomputing`;

async function benchRdCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const { values: v, positionals } = parse(
    argv,
    {
      clips: { type: 'string', multiple: true },
      points: { type: 'string' },
      series: { type: 'string', multiple: true },
      'max-frames': { type: 'string' },
      models: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    'bench rd',
  );
  if (v.help) return ctx.out(RD_HELP);
  // The harnesses live under bench/ and are loaded only when asked for.
  const rd = await importBench(() => import('../../../../bench/rd/run.ts'), 'm3c bench rd');
  const clips = [...(v.clips ?? []), ...positionals];
  if (clips.length === 0) throw new M3cError('usage', 'bench rd needs --clips FILE... (see "m3c bench rd --help")');
  for (const c of clips) {
    if (!existsSync(c)) throw new M3cError('input', `clip ${c} not found`);
  }
  const points = choiceArg(v.points, 'points', rd.POINTS_PRESETS) ?? 'quick';
  const maxFrames = numberArg(v['max-frames'], 'max-frames', { min: 1, integer: true });
  const outDir = path.resolve(v.out ?? path.join(REPO_ROOT, 'bench-out', 'rd'));
  const report = await rd.runRd({
    clips,
    points,
    maxFrames,
    ...(v.series ? { series: v.series.flatMap((x) => x.split(',')) } : {}),
    modelsDir: v.models,
    cacheDir: path.join(outDir, 'cache'),
    signal: ctx.signal,
    onProgress: (p) => {
      // The bar on a terminal (cleared by the context when the command ends); one plain line per point otherwise.
      if (process.stderr.isTTY) ctx.progress({ stage: 'bench rd', done: p.done, total: p.total, message: p.label });
      else process.stderr.write(`m3c: ${p.done}/${p.total}${p.etaSec !== undefined ? ` ETA ${p.etaSec.toFixed(0)}s` : ''} ${p.label}\n`);
    },
  });
  const files = await rd.writeRdReport(report, outDir);
  for (const c of report.clips) {
    ctx.out(`${c.name}: ${c.frames} frames, ${c.anchor.points.length} anchor points (${c.anchor.envelopes.psnrY.length} on the PSNR-Y envelope)`);
    for (const b of c.bd) ctx.out(`  ${b.series} ${b.metric}: BD-rate ${rd.bdSummary(b.bdRate, '%')}, BD-quality ${rd.bdSummary(b.bdQuality, b.metric === 'msssim' ? '' : ' dB')}`);
  }
  ctx.out(`report: ${files.md}, ${files.json}; ${report.cache.computed} points computed, ${report.cache.hits} cache entries loaded (${report.cache.dir ?? 'none'}); ${(report.wallMs / 1000).toFixed(1)} s`);
  ctx.result({ report: files.md, json: files.json, ...report });
}

const LATENCY_HELP = `usage: m3c bench latency --clip FILE [--out DIR] [--models DIR] [--lmm-url URL] [--json]

Encodes and decodes FILE once (512x320, 8 fps, the defaults) and prints the wall time per stage in
the layout of the paper's Table II: encoder (keyframe selection / analysis, description, keyframe
coding, text coding, bitstream writing) and decoder (bitstream parsing, keyframe decoding, clip
reconstruction, mp4 writing), per clip, per frame and as a share, with the machine described. Stage
times are the engine's own; text coding, bitstream writing and parsing are timed by the bench.

  --clip FILE        the clip
  --lmm-url URL      an OpenAI-compatible endpoint for the description stage (skipped without it)
  --models DIR       learned model pack (default resources/models)
  --out DIR          also write latency.md and latency.json there`;

async function benchLatencyCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const { values: v, positionals } = parse(
    argv,
    {
      clip: { type: 'string' },
      'lmm-url': { type: 'string' },
      models: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    'bench latency',
  );
  if (v.help) return ctx.out(LATENCY_HELP);
  if (positionals.length > 0) throw new M3cError('usage', `bench latency takes no positional arguments, got "${positionals[0]}" (see "m3c bench latency --help")`);
  if (v.clip === undefined) throw new M3cError('usage', 'bench latency needs --clip FILE (see "m3c bench latency --help")');
  if (!existsSync(v.clip)) throw new M3cError('input', `clip ${v.clip} not found`);
  const latency = await importBench(() => import('../../../../bench/latency.ts'), 'm3c bench latency');
  const report = await latency.runLatency({ clip: v.clip, modelsDir: v.models, lmmUrl: v['lmm-url'], signal: ctx.signal });
  const md = latency.renderLatencyMarkdown(report);
  let files: { md: string; json: string } | undefined;
  if (v.out !== undefined) {
    const outDir = path.resolve(v.out);
    await mkdir(outDir, { recursive: true });
    files = { md: path.join(outDir, 'latency.md'), json: path.join(outDir, 'latency.json') };
    const enc = new TextEncoder();
    await writeFileAtomic(files.json, enc.encode(JSON.stringify(report, null, 1) + '\n'));
    await writeFileAtomic(files.md, enc.encode(md));
  }
  ctx.out(md);
  ctx.result({ ...(files ?? {}), ...report });
}

async function benchKeyframesCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const { values: v, positionals } = parse(
    argv,
    {
      models: { type: 'string' },
      'kodak-only': { type: 'boolean' },
      'clips-only': { type: 'boolean' },
      limit: { type: 'string' },
      'max-per-clip': { type: 'string' },
      steps: { type: 'string' },
      out: { type: 'string' },
      'grids-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    'bench keyframes',
  );
  if (v.help) return ctx.out(KEYFRAMES_HELP);
  if (positionals.length > 0) throw new M3cError('usage', `bench keyframes takes no positional arguments, got "${positionals[0]}" (see "m3c bench keyframes --help")`);
  if (v['kodak-only'] && v['clips-only']) throw new M3cError('usage', '--kodak-only and --clips-only exclude each other');
  const sets: BenchSet[] = v['kodak-only'] ? ['kodak'] : v['clips-only'] ? ['clips'] : ['kodak', 'clips'];
  const limit = numberArg(v.limit, 'limit', { min: 1, integer: true });
  const maxPerClip = numberArg(v['max-per-clip'], 'max-per-clip', { min: 1, integer: true });
  const steps = numberArg(v.steps, 'steps', { min: 0, max: MAX_DENOISER_STEPS, integer: true });
  const outDir = path.resolve(v.out ?? path.join(REPO_ROOT, 'docs'));
  const gridsDir = path.resolve(v['grids-dir'] ?? path.join(outDir, REPORT_NAME));
  try {
    await mkdir(outDir, { recursive: true });
  } catch (e) {
    throw new M3cError('input', `cannot create the report folder ${outDir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }

  const kf = await importBench(() => import('../../../../bench/keyframes/index.ts'), 'm3c bench keyframes');
  const result = await kf.benchKeyframes({ modelsDir: v.models, sets, limit, maxPerClip, steps, gridsDir }, ctx.signal, (e) => {
    if (e.stage !== 'kodak' && e.stage !== 'clips') return ctx.progress(e);
    // One plain line per image, also when stderr is not a terminal (a long run is otherwise silent);
    // on a terminal it first clears the analysis bar's line.
    process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[2K' : ''}m3c: ${e.stage} ${e.done}/${e.total} ${e.message ?? ''}\n`);
  });
  const files = await kf.writeBenchReport(result, outDir, REPORT_NAME);
  for (const line of kf.averagesText(result)) ctx.out(line);
  ctx.out(`report: ${files.md}, ${files.json}; ${result.gridPngs.length} grids in ${gridsDir}${result.skippedPngs.length ? ` (${result.skippedPngs.length} skipped over the size limit)` : ''}; ${(result.wallMs / 1000).toFixed(1)} s`);
  ctx.result({ report: files.md, json: files.json, gridsDir, ...result });
}
