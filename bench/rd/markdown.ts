/**
 * The Markdown and files of an `m3c bench rd` report: rd.md / rd.json (or, for `npm run report`,
 * docs/report.md with its plots next to it). The main table first (BD of every curve against the
 * forced-down envelope, per clip and pooled), then the ablations, the notes, and per clip the points.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BdResult } from './bd.ts';
import { METRIC_LABELS, type MetricName } from './metrics.ts';
import { renderPlotsMarkdown, writePlots } from './plot.ts';
import { renderPooledMarkdown, type PooledValue } from './pool.ts';
import type { ClipReport, OursPoint, RdReport } from './run.ts';

/** One BD figure as text: the value with its unit, or why there is none. */
export function bdSummary(r: BdResult, unit: string): string {
  return r.kind === 'ok' ? bdCell(r, unit) : `${r.kind} (${r.reason})`;
}

const unitOf = (m: MetricName): string => (m === 'msssim' ? '' : ' dB');
const digits = (unit: string): number => (unit === '%' ? 1 : unit === '' ? 4 : 2);
const signed = (v: number, unit: string): string => `${v >= 0 ? '+' : ''}${v.toFixed(digits(unit))}${unit}`;

export function bdCell(r: BdResult, unit: string): string {
  if (r.kind === 'ok') return `${signed(r.value, unit)}${r.interpolation === 'linear' ? ' (linear)' : ''}`;
  return r.kind === 'no-overlap' ? 'no overlap' : r.kind === 'overlap-too-small' ? 'overlap too small' : 'n/a';
}

const pooledCell = (v: PooledValue | undefined, unit: string, total: number): string => (v?.mean === undefined ? 'n/a' : `${signed(v.mean, unit)} (${v.clips}/${total})`);

function selectionText(p: OursPoint): string {
  const s = p.config.selection;
  return s.strategy === 'fixed' ? `every ${s.fixedInterval}` : `${s.strategy === 'semantic' ? 'sem. ' : ''}${s.threshold}`;
}

/** The main table: per curve (ours and the full-size classical codecs), BD-rate and BD-quality of PSNR-Y and MS-SSIM per clip and pooled. */
function mainTable(report: RdReport): string[] {
  const names = [...new Set(report.clips.flatMap((c) => c.bd.map((b) => b.series)))];
  const L: string[] = [];
  for (const metric of ['psnrY', 'msssim'] as const) {
    L.push(`### ${METRIC_LABELS[metric]}: BD-rate / BD-quality against the forced-down envelope`, '');
    L.push(`| curve | ${report.clips.map((c) => c.name).join(' | ')} | pooled |`, `|---|${report.clips.map(() => '---|').join('')}---|`);
    for (const n of names) {
      const cells = report.clips.map((c) => {
        const b = c.bd.find((x) => x.series === n && x.metric === metric);
        return b ? `${bdCell(b.bdRate, '%')} / ${bdCell(b.bdQuality, unitOf(metric))}` : '-';
      });
      const p = report.pooled.find((x) => x.series === n && x.metric === metric);
      L.push(`| ${n} | ${cells.join(' | ')} | ${pooledCell(p?.bdRate, '%', report.clips.length)} / ${pooledCell(p?.bdQuality, unitOf(metric), report.clips.length)} |`);
    }
    L.push('');
  }
  return L;
}

function ablationSection(report: RdReport): string[] {
  const L: string[] = ['## Ablations (the paper\'s Table I)', ''];
  for (const a of report.ablations.run) {
    L.push(`### ${a.name}`, '', `${a.note}. BD against the same forced-down envelope, PSNR-Y.`, '');
    L.push('| series | clip | keyframes per point (asked for) | BD-rate | BD-PSNR-Y |', '|---|---|---|---|---|');
    for (const s of a.series) {
      for (const c of report.clips) {
        const ours = c.ours.find((o) => o.name === s);
        const b = c.bd.find((x) => x.series === s && x.metric === 'psnrY');
        const counts = ours?.points.map((p) => `${p.keyframes.length}${p.match && p.match.target !== p.match.count ? ` (${p.match.target})` : ''}`).join(', ') ?? '-';
        L.push(`| ${s} | ${c.name} | ${counts} | ${b ? bdCell(b.bdRate, '%') : '-'} | ${b ? bdCell(b.bdQuality, ' dB') : '-'} |`);
      }
      const p = report.pooled.find((x) => x.series === s && x.metric === 'psnrY');
      L.push(`| ${s} | pooled | | ${pooledCell(p?.bdRate, '%', report.clips.length)} | ${pooledCell(p?.bdQuality, ' dB', report.clips.length)} |`);
    }
    L.push('');
  }
  if (report.ablations.skipped.length > 0) L.push('Skipped:', '', ...report.ablations.skipped.map((s) => `- ${s}.`), '');
  return L;
}

function clipSection(c: ClipReport): string[] {
  const L: string[] = [`## ${c.name} (${c.frames} frames, ${c.durationSec.toFixed(2)} s)`, ''];
  if (!c.preprocessLossless) L.push('Warning: the preprocessed intermediate did not round-trip losslessly.', '');
  L.push('### BD against the anchor envelope', '', '| series | metric | BD-rate | BD-quality |', '|---|---|---|---|');
  for (const b of c.bd) L.push(`| ${b.series} | ${METRIC_LABELS[b.metric]} | ${bdCell(b.bdRate, '%')} | ${bdCell(b.bdQuality, unitOf(b.metric))} |`);
  L.push('', '### Ours', '', '| series | D_th / interval | max clip | mode | keyframe codec | budget | texts | bytes | kbit/s | keyframes | PSNR-Y | PSNR-RGB | MS-SSIM | HF ratio | grad. dist. |', '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const s of c.ours) {
    for (const p of s.points) {
      const m = p.metrics;
      L.push(`| ${s.name} | ${selectionText(p)} | ${p.config.selection.maxClip ?? '-'} | ${p.config.mode} | ${p.keyframeCodecId} | ${p.config.keyframeBudgetBytes ?? 'default'} | ${p.config.texts ? `on (${p.sections.keyframeTexts + p.sections.clipTexts} B)` : 'off'} | ${p.bytes} | ${p.kbps.toFixed(2)} | ${p.keyframes.length} | ${m.psnrY.toFixed(2)} | ${m.psnrRgb.toFixed(2)} | ${m.msssim.toFixed(4)} | ${m.hfRatio.toFixed(3)} | ${m.gradDist.toFixed(4)} |`);
    }
  }
  L.push('', '### Full-size classical codecs (512x320, 8 fps)', '', '| codec | QP / CRF | stream bytes | kbit/s | PSNR-Y | PSNR-RGB | MS-SSIM | HF ratio | grad. dist. |', '|---|---|---|---|---|---|---|---|---|');
  for (const k of c.classical) {
    if (k.skipped) L.push(`| ${k.name} | skipped: ${k.skipped} | | | | | | | |`);
    for (const p of k.points) L.push(`| ${k.name} | ${p.q} | ${p.bytes} | ${p.kbps.toFixed(2)} | ${p.metrics.psnrY.toFixed(2)} | ${p.metrics.psnrRgb.toFixed(2)} | ${p.metrics.msssim.toFixed(4)} | ${p.metrics.hfRatio.toFixed(3)} | ${p.metrics.gradDist.toFixed(4)} |`);
  }
  const onEnv = new Set(c.anchor.envelopes.psnrY);
  L.push('', '### Forced-down anchor points (* on the PSNR-Y envelope)', '', '| trial | encoder | OBU bytes | kbit/s | PSNR-Y | PSNR-RGB | MS-SSIM | HF ratio | grad. dist. |', '|---|---|---|---|---|---|---|---|---|');
  c.anchor.points.forEach((p, i) => {
    L.push(`| ${onEnv.has(i) ? '* ' : ''}${p.trial.label} | ${p.encoder}${p.fallback ? ` (${p.fallback})` : ''} | ${p.bytes} | ${p.kbps.toFixed(2)} | ${p.metrics.psnrY.toFixed(2)} | ${p.metrics.psnrRgb.toFixed(2)} | ${p.metrics.msssim.toFixed(4)} | ${p.metrics.hfRatio.toFixed(3)} | ${p.metrics.gradDist.toFixed(4)} |`);
  });
  L.push('', `Wall time: preprocess ${(c.wallMs.preprocess / 1000).toFixed(1)} s, anchors ${(c.wallMs.anchor / 1000).toFixed(1)} s, ours ${(c.wallMs.ours / 1000).toFixed(1)} s.`, '');
  return L;
}

export interface RenderOptions {
  readonly title?: string;
  /** Folder of the plots, relative to the Markdown file. */
  readonly plotsDir?: string;
  /** Lines put right under the title (e.g. how the report was made). */
  readonly preface?: readonly string[];
}

/** The report as Markdown: machine, notes, the main table, the ablations, per clip the points, pooled, plots. */
export function renderRdMarkdown(report: RdReport, options: RenderOptions = {}): string {
  const L: string[] = [];
  L.push(`# ${options.title ?? 'R-D evaluation (`m3c bench rd`)'}`, '', ...(options.preface ?? []));
  L.push(`Generated ${report.generatedAt}, points: ${report.points}${report.maxFrames !== undefined ? `, first ${report.maxFrames} frames of each clip` : ''}; working geometry ${report.geometry.width}x${report.geometry.height}, ${report.geometry.fpsNum}/${report.geometry.fpsDen} fps.`);
  L.push(`Machine: ${report.machine.cpus} x ${report.machine.cpuModel}, ${report.machine.platform}, Node ${report.machine.node}; ${report.ffmpeg.version} (libsvtav1: ${report.ffmpeg.encoders.libsvtav1 ? 'yes' : 'no'}, libaom-av1: ${report.ffmpeg.encoders['libaom-av1'] ? 'yes' : 'no'}).`);
  L.push('', `- Rates: ${report.bitstreamNote}`, `- ${report.vmaf.note}.`);
  L.push('- Forced-down anchor (the envelope): SVT-AV1 (libaom below 64 px, where SVT-AV1 refuses) at reduced size and frame rate, decoded with dav1d, upscaled with lanczos and frame-repeated to the working geometry and rate.');
  for (const k of report.classicalSweeps) L.push(`- Full-size ${k.name}: ${k.skipped ? `skipped (${k.skipped})` : `${k.settings}, ${k.knob.toUpperCase()} ${k.values.join(', ')}`}.`);
  L.push(`- ${report.textsNote}.`);
  L.push('- BD-rate: negative means the curve needs fewer bits than the anchor envelope at equal quality; BD-quality: positive means it is better at equal rate. PCHIP interpolation over the overlapping range only (linear where a curve has 2 points); "no overlap" where the ranges do not meet, "overlap too small" where the overlap is under 10% of the span both curves cover together.', '');
  L.push('## Main table', '', ...mainTable(report));
  L.push(...ablationSection(report));
  for (const c of report.clips) L.push(...clipSection(c));
  L.push(...renderPooledMarkdown(report.pooled, report.clips.length), ...renderPlotsMarkdown(report, report.plots, options.plotsDir));
  L.push(`Total wall time ${(report.wallMs / 1000).toFixed(1)} s.`, '');
  return L.join('\n');
}

export interface WriteOptions extends RenderOptions {
  /** File names in `outDir` (default rd.md and rd.json). */
  readonly mdName?: string;
  readonly jsonName?: string;
}

/** Writes the Markdown and JSON (default rd.md, rd.json) and the plots into `outDir` (created), each through a temporary file and a rename. */
export async function writeRdReport(report: RdReport, outDir: string, options: WriteOptions = {}): Promise<{ json: string; md: string }> {
  await mkdir(outDir, { recursive: true });
  const json = path.join(outDir, options.jsonName ?? 'rd.json');
  const md = path.join(outDir, options.mdName ?? 'rd.md');
  // <plots>/<clip>-<metric>.svg and .png, linked from the Markdown; a failed PNG render is said at its end.
  const plots = await writePlots(report, outDir, report.plots.png, options.plotsDir);
  for (const [file, text] of [
    [json, JSON.stringify(report, null, 1) + '\n'],
    [md, renderRdMarkdown(report, options) + (plots.pngError ? `\n${plots.pngError}; the PNG links above are missing, see the SVGs.\n` : '')],
  ] as const) {
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, text);
    await rename(tmp, file);
  }
  return { json, md };
}
