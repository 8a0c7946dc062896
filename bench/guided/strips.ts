/**
 * `npm run strips` (issue 10): for every evaluation clip, a guided encode at about 3 kbit/s and the
 * classical anchor at equal or lower rate (the best PSNR-Y trial of the bench's guided anchor grid that
 * is no bigger), decoded, and side-by-side PNG strips (original | anchor | ours) of three frames that are
 * neither keyframes nor coded guide frames, written to docs/strips/. Also the high-frequency ratio of each
 * (energy of the 3x3 Laplacian of the luma, decoded over original, mean over all frames: 1 is the
 * original's sharpness, below 1 blurrier) and PSNR-Y, into docs/strips/README.md.
 *
 *   node --import tsx bench/guided/strips.ts [--kbps 3] [--out docs/strips] [--rd rd.json] [clip ...]
 *
 * With --rd (an `m3c bench rd --points guided` report) the anchor is the best trial of that report's grid
 * within our bytes, coded once; without it the grid is searched here.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { RgbFrame } from '../../src/shared/engine/frame.ts';
import { makeFrame } from '../../src/shared/engine/frame.ts';
import { decodeFrames, encodePng } from '../../src/main/media/index.ts';
import { encodeAnchor, gridTrials, type AnchorTrial } from '../../src/main/codecs/anchor-search.ts';
import { guideFrameIndices } from '../../src/main/codecs/guide-stream.ts';
import { createEngine, DEFAULT_GEOMETRY } from '../../src/main/pipeline/engine.ts';
import { encodeVideo } from '../../src/main/pipeline/encode.ts';
import { decodeVideoFrames, openBitstream } from '../../src/main/pipeline/decode.ts';
import { DEFAULT_SELECTION } from '../../src/shared/keyframes/index.ts';
import { lumaBt601, psnrLuma } from '../../src/shared/metrics/index.ts';
import { ANCHOR_GRIDS } from '../rd/presets.ts';
import { clipPath, EVALUATION_CLIPS, REPO_ROOT } from '../media.ts';

/** Mean squared 3x3 Laplacian of the luma (interior pixels). */
export function laplacianEnergy(frame: RgbFrame): number {
  const y = lumaBt601(frame);
  const { width: w, height: h, data } = y;
  let sum = 0;
  for (let r = 1; r < h - 1; r++) {
    for (let c = 1; c < w - 1; c++) {
      const i = r * w + c;
      const l = 4 * data[i] - data[i - 1] - data[i + 1] - data[i - w] - data[i + w];
      sum += l * l;
    }
  }
  return sum / ((w - 2) * (h - 2));
}

/** Rows of (original | anchor | ours), 4 px gaps, on black. */
function strip(rows: readonly (readonly RgbFrame[])[]): RgbFrame {
  const { width, height } = rows[0][0];
  const gap = 4;
  const W = 3 * width + 2 * gap;
  const H = rows.length * height + (rows.length - 1) * gap;
  const out = new Uint8Array(W * H * 3);
  rows.forEach((row, r) =>
    row.forEach((f, c) => {
      for (let y = 0; y < height; y++) {
        const o = ((r * (height + gap) + y) * W + c * (width + gap)) * 3;
        out.set(f.data.subarray(y * width * 3, (y + 1) * width * 3), o);
      }
    }),
  );
  return makeFrame(W, H, out);
}

interface StripResult {
  readonly clip: string;
  readonly frames: number[];
  readonly ours: { kbps: number; psnrY: number; hf: number; guide: string };
  readonly anchor: { kbps: number; psnrY: number; hf: number; trial: string };
  readonly png: string;
}

/** Anchor trials of a clip from an `m3c bench rd` report (rd.json), so that the strips need not search again. */
interface RdAnchors {
  readonly clips: readonly { readonly name: string; readonly anchor: { readonly points: readonly { readonly trial: AnchorTrial; readonly bytes: number; readonly metrics: { readonly psnrY: number } }[] } }[];
}

export async function stripsFor(clip: string, kbps: number, outDir: string, rd?: RdAnchors): Promise<StripResult> {
  const input = clipPath(clip);
  const g = DEFAULT_GEOMETRY;
  const source: RgbFrame[] = [];
  for await (const f of decodeFrames(input, g)) source.push(f);
  const engine = createEngine();
  try {
    const enc = await encodeVideo(engine, input, { geometry: g, selection: DEFAULT_SELECTION, mode: 'guided', targetKbps: kbps });
    const file = openBitstream(engine, enc.m3c);
    const ours: RgbFrame[] = [];
    for await (const f of decodeVideoFrames(engine, file)) ours.push(f);
    // The anchor at equal or lower rate: the best PSNR-Y of the grid within our bytes.
    let anchor: { frames: RgbFrame[]; kbps: number; psnr: number; label: string } | undefined;
    const known = rd?.clips.find((c) => c.name === clip)?.anchor.points.filter((p) => p.bytes <= enc.bytes);
    const best = known && known.length > 0 ? known.reduce((a, b) => (b.metrics.psnrY > a.metrics.psnrY ? b : a)) : undefined;
    for (const trial of best ? [best.trial] : gridTrials(ANCHOR_GRIDS.guided)) {
      const a = await encodeAnchor(source, g, trial);
      if (a.bytes > enc.bytes) continue;
      const psnr = a.frames.reduce((s, f, i) => s + psnrLuma(source[i], f), 0) / source.length;
      if (!anchor || psnr > anchor.psnr) anchor = { frames: a.frames, kbps: a.kbps, psnr, label: `${trial.width}x${trial.height} ${trial.fps.num} fps CRF ${trial.crf} (${a.encoder})` };
    }
    if (!anchor) throw new Error(`${clip}: no anchor trial fits in ${enc.bytes} bytes`);
    const coded = new Set(guideFrameIndices(file.guide!, source.length, { num: g.fpsNum, den: g.fpsDen }));
    const keyframes = new Set(enc.keyframes);
    // A guide at the working rate codes every frame: then frames that are not keyframes.
    const notCoded = source.map((_, i) => i).filter((i) => !coded.has(i) && !keyframes.has(i));
    const between = notCoded.length > 0 ? notCoded : source.map((_, i) => i).filter((i) => !keyframes.has(i));
    const picks = [0.25, 0.5, 0.75].map((q) => between[Math.min(between.length - 1, Math.floor(q * between.length))]);
    const hf = (frames: readonly RgbFrame[]): number => frames.reduce((s, f, i) => s + laplacianEnergy(f) / Math.max(1e-9, laplacianEnergy(source[i])), 0) / frames.length;
    const png = path.join(outDir, `${clip}.png`);
    await writeFile(png, await encodePng(strip(picks.map((i) => [source[i], anchor.frames[i], ours[i]]))));
    const gd = file.guide!;
    return {
      clip,
      frames: picks,
      ours: { kbps: enc.kbps, psnrY: ours.reduce((s, f, i) => s + psnrLuma(source[i], f), 0) / ours.length, hf: hf(ours), guide: `${gd.width}x${gd.height} ${gd.fpsNum} fps CRF ${gd.quantizer}` },
      anchor: { kbps: anchor.kbps, psnrY: anchor.psnr, hf: hf(anchor.frames), trial: anchor.label },
      png,
    };
  } finally {
    await engine.dispose();
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { kbps: { type: 'string' }, out: { type: 'string' }, rd: { type: 'string' } }, allowPositionals: true });
  const rd = values.rd ? (JSON.parse(await readFile(values.rd, 'utf8')) as RdAnchors) : undefined;
  const kbps = Number(values.kbps ?? 3);
  const outDir = path.resolve(values.out ?? path.join(REPO_ROOT, 'docs', 'strips'));
  await mkdir(outDir, { recursive: true });
  const clips = positionals.length > 0 ? positionals : [...EVALUATION_CLIPS];
  const results: StripResult[] = [];
  for (const clip of clips) {
    const r = await stripsFor(clip, kbps, outDir, rd);
    results.push(r);
    process.stderr.write(`${clip}: ours ${r.ours.kbps.toFixed(2)} kbit/s ${r.ours.psnrY.toFixed(2)} dB HF ${r.ours.hf.toFixed(3)}; anchor ${r.anchor.kbps.toFixed(2)} kbit/s ${r.anchor.psnrY.toFixed(2)} dB HF ${r.anchor.hf.toFixed(3)}\n`);
  }
  const lines = [
    '# Frames between keyframes: original | anchor at equal rate | ours (guided)',
    '',
    `Made by \`npm run strips\` (bench/guided/strips.ts) on ${new Date().toISOString().slice(0, 10)}: per evaluation clip, a guided encode at ${kbps} kbit/s and the best PSNR-Y trial of the classical anchor grid (SVT-AV1/libaom at reduced size and frame rate, lanczos upscale, frames repeated) that is no bigger. Each PNG shows three frames that are neither keyframes nor coded guide frames (where the guide codes every frame, as bikes' 8 fps guide does, three frames that are not keyframes); columns: original, anchor, ours. HF ratio: mean over all frames of the luma Laplacian energy of the decoded frame over the original's (1 = as sharp as the original; below 1 blurrier).`,
    '',
    '| clip | frames shown | ours: kbit/s, PSNR-Y, HF ratio, guide | anchor: kbit/s, PSNR-Y, HF ratio, trial | strip |',
    '|---|---|---|---|---|',
    ...results.map((r) => `| ${r.clip} | ${r.frames.join(', ')} | ${r.ours.kbps.toFixed(2)}, ${r.ours.psnrY.toFixed(2)} dB, ${r.ours.hf.toFixed(3)}, ${r.ours.guide} | ${r.anchor.kbps.toFixed(2)}, ${r.anchor.psnrY.toFixed(2)} dB, ${r.anchor.hf.toFixed(3)}, ${r.anchor.trial} | [${path.basename(r.png)}](${path.basename(r.png)}) |`),
    '',
  ];
  await writeFile(path.join(outDir, 'README.md'), lines.join('\n'));
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  await main();
}
