// @vitest-environment jsdom
/**
 * bench/rd/plot.ts: the SVG is well-formed XML with the legend, the axis titles in kbit/s, the
 * 1.5-6 kbit/s band and escaped text; charts per clip and pooled; one PNG through Chromium when
 * /usr/bin/chromium is installed (skipped otherwise).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM, chartSize, chartsOf, linearTicks, logTicks, renderChartSvg, renderPlotsMarkdown, renderPngs, xmlEscape, type ChartSpec, type PlotInput } from '../../../bench/rd/plot.ts';

const SPEC: ChartSpec = {
  title: 'clip <1> & "friends"',
  subtitle: "24 frames, it's short",
  yLabel: 'PSNR-Y (dB)',
  cloud: [
    { kbps: 0.9, quality: 20 },
    { kbps: 1.6, quality: 21.5 },
    { kbps: 3, quality: 23 },
    { kbps: 3.2, quality: 22 },
    { kbps: 9, quality: 26 },
  ],
  envelope: [
    { kbps: 0.9, quality: 20 },
    { kbps: 1.6, quality: 21.5 },
    { kbps: 3, quality: 23 },
    { kbps: 9, quality: 26 },
  ],
  series: [
    { name: 'ours-default', points: [{ kbps: 4.4, quality: 20.4 }, { kbps: 1.7, quality: 17.6 }] },
    { name: 'ours-<classical>', points: [{ kbps: 2.5, quality: 19 }, { kbps: 5, quality: Number.NaN }] },
  ],
};

// The DOM types are not in this tsconfig's libs: the little of jsdom's DOMParser that is used here.
interface El {
  readonly tagName: string;
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
}
interface Doc {
  readonly documentElement: El;
  getElementsByTagName(name: string): ArrayLike<El>;
  querySelectorAll(selector: string): ArrayLike<El>;
}
const { DOMParser } = globalThis as unknown as { DOMParser: new () => { parseFromString(text: string, type: string): Doc } };

function parse(svg: string): Doc {
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  expect(doc.getElementsByTagName('parsererror')).toHaveLength(0);
  return doc;
}

const texts = (doc: Doc): string[] => Array.from(doc.getElementsByTagName('text')).map((t) => t.textContent ?? '');

const clip = (name: string, shift: number): PlotInput['clips'][number] => {
  const m = (q: number) => ({ psnrY: q, psnrRgb: q - 1, msssim: q / 40 });
  return {
    name,
    frames: 24,
    anchor: {
      points: [
        { kbps: 1 + shift, metrics: m(20 + shift), trial: { label: 'a' } },
        { kbps: 4 + shift, metrics: m(24 + shift), trial: { label: 'b' } },
      ],
      envelopes: { psnrY: [0, 1], psnrRgb: [0, 1], msssim: [0, 1] },
    },
    ours: [{ name: 'ours-default', points: [{ kbps: 2 + shift, metrics: m(18 + shift) }, { kbps: 5 + shift, metrics: m(21 + shift) }] }],
  };
};
const INPUT: PlotInput = { geometry: { width: 512, height: 320, fpsNum: 8, fpsDen: 1 }, clips: [clip('carphone', 0), clip('bikes', 2)] };

describe('R-D chart SVG', () => {
  it('is well-formed, escapes its text and has the legend, axis titles, ticks and the band', () => {
    const svg = renderChartSvg(SPEC);
    const doc = parse(svg);
    const root = doc.documentElement;
    expect(root.tagName).toBe('svg');
    const { width, height } = chartSize(SPEC);
    expect(root.getAttribute('width')).toBe(String(width));
    expect(root.getAttribute('height')).toBe(String(height));
    const t = texts(doc);
    expect(t).toContain('clip <1> & "friends"');
    expect(t).toContain("24 frames, it's short");
    expect(svg).not.toMatch(/<1>|ours-<classical>/);
    // Legend: the cloud, the envelope and each series.
    expect(t.some((s) => /anchor trials/.test(s))).toBe(true);
    expect(t.some((s) => /anchor envelope/.test(s))).toBe(true);
    expect(t).toContain('ours-default');
    expect(t).toContain('ours-<classical>');
    // Axis titles with units, tick labels spanning at least 0.5..20 kbit/s.
    expect(t).toContain('rate (kbit/s, log scale)');
    expect(t).toContain('PSNR-Y (dB)');
    for (const k of ['0.5', '1', '2', '5', '10', '20']) expect(t).toContain(k);
    // The band.
    expect(t).toContain('target band 1.5–6 kbit/s');
    expect(doc.querySelectorAll('g.band rect')).toHaveLength(1);
    // Points: 5 in the cloud, the envelope as a line, the NaN point dropped, one line per series with 2+ points.
    expect(doc.querySelectorAll('g.cloud circle')).toHaveLength(5);
    expect(doc.querySelectorAll('g.envelope polyline')).toHaveLength(1);
    expect(doc.querySelectorAll('g.series polyline')).toHaveLength(1);
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it('catches malformed XML (the parser check works)', () => {
    expect(() => parse('<svg xmlns="http://www.w3.org/2000/svg"><text>a & b</text></svg>')).toThrow();
  });

  it('draws an empty chart without failing', () => {
    parse(renderChartSvg({ title: 't', yLabel: 'MS-SSIM', cloud: [], envelope: [], series: [] }));
  });

  it('picks round ticks', () => {
    expect(logTicks(0.5, 20)).toEqual([0.5, 1, 2, 5, 10, 20]);
    expect(linearTicks(0.58, 0.88)).toMatchObject({ lo: 0.55, hi: 0.9, decimals: 2 });
    expect(linearTicks(0.61, 0.64)).toMatchObject({ decimals: 3 });
    expect(linearTicks(17.3, 26.5).ticks).toEqual([16, 18, 20, 22, 24, 26, 28]);
    expect(xmlEscape(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });
});

describe('charts of a report', () => {
  it('has one chart per clip and metric, then pooled means per setting', () => {
    const charts = chartsOf(INPUT);
    expect(charts.map((c) => c.base)).toEqual([
      'carphone-psnrY', 'carphone-msssim', 'carphone-psnrRgb',
      'bikes-psnrY', 'bikes-msssim', 'bikes-psnrRgb',
      'pooled-psnrY', 'pooled-msssim', 'pooled-psnrRgb',
    ]);
    const pooled = charts[6].spec;
    expect(pooled.cloud).toEqual([{ kbps: 2, quality: 21 }, { kbps: 5, quality: 25 }]);
    expect(pooled.envelope).toEqual(pooled.cloud);
    expect(pooled.series[0].points).toEqual([{ kbps: 3, quality: 19 }, { kbps: 6, quality: 22 }]);
    expect(chartsOf({ ...INPUT, clips: INPUT.clips.slice(0, 1) })).toHaveLength(3);
    for (const c of charts) parse(renderChartSvg(c.spec));
  });

  it('links PNGs when there are, else the SVGs', () => {
    const withPng = renderPlotsMarkdown(INPUT, { png: true, note: 'PNG copies rendered' }).join('\n');
    expect(withPng).toMatch(/!\[carphone PSNR-Y \(dB\)\]\(plots\/carphone-psnrY\.png\) \(\[SVG\]\(plots\/carphone-psnrY\.svg\)\)/);
    expect(withPng).toMatch(/### Pooled over clips/);
    const without = renderPlotsMarkdown({ ...INPUT, clips: INPUT.clips.slice(0, 1) }, { png: false, note: 'PNG copies skipped: no chromium' }).join('\n');
    expect(without).not.toMatch(/\.png/);
    expect(without).toMatch(/PNG copies skipped/);
    expect(without).toMatch(/No pooled charts/);
  });
});

describe.skipIf(!existsSync(CHROMIUM))('PNG through Chromium', () => {
  it('renders one chart at 2x', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-plot-'));
    try {
      const file = path.join(dir, 'c.png');
      const size = chartSize(SPEC);
      await renderPngs([{ svg: renderChartSvg(SPEC), ...size, file }]);
      const png = readFileSync(file);
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      expect(png.toString('ascii', 12, 16)).toBe('IHDR');
      expect(png.readUInt32BE(16)).toBe(size.width * 2);
      expect(png.readUInt32BE(20)).toBe(size.height * 2);
      expect(png.length).toBeGreaterThan(20_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
