/**
 * `m3c bench latency` on the first 2 s (16 frames at 8 fps) of carphone.mp4: the Table II rows in
 * order, every time finite and positive, shares summing to 100% per side, the machine described;
 * then the command's usage errors in a child process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderLatencyMarkdown, runLatency, type LatencyReport } from '../../../bench/latency.ts';
import { EXIT_CODES } from '../../../src/shared/engine/errors.ts';
import { mediaPath } from '../../helpers/media.ts';
import { runCli } from '../../helpers/cli.ts';

let dir: string;
let clip: string;
let report: LatencyReport;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-latency-'));
  clip = path.join(dir, 'carphone-2s.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-i', mediaPath('video', 'carphone.mp4'), '-t', '2', '-c:v', 'libx264', '-crf', '12', '-an', '-y', clip]);
  report = await runLatency({ clip });
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench latency', () => {
  it("has the paper's Table II rows, with finite positive times", () => {
    expect(report.frames).toBe(16);
    const enc = report.rows.filter((r) => r.side === 'encoder').map((r) => r.stage);
    const dec = report.rows.filter((r) => r.side === 'decoder').map((r) => r.stage);
    expect(enc).toEqual(['keyframe selection / analysis', 'description (LMM)', 'keyframe coding', 'text coding', 'bitstream writing', 'other']);
    expect(dec).toEqual(['bitstream parsing', 'keyframe decoding', 'clip reconstruction', 'mp4 writing']);
    const lmm = report.rows.find((r) => r.stage === 'description (LMM)');
    expect(lmm).toMatchObject({ skipped: 'not configured, skipped' });
    expect(lmm?.ms).toBeUndefined();
    for (const r of report.rows) {
      if (r.skipped || r.stage === 'other') continue;
      for (const v of [r.ms, r.msPerFrame, r.share]) {
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThan(0);
      }
      expect(r.msPerFrame).toBeCloseTo((r.ms ?? 0) / report.frames, 9);
    }
    for (const side of ['encoder', 'decoder'] as const) {
      const sum = report.rows.filter((r) => r.side === side).reduce((a, r) => a + (r.share ?? 0), 0);
      expect(sum).toBeCloseTo(100, 6);
    }
    for (const v of [report.totals.encoderMs, report.totals.decoderMs]) expect(v).toBeGreaterThan(0);
  });

  it('describes the machine and renders the table', () => {
    const m = report.machine;
    expect(m.cpuModel.length).toBeGreaterThan(0);
    expect(m.cores).toBeGreaterThan(0);
    expect(m.memoryGiB).toBeGreaterThan(0);
    expect(m.node).toMatch(/^v\d+/);
    expect(m.onnxruntimeNode).toMatch(/^\d+\.\d+/);
    expect(m.ffmpeg).toMatch(/^ffmpeg version/);
    const md = renderLatencyMarkdown(report);
    expect(md).toMatch(/\| \| stage \| time per clip \| time per frame \| share \| note \|/);
    expect(md).toMatch(/\| encoder \| keyframe selection \/ analysis \|/);
    expect(md).toMatch(/\| decoder \| bitstream parsing \|/);
    expect(md).toMatch(/not configured, skipped/);
    expect(md).toMatch(/onnxruntime-node/);
  });
});

describe('m3c bench latency', () => {
  it('prints help and refuses a missing or absent clip', async () => {
    const help = await runCli(['bench', 'latency', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--clip FILE/);
    const none = await runCli(['bench', 'latency']);
    expect(none.code).toBe(EXIT_CODES.usage);
    const missing = await runCli(['bench', 'latency', '--clip', path.join(dir, 'nope.mp4')]);
    expect(missing.code).toBe(EXIT_CODES.input);
  });
});
