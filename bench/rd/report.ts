/**
 * `npm run report`: regenerates docs/report.md (with docs/report/: the plots as SVG and PNG, and
 * report.json) from the five evaluation clips of the shared media folder (bench/media.ts), with the
 * "report" points of `m3c bench rd` (presets.ts). Progress with an ETA on stderr; Ctrl-C cancels
 * (exit 130) and a rerun resumes from the points cached in bench-out/report-cache/.
 *
 *   npm run report                                    the full run (docs/rd.md says how long)
 *   npm run report -- --clips carphone --max-frames 8 --out /tmp/r   a short check of the whole path
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT_CODES, M3cError, type ErrorCode } from '../../src/shared/engine/errors.ts';
import { clipPath, EVALUATION_CLIPS, REPO_ROOT } from '../media.ts';
import { POINTS_PRESETS, type PointsPreset } from './presets.ts';
import { runRd, writeRdReport } from './run.ts';

const USAGE = 'usage: npm run report -- [--clips NAME...] [--max-frames N] [--points quick|full|report] [--out DIR] [--cache DIR]';

function fail(code: ErrorCode, message: string): never {
  process.stderr.write(`report: ${message}\n`);
  process.exit(EXIT_CODES[code]);
}

const fmtTime = (sec: number): string => (sec >= 3600 ? `${Math.floor(sec / 3600)}h${String(Math.floor((sec % 3600) / 60)).padStart(2, '0')}m` : sec >= 60 ? `${Math.floor(sec / 60)}m${String(Math.round(sec % 60)).padStart(2, '0')}s` : `${Math.round(sec)}s`);

async function main(): Promise<void> {
  let values: { clips?: string[]; 'max-frames'?: string; points?: string; out?: string; cache?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { clips: { type: 'string', multiple: true }, 'max-frames': { type: 'string' }, points: { type: 'string' }, out: { type: 'string' }, cache: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: false,
    }));
  } catch (e) {
    fail('usage', `${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const names = values.clips ?? [...EVALUATION_CLIPS];
  for (const n of names) if (!(EVALUATION_CLIPS as readonly string[]).includes(n)) fail('usage', `${n} is not an evaluation clip (${EVALUATION_CLIPS.join(', ')})`);
  const clips = names.map((n) => clipPath(n));
  for (const c of clips) if (!existsSync(c)) fail('input', `clip ${c} not found (set M3C_MEDIA_DIR or put the shared media beside the repository)`);
  const maxFrames = values['max-frames'] === undefined ? undefined : Number(values['max-frames']);
  if (maxFrames !== undefined && !(Number.isInteger(maxFrames) && maxFrames >= 1)) fail('usage', `--max-frames must be a positive integer, got ${values['max-frames']}`);
  const points = (values.points ?? 'report') as PointsPreset;
  if (!POINTS_PRESETS.includes(points)) fail('usage', `--points must be one of ${POINTS_PRESETS.join(', ')}, got ${values.points}`);
  const outDir = path.resolve(values.out ?? path.join(REPO_ROOT, 'docs'));
  const cacheDir = path.resolve(values.cache ?? path.join(REPO_ROOT, 'bench-out', 'report-cache'));

  const controller = new AbortController();
  const onSigint = (): void => {
    process.stderr.write('\nreport: cancelling (the points computed so far stay cached; rerun to resume)\n');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  const t0 = performance.now();
  const tty = process.stderr.isTTY;
  try {
    const report = await runRd({
      clips,
      points,
      maxFrames,
      cacheDir,
      signal: controller.signal,
      onProgress: (p) => {
        const elapsed = (performance.now() - t0) / 1000;
        const line = `report: ${p.done}/${p.total} ${fmtTime(elapsed)} elapsed${p.etaSec !== undefined ? `, ETA ${fmtTime(p.etaSec)}` : ''}  ${p.label}`;
        process.stderr.write(tty ? `\r\x1b[2K${line.slice(0, (process.stderr.columns ?? 120) - 1)}` : `${line}\n`);
      },
    });
    if (tty) process.stderr.write('\n');
    const preface = [
      `Made by \`npm run report\` (bench/rd/report.ts) from the evaluation clips ${names.join(', ')} of the shared media folder; how it is made and how long it takes: docs/rd.md. Numbers that are bad for us are reported as they are.`,
      '',
    ];
    const files = await writeRdReport(report, outDir, { mdName: 'report.md', jsonName: path.join('report', 'report.json'), plotsDir: 'report', title: 'M3-CVC R-D report', preface });
    process.stdout.write(`report: ${files.md} (plots and report.json in ${path.join(outDir, 'report')}); ${report.cache.computed} points computed, ${report.cache.hits} cache entries loaded from ${cacheDir}; ${fmtTime(report.wallMs / 1000)}\n`);
  } catch (e) {
    if (tty) process.stderr.write('\n');
    if (e instanceof M3cError) fail(e.code, e.message);
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

await main();
