/**
 * R-D curves of `m3c bench rd` as hand-written SVG (no dependency), and PNG copies rendered with
 * the system Chromium through playwright-core when it is installed (issue 9, "Plots").
 *
 * One chart per clip and per metric (PSNR-Y, MS-SSIM, PSNR-RGB), plus pooled charts when there are
 * at least two clips: rate on a log axis in kbit/s (at least 0.5 to 20, wider when points fall
 * outside), the anchor cloud as faint points, the anchor envelope as a dark line, each series of
 * ours as a coloured line with markers, the 1.5-6 kbit/s target band shaded and labelled, a legend
 * under the plot. Pooled charts show, at each setting, the mean rate and mean quality over clips
 * (the same anchor trial, the same operating point of ours), and the envelope of the mean cloud.
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { METRIC_LABELS, type MetricName } from './metrics.ts';

export const CHROMIUM = '/usr/bin/chromium';
/** The chart order: the issue's metrics, PSNR-Y first. */
export const PLOT_METRICS: readonly MetricName[] = ['psnrY', 'msssim', 'psnrRgb'];
export const BAND_KBPS: readonly [number, number] = [1.5, 6];

export interface XY {
  readonly kbps: number;
  readonly quality: number;
}

export interface ChartSpec {
  readonly title: string;
  readonly subtitle?: string;
  /** The quality axis title, with its unit. */
  readonly yLabel: string;
  readonly cloud: readonly XY[];
  readonly envelope: readonly XY[];
  readonly series: readonly { readonly name: string; readonly points: readonly XY[] }[];
}

/** Text for XML character data and attribute values. */
export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

const COLORS = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#bcbd22', '#7f7f7f', '#393b79', '#ad494a'];
const W = 760;
const M = { left: 78, right: 24, top: 64, bottom: 52 };
const PLOT_H = 380;
const LEGEND_ROW = 20;

const finite = (p: XY): boolean => Number.isFinite(p.kbps) && p.kbps > 0 && Number.isFinite(p.quality);
const num = (v: number): string => (Math.round(v * 100) / 100).toString();

/** Ticks at 1, 2, 5 times powers of ten inside [lo, hi]. */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * Math.pow(10, e)).toPrecision(3));
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
    }
  }
  return out;
}

/** About `target` round ticks covering [lo, hi], and the domain they span. */
export function linearTicks(lo: number, hi: number, target = 6): { ticks: number[]; lo: number; hi: number; decimals: number } {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.05 : 1;
    return linearTicks(lo - pad, lo + pad, target);
  }
  const raw = (hi - lo) / target;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw * (1 - 1e-9)) ?? 10 * p;
  const a = Math.floor(lo / step) * step;
  const b = Math.ceil(hi / step) * step;
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9)) + (step / p === 2.5 ? 1 : 0);
  const ticks: number[] = [];
  for (let v = a; v <= b + step * 1e-6; v += step) ticks.push(Number(v.toFixed(decimals + 2)));
  return { ticks, lo: a, hi: b, decimals };
}

const fmtKbps = (v: number): string => `${v}`;

function marker(shape: number, x: number, y: number, color: string): string {
  const s = 4.5;
  const attrs = `fill="${color}" stroke="#fff" stroke-width="1"`;
  switch (shape % 4) {
    case 0:
      return `<circle cx="${num(x)}" cy="${num(y)}" r="${s}" ${attrs}/>`;
    case 1:
      return `<rect x="${num(x - s)}" y="${num(y - s)}" width="${2 * s}" height="${2 * s}" ${attrs}/>`;
    case 2:
      return `<polygon points="${num(x)},${num(y - s - 1)} ${num(x + s + 1)},${num(y + s)} ${num(x - s - 1)},${num(y + s)}" ${attrs}/>`;
    default:
      return `<polygon points="${num(x)},${num(y - s - 1)} ${num(x + s + 1)},${num(y)} ${num(x)},${num(y + s + 1)} ${num(x - s - 1)},${num(y)}" ${attrs}/>`;
  }
}

/** The chart's size in CSS pixels, as the SVG declares it. */
export function chartSize(spec: ChartSpec): { width: number; height: number } {
  const rows = Math.ceil((2 + spec.series.length) / 2);
  return { width: W, height: M.top + PLOT_H + M.bottom + rows * LEGEND_ROW + 12 };
}

/** One R-D chart as a standalone SVG document. */
export function renderChartSvg(spec: ChartSpec): string {
  const cloud = spec.cloud.filter(finite);
  const env = [...spec.envelope.filter(finite)].sort((a, b) => a.kbps - b.kbps);
  const series = spec.series.map((s) => ({ name: s.name, points: [...s.points.filter(finite)].sort((a, b) => a.kbps - b.kbps) }));
  const all = [...cloud, ...env, ...series.flatMap((s) => s.points)];
  const { width, height } = chartSize(spec);
  const plotW = W - M.left - M.right;

  const xs = all.map((p) => p.kbps);
  const xlo = Math.min(0.5, ...xs.map((x) => x / 1.15));
  const xhi = Math.max(20, ...xs.map((x) => x * 1.15));
  const qs = all.map((p) => p.quality);
  const qlo = qs.length > 0 ? Math.min(...qs) : 0;
  const qhi = qs.length > 0 ? Math.max(...qs) : 1;
  const pad = (qhi - qlo) * 0.06;
  const y = linearTicks(qlo - pad, qhi + pad);
  const X = (k: number): number => M.left + ((Math.log10(k) - Math.log10(xlo)) / (Math.log10(xhi) - Math.log10(xlo))) * plotW;
  const Y = (q: number): number => M.top + PLOT_H - ((q - y.lo) / (y.hi - y.lo)) * PLOT_H;
  const bottom = M.top + PLOT_H;

  const o: string[] = [];
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, Helvetica, sans-serif" font-size="12">`);
  o.push(`<title>${xmlEscape(`${spec.title}: ${spec.yLabel} against rate (kbit/s)`)}</title>`);
  o.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  o.push(`<text x="${M.left}" y="24" font-size="16" font-weight="bold" fill="#111">${xmlEscape(spec.title)}</text>`);
  if (spec.subtitle) o.push(`<text x="${M.left}" y="44" font-size="11.5" fill="#555">${xmlEscape(spec.subtitle)}</text>`);

  // Target band.
  const [b0, b1] = BAND_KBPS;
  o.push(`<g class="band"><rect x="${num(X(b0))}" y="${M.top}" width="${num(X(b1) - X(b0))}" height="${PLOT_H}" fill="#ffd84d" fill-opacity="0.22"/>`);
  o.push(`<text x="${num((X(b0) + X(b1)) / 2)}" y="${M.top + 14}" text-anchor="middle" font-size="11" fill="#8a6d00">target band ${b0}–${b1} kbit/s</text></g>`);

  // Grid, ticks, labels.
  o.push('<g class="axes" stroke="#e3e3e3" stroke-width="1">');
  for (const t of logTicks(xlo, xhi)) o.push(`<line x1="${num(X(t))}" y1="${M.top}" x2="${num(X(t))}" y2="${bottom}"/>`);
  for (const t of y.ticks) o.push(`<line x1="${M.left}" y1="${num(Y(t))}" x2="${M.left + plotW}" y2="${num(Y(t))}"/>`);
  o.push('</g>');
  o.push(`<rect x="${M.left}" y="${M.top}" width="${plotW}" height="${PLOT_H}" fill="none" stroke="#444" stroke-width="1"/>`);
  o.push('<g class="ticks" fill="#333" font-size="11">');
  for (const t of logTicks(xlo, xhi)) o.push(`<text x="${num(X(t))}" y="${bottom + 16}" text-anchor="middle">${fmtKbps(t)}</text>`);
  for (const t of y.ticks) o.push(`<text x="${M.left - 6}" y="${num(Y(t) + 4)}" text-anchor="end">${t.toFixed(y.decimals)}</text>`);
  o.push('</g>');
  o.push(`<text x="${M.left + plotW / 2}" y="${bottom + 36}" text-anchor="middle" font-size="12.5" fill="#111">rate (kbit/s, log scale)</text>`);
  o.push(`<text transform="translate(20 ${M.top + PLOT_H / 2}) rotate(-90)" text-anchor="middle" font-size="12.5" fill="#111">${xmlEscape(spec.yLabel)}</text>`);

  // Data.
  o.push('<g class="cloud" fill="#7a7a7a" fill-opacity="0.3" stroke="#7a7a7a" stroke-opacity="0.6" stroke-width="1">');
  for (const p of cloud) o.push(`<circle cx="${num(X(p.kbps))}" cy="${num(Y(p.quality))}" r="4.5"/>`);
  o.push('</g>');
  if (env.length > 0) {
    o.push(`<g class="envelope"><polyline points="${env.map((p) => `${num(X(p.kbps))},${num(Y(p.quality))}`).join(' ')}" fill="none" stroke="#222" stroke-width="2"/>`);
    for (const p of env) o.push(`<circle cx="${num(X(p.kbps))}" cy="${num(Y(p.quality))}" r="2.5" fill="#222"/>`);
    o.push('</g>');
  }
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length];
    o.push(`<g class="series">`);
    if (s.points.length > 1) o.push(`<polyline points="${s.points.map((p) => `${num(X(p.kbps))},${num(Y(p.quality))}`).join(' ')}" fill="none" stroke="${c}" stroke-width="2.2"/>`);
    for (const p of s.points) o.push(marker(i, X(p.kbps), Y(p.quality), c));
    o.push('</g>');
  });

  // Legend, two columns under the axis title.
  const entries: { label: string; draw: (x: number, y: number) => string }[] = [
    { label: 'anchor trials (AV1 at reduced size / fps, upscaled)', draw: (x, yy) => `<circle cx="${x + 12}" cy="${yy}" r="4.5" fill="#7a7a7a" fill-opacity="0.3" stroke="#7a7a7a" stroke-opacity="0.6"/>` },
    { label: 'anchor envelope (best quality at each rate)', draw: (x, yy) => `<line x1="${x}" y1="${yy}" x2="${x + 24}" y2="${yy}" stroke="#222" stroke-width="2"/><circle cx="${x + 12}" cy="${yy}" r="2.5" fill="#222"/>` },
    ...series.map((s, i) => ({
      label: s.name,
      draw: (x: number, yy: number) => `<line x1="${x}" y1="${yy}" x2="${x + 24}" y2="${yy}" stroke="${COLORS[i % COLORS.length]}" stroke-width="2.2"/>${marker(i, x + 12, yy, COLORS[i % COLORS.length])}`,
    })),
  ];
  const ly = bottom + M.bottom + 6;
  o.push('<g class="legend" font-size="11.5" fill="#222">');
  entries.forEach((e, i) => {
    const x = M.left + (i % 2) * (plotW / 2);
    const yy = ly + Math.floor(i / 2) * LEGEND_ROW;
    o.push(`${e.draw(x, yy)}<text x="${x + 32}" y="${yy + 4}">${xmlEscape(e.label)}</text>`);
  });
  o.push('</g>');
  o.push('</svg>');
  return o.join('\n') + '\n';
}

/** The slice of an RdReport that plotting reads (kept structural so tests can build one by hand). */
export interface PlotInput {
  readonly geometry: { readonly width: number; readonly height: number; readonly fpsNum: number; readonly fpsDen: number };
  readonly clips: readonly {
    readonly name: string;
    readonly frames: number;
    readonly anchor: { readonly points: readonly { readonly kbps: number; readonly metrics: Record<MetricName, number>; readonly trial: { readonly label: string } }[]; readonly envelopes: Record<MetricName, readonly number[]> };
    readonly ours: readonly { readonly name: string; readonly points: readonly { readonly kbps: number; readonly metrics: Record<MetricName, number> }[] }[];
    /** Full-size classical curves, drawn as series beside ours (skipped ones have no points). */
    readonly classical?: readonly { readonly name: string; readonly points: readonly { readonly kbps: number; readonly metrics: Record<MetricName, number> }[] }[];
  }[];
}

/** The curves a chart draws as series: the full-size classical codecs that ran, then ours. */
const curvesOf = (c: PlotInput['clips'][number]): PlotInput['clips'][number]['ours'] => [...(c.classical ?? []).filter((k) => k.points.length > 0), ...c.ours];

export interface Chart {
  /** The clip's name, or 'pooled'. */
  readonly clip: string;
  readonly metric: MetricName;
  /** File name without extension, under plots/. */
  readonly base: string;
  readonly spec: ChartSpec;
}

const safeName = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_');

function envelopeOf(points: readonly XY[]): XY[] {
  const sorted = [...points].filter(finite).sort((a, b) => a.kbps - b.kbps || b.quality - a.quality);
  const out: XY[] = [];
  for (const p of sorted) if (out.length === 0 || p.quality > out[out.length - 1].quality) out.push(p);
  return out;
}

const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / v.length;

/** The charts of a report: per clip and metric, then pooled per metric when there are 2 or more clips. */
export function chartsOf(report: PlotInput): Chart[] {
  const g = report.geometry;
  const geo = `${g.width}x${g.height}, ${g.fpsDen === 1 ? g.fpsNum : `${g.fpsNum}/${g.fpsDen}`} fps`;
  const charts: Chart[] = [];
  for (const c of report.clips) {
    for (const metric of PLOT_METRICS) {
      const at = (p: { kbps: number; metrics: Record<MetricName, number> }): XY => ({ kbps: p.kbps, quality: p.metrics[metric] });
      charts.push({
        clip: c.name,
        metric,
        base: `${safeName(c.name)}-${metric}`,
        spec: {
          title: `${c.name}: ${METRIC_LABELS[metric]} against rate`,
          subtitle: `${c.frames} frames at ${geo}; anchor rates are raw AV1 OBU bytes${(c.classical ?? []).length > 0 ? ' (x264/x265: raw Annex B)' : ''}, ours the whole .m3c file`,
          yLabel: METRIC_LABELS[metric],
          cloud: c.anchor.points.map(at),
          envelope: c.anchor.envelopes[metric].map((i) => at(c.anchor.points[i])),
          series: curvesOf(c).map((s) => ({ name: s.name, points: s.points.map(at) })),
        },
      });
    }
  }
  if (report.clips.length >= 2) {
    const n = report.clips.length;
    for (const metric of PLOT_METRICS) {
      const labels = report.clips[0].anchor.points.map((p) => p.trial.label).filter((l) => report.clips.every((c) => c.anchor.points.some((p) => p.trial.label === l)));
      const cloud = labels.map((l) => {
        const ps = report.clips.map((c) => c.anchor.points.find((p) => p.trial.label === l)!);
        return { kbps: mean(ps.map((p) => p.kbps)), quality: mean(ps.map((p) => p.metrics[metric])) };
      });
      const series = curvesOf(report.clips[0]).map((s) => {
        const all = report.clips.map((c) => curvesOf(c).find((o) => o.name === s.name)?.points ?? []);
        const k = Math.min(...all.map((a) => a.length));
        const points = Array.from({ length: k }, (_, i) => ({ kbps: mean(all.map((a) => a[i].kbps)), quality: mean(all.map((a) => a[i].metrics[metric])) }));
        return { name: s.name, points };
      });
      charts.push({
        clip: 'pooled',
        metric,
        base: `pooled-${metric}`,
        spec: {
          title: `Pooled over ${n} clips: ${METRIC_LABELS[metric]} against rate`,
          subtitle: `each point: mean rate and mean ${METRIC_LABELS[metric]} over the clips at one setting; ${geo}`,
          yLabel: `mean ${METRIC_LABELS[metric]}`,
          cloud,
          envelope: envelopeOf(cloud),
          series,
        },
      });
    }
  }
  return charts;
}

/** Whether PNG copies can be rendered here, and the line the report prints about it. */
export function pngSupport(): { png: boolean; note: string } {
  return existsSync(CHROMIUM)
    ? { png: true, note: `PNG copies rendered from the SVGs with ${CHROMIUM} (headless)` }
    : { png: false, note: `PNG copies skipped: ${CHROMIUM} is not installed; the SVGs are written` };
}

/** Renders each SVG to a PNG at 2x pixel density with headless Chromium. */
export async function renderPngs(items: readonly { svg: string; width: number; height: number; file: string }[]): Promise<void> {
  if (items.length === 0) return;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  try {
    const page = await browser.newPage({ viewport: { width: W, height: 600 }, deviceScaleFactor: 2 });
    for (const it of items) {
      await page.setViewportSize({ width: it.width, height: it.height });
      await page.setContent(`<!doctype html><html><body style="margin:0;background:#fff">${it.svg}</body></html>`);
      const tmp = `${it.file}.${process.pid}.tmp.png`;
      await page.screenshot({ path: tmp, clip: { x: 0, y: 0, width: it.width, height: it.height } });
      await rename(tmp, it.file);
    }
  } finally {
    await browser.close();
  }
}

export interface WrittenPlots {
  readonly charts: { clip: string; metric: MetricName; svg: string; png?: string }[];
  /** Set when PNGs were expected but could not be rendered. */
  readonly pngError?: string;
}

/** Writes plots/<base>.svg (and .png when `png`) under `outDir`. */
export async function writePlots(report: PlotInput, outDir: string, png: boolean, subdir = 'plots'): Promise<WrittenPlots> {
  const dir = path.join(outDir, subdir);
  await mkdir(dir, { recursive: true });
  const charts = chartsOf(report);
  const items: { svg: string; width: number; height: number; file: string }[] = [];
  const out: WrittenPlots['charts'] = [];
  for (const c of charts) {
    const svg = renderChartSvg(c.spec);
    const file = path.join(dir, `${c.base}.svg`);
    await writeFile(`${file}.${process.pid}.tmp`, svg);
    await rename(`${file}.${process.pid}.tmp`, file);
    items.push({ svg, ...chartSize(c.spec), file: path.join(dir, `${c.base}.png`) });
    out.push({ clip: c.clip, metric: c.metric, svg: file });
  }
  if (!png) return { charts: out };
  try {
    await renderPngs(items);
    return { charts: out.map((c, i) => ({ ...c, png: items[i].file })) };
  } catch (e) {
    return { charts: out, pngError: `PNG rendering failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
  }
}

/** The report's plots section: one line per chart, linking the PNG when there is one, and the SVG. */
export function renderPlotsMarkdown(report: PlotInput, support: { png: boolean; note: string }, subdir = 'plots'): string[] {
  const L: string[] = ['## Plots', '', `SVG charts in ${subdir}/ (rate on a log axis in kbit/s, the 1.5–6 kbit/s target band shaded). ${support.note}.`, ''];
  let clip = '';
  for (const c of chartsOf(report)) {
    if (c.clip !== clip) {
      clip = c.clip;
      L.push(`### ${c.clip === 'pooled' ? 'Pooled over clips' : c.clip}`, '');
    }
    const label = `${c.clip} ${METRIC_LABELS[c.metric]}`;
    L.push(support.png ? `![${label}](${subdir}/${c.base}.png) ([SVG](${subdir}/${c.base}.svg))` : `[${label} (SVG)](${subdir}/${c.base}.svg)`, '');
  }
  if (report.clips.length < 2) L.push('No pooled charts: a single clip.', '');
  return L;
}
