/**
 * The regions-of-interest benchmark (issue 14, docs/roi.md): per evaluation clip, a region over a quarter of
 * the frame (box [0.25, 0.25, 0.5, 0.5], every frame) at 3 kbit/s:
 *   (a) guided without regions, (b) guided with the region, (c) guided without regions at the budget less the
 *   bytes (b) moved into its inset (what the moved bytes would predict for the outside).
 * PSNR-Y inside and outside the region (pooled MSE over frames) against the working-size source frames.
 * Writes bench-out/roi/roi.json and the table of docs/roi.md (between its BENCH markers).
 *
 *   npm run bench:roi [-- --clips carphone,bikes] [--kbps 3] [--layer warp|inset] [--mag 1.5] [--soften 4] [--share 0.4] [--no-doc]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { RgbFrame } from '../../src/shared/engine/frame.ts';
import { DEFAULT_SELECTION } from '../../src/shared/keyframes/index.ts';
import { RoiErrorPool, type RoiSpec } from '../../src/shared/roi/index.ts';
import { decodeFrames } from '../../src/main/media/index.ts';
import { createEngine, DEFAULT_GEOMETRY, type Engine } from '../../src/main/pipeline/engine.ts';
import { encodeVideo, type EncodeResult } from '../../src/main/pipeline/encode.ts';
import { decodeVideoFrames, openBitstream } from '../../src/main/pipeline/decode.ts';
import type { RoiLayer } from '../../src/main/pipeline/roi.ts';
import { clipPath, EVALUATION_CLIPS, REPO_ROOT } from '../media.ts';

export const QUARTER: RoiSpec = { regions: [{ frames: [0, 0], box: [0.25, 0.25, 0.5, 0.5], weight: 1, label: 'quarter' }] };

export interface Measured {
  readonly bytes: number;
  readonly kbps: number;
  readonly inside: number;
  readonly outside: number;
  /** Bytes moved into the region (the inset's stream, or the warp's estimate; pipeline/guided-encode.ts). */
  readonly movedBytes?: number;
}

export interface ClipRow {
  readonly clip: string;
  readonly frames: number;
  readonly a: Measured;
  readonly b: Measured;
  readonly c: Measured;
  readonly gainInside: number;
  readonly lossOutside: number;
  readonly predictedLossOutside: number;
  readonly bytesRatio: number;
}

async function measure(engine: Engine, enc: EncodeResult, source: readonly RgbFrame[], spec: RoiSpec): Promise<Measured> {
  const file = openBitstream(engine, enc.m3c);
  const pool = new RoiErrorPool(spec);
  let j = 0;
  for await (const f of decodeVideoFrames(engine, file)) pool.add(source[j], f, j++);
  const { inside, outside } = pool.psnr();
  const r3 = (x: number | null): number => Math.round((x ?? NaN) * 1000) / 1000;
  return { bytes: enc.bytes, kbps: r3(enc.kbps), inside: r3(inside), outside: r3(outside), ...(enc.guided?.split.roiMovedBytes !== undefined ? { movedBytes: enc.guided.split.roiMovedBytes } : {}) };
}

export interface RoiBenchOptions {
  readonly share?: number;
  readonly layer?: RoiLayer;
  readonly magnification?: number;
  readonly soften?: number;
}

export async function roiRow(clip: string, kbps: number, o: RoiBenchOptions = {}): Promise<ClipRow> {
  const input = clipPath(clip);
  const g = DEFAULT_GEOMETRY;
  const source: RgbFrame[] = [];
  for await (const f of decodeFrames(input, g)) source.push(f);
  const spec: RoiSpec = { regions: [{ ...QUARTER.regions[0], frames: [0, source.length - 1] }] };
  const engine = createEngine();
  try {
    const base = { geometry: g, selection: DEFAULT_SELECTION, mode: 'guided' as const };
    const ea = await encodeVideo(engine, input, { ...base, targetKbps: kbps });
    const eb = await encodeVideo(engine, input, { ...base, targetKbps: kbps, roi: spec, ...(o.layer ? { roiLayer: o.layer } : {}), ...(o.share !== undefined ? { insetShare: o.share } : {}), ...(o.magnification !== undefined ? { warpMagnification: o.magnification } : {}), ...(o.soften !== undefined ? { outsideSoften: o.soften } : {}) });
    const moved = eb.guided?.split.roiMovedBytes ?? 0;
    const kbpsC = Math.max(0.5, ((eb.guided!.split.targetBytes - moved) * 8) / eb.durationSec / 1000);
    const ec = await encodeVideo(engine, input, { ...base, targetKbps: kbpsC });
    const [a, b, c] = [await measure(engine, ea, source, spec), await measure(engine, eb, source, spec), await measure(engine, ec, source, spec)];
    const r3 = (x: number): number => Math.round(x * 1000) / 1000;
    return { clip, frames: source.length, a, b, c, gainInside: r3(b.inside - a.inside), lossOutside: r3(a.outside - b.outside), predictedLossOutside: r3(a.outside - c.outside), bytesRatio: r3(b.bytes / a.bytes) };
  } finally {
    await engine.dispose();
  }
}

export function roiTable(rows: readonly ClipRow[]): string {
  const f = (x: number): string => x.toFixed(2);
  const lines = [
    '| clip | frames | bytes (a) | bytes (b) | b/a | moved B | inside a | inside b | outside a | outside b | outside c | gain inside | loss outside | predicted loss |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    lines.push(`| ${r.clip} | ${r.frames} | ${r.a.bytes} | ${r.b.bytes} | ${r.bytesRatio.toFixed(3)} | ${r.b.movedBytes ?? 0} | ${f(r.a.inside)} | ${f(r.b.inside)} | ${f(r.a.outside)} | ${f(r.b.outside)} | ${f(r.c.outside)} | ${f(r.gainInside)} | ${f(r.lossOutside)} | ${f(r.predictedLossOutside)} |`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { clips: { type: 'string' }, kbps: { type: 'string' }, share: { type: 'string' }, layer: { type: 'string' }, mag: { type: 'string' }, soften: { type: 'string' }, 'no-doc': { type: 'boolean' } } });
  const clips = values.clips ? values.clips.split(',') : [...EVALUATION_CLIPS];
  const kbps = values.kbps ? Number(values.kbps) : 3;
  const share = values.share !== undefined ? Number(values.share) : undefined;
  const layer = values.layer as RoiLayer | undefined;
  const magnification = values.mag !== undefined ? Number(values.mag) : undefined;
  const soften = values.soften !== undefined ? Number(values.soften) : undefined;
  const custom = share !== undefined || layer !== undefined || magnification !== undefined || soften !== undefined;
  const rows: ClipRow[] = [];
  for (const clip of clips) {
    const t0 = performance.now();
    const row = await roiRow(clip, kbps, { share, layer, magnification, soften });
    rows.push(row);
    console.log(`${clip}: bytes ${row.a.bytes}/${row.b.bytes} (moved ${row.b.movedBytes ?? 0}), inside ${row.a.inside} -> ${row.b.inside} (${row.gainInside >= 0 ? '+' : ''}${row.gainInside} dB), outside ${row.a.outside} -> ${row.b.outside} (predicted ${row.c.outside}), ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'} x${os.cpus().length}, ${os.platform()} ${os.release()}, Node ${process.version}`;
  const date = new Date().toISOString().slice(0, 10);
  const out = path.join(REPO_ROOT, 'bench-out', 'roi');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, custom ? 'roi-custom.json' : 'roi.json'), `${JSON.stringify({ date, machine, kbps, layer: layer ?? 'default', share: share ?? 'rule', magnification: magnification ?? 'rule', soften: soften ?? 'default', box: QUARTER.regions[0].box, rows }, null, 2)}\n`);
  const table = roiTable(rows);
  console.log(table);
  if (!values['no-doc'] && !custom && clips.length === EVALUATION_CLIPS.length) {
    const doc = path.join(REPO_ROOT, 'docs', 'roi.md');
    const text = readFileSync(doc, 'utf8');
    const begin = '<!-- BENCH:roi -->';
    const end = '<!-- /BENCH:roi -->';
    const a = text.indexOf(begin);
    const b = text.indexOf(end);
    if (a < 0 || b < a) throw new Error(`${doc} has no ${begin} ... ${end} markers`);
    writeFileSync(doc, `${text.slice(0, a + begin.length)}\nMeasured ${date} on ${machine}, ${kbps} kbit/s, \`npm run bench:roi\`:\n\n${table}\n${text.slice(b)}`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
