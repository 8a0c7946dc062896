/**
 * Reliability, sampled through the real `m3c decode`: damaged and crafted variants of a real
 * .m3c, each run as its own process with a time and a memory bound. Every run ends with success
 * or a documented error status, one line on stderr without a stack trace, and no output (not even
 * a hidden .partial) unless it succeeded.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeVarint } from '../../../src/shared/bitstream/varint.ts';
import { concat, mutate, replaceField, Rng, toBase } from '../../unit/bitstream/fixtures.ts';
import { addFrames, DOCUMENTED_DECODE_EXITS, leftovers, makeRealM3c, rewrite, runMeasured, type MeasuredRun } from './helpers.ts';

const CASE_TIMEOUT_MS = 45_000;
const MAX_RSS_MIB = 500;
const CONCURRENCY = 2;

let dir: string;
let real: Uint8Array;
let guided: Uint8Array;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'm3c-decode-fuzz-'));
  real = await makeRealM3c(dir);
  guided = await makeRealM3c(dir, 'guided');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const varint = (v: number): number[] => {
  const out: number[] = [];
  encodeVarint(v, out);
  return out;
};

/** The sample: crafted cases named after what they test, then seeded random damage. */
function cases(rng: Rng): [string, Uint8Array][] {
  const base = toBase(real);
  const header = (field: string, v: number): Uint8Array => replaceField(real, 'header', field, varint(v));
  const clip = (field: string, value: readonly number[]): Uint8Array => replaceField(real, 'clip 1', field, value);
  const list: [string, Uint8Array][] = [
    ['intact', real],
    ['empty', new Uint8Array(0)],
    ['magic only', real.subarray(0, 3)],
    ['version 2', concat(real.subarray(0, 3), Uint8Array.of(2), real.subarray(4))],
    ['version 3', concat(real.subarray(0, 3), Uint8Array.of(3), real.subarray(4))],
    ['header only', real.subarray(0, base.sections[1].offset)],
    ['half', real.subarray(0, real.length >> 1)],
    ['8192x8192', rewrite(real, (f) => void Object.assign(f.header, { width: 8192, height: 8192 }))],
    ['4096x4096', rewrite(real, (f) => void Object.assign(f.header, { width: 4096, height: 4096 }))],
    ['1920x1088 (within the limits)', rewrite(real, (f) => void Object.assign(f.header, { width: 1920, height: 1088 }))],
    ['16x16', rewrite(real, (f) => void Object.assign(f.header, { width: 16, height: 16 }))],
    ['10,000,000 frames', rewrite(real, (f) => addFrames(f, 10_000_000 - f.header.frameCount))],
    ['108,001 frames', rewrite(real, (f) => addFrames(f, 108_001 - f.header.frameCount))],
    ['fps 1/1000000', header('fps denominator', 1_000_000)],
    ['fps 241', header('fps numerator', 241)],
    ['fps 240 (valid)', header('fps numerator', 240)],
    ['clip count 2^32-1', header('clip count', 0xffff_ffff)],
    ['frame count 2^32-1', header('frame count', 0xffff_ffff)],
    ['section length 2^32-1', concat(real.subarray(0, 4), Uint8Array.from(varint(0xffff_ffff)), real.subarray(5))],
    ['keyframe length 2^32-1', clip('keyframe payload length', varint(0xffff_ffff))],
    ['keyframe truncated', rewrite(real, (f) => void (f.clips[0].keyframe = f.clips[0].keyframe.subarray(0, 40)))],
    ['keyframe random', rewrite(real, (f) => void (f.clips[0].keyframe = rng.bytes(f.clips[0].keyframe.length)))],
    ['keyframe text random', rewrite(real, (f) => void (f.clips[0].keyframeText = rng.bytes(30)))],
    ['clip text random', rewrite(real, (f) => void (f.clips[0].clipText = rng.bytes(30)))],
    ['clip text huge declared', rewrite(real, (f) => void (f.clips[0].clipText = Uint8Array.of(2, 0xff, 0xff, 0x0f, 1, 2, 3)))],
    ['modes flipped', rewrite(real, (f) => f.clips.forEach((c) => (c.mode = c.mode === 'prediction' ? 'interpolation' : 'prediction')))],
    ['unknown model pack hash', rewrite(real, (f) => void (f.header.modelPackHash = new Uint8Array(8)))],
    ['unknown reconstructor', rewrite(real, (f) => void (f.header.reconstructorId = 'flow-v9'))],
    ['unknown keyframe codec', rewrite(real, (f) => void (f.header.keyframeCodecId = 'nope'))],
    ['trailing byte', concat(real, Uint8Array.of(0))],
    // Version 2: the guide section.
    ['guided intact', guided],
    ['guided stream random (resealed)', rewrite(guided, (f) => void (f.guide!.stream = rng.bytes(f.guide!.stream.length)))],
    ['guided stream truncated (resealed)', rewrite(guided, (f) => void (f.guide!.stream = f.guide!.stream.subarray(0, f.guide!.stream.length >> 1)))],
    ['guided stream empty', rewrite(guided, (f) => void (f.guide!.stream = new Uint8Array(0)))],
    ['guided size not the stream', rewrite(guided, (f) => void Object.assign(f.guide!, { width: 64, height: 40 }))],
    ['guided rate not the stream', rewrite(guided, (f) => void Object.assign(f.guide!, { fpsNum: 1 }))],
    ['guided half', guided.subarray(0, guided.length >> 1)],
  ];
  for (let i = list.length; i < 48; i++) list.push([`mutation ${i}`, mutate(rng, [base])]);
  return list;
}

interface Outcome {
  name: string;
  run: MeasuredRun;
  problems: string[];
}

async function runCase(i: number, name: string, bytes: Uint8Array): Promise<Outcome> {
  const input = path.join(dir, `case-${i}.m3c`);
  const output = path.join(dir, `case-${i}.mp4`);
  await writeFile(input, bytes);
  const run = await runMeasured(['decode', input, '-o', output], dir, CASE_TIMEOUT_MS, MAX_RSS_MIB * 2);
  const problems: string[] = [];
  if (run.killed) problems.push(`killed: past the ${run.killed} bound`);
  if (run.treeRssMiB > MAX_RSS_MIB * 2) problems.push(`process tree held ${Math.round(run.treeRssMiB)} MiB`);
  if (run.code === null || !DOCUMENTED_DECODE_EXITS.includes(run.code)) problems.push(`exit ${run.code ?? run.signal}`);
  if (run.wallMs > CASE_TIMEOUT_MS) problems.push(`took ${Math.round(run.wallMs)} ms`);
  if (!(run.maxRssMiB < MAX_RSS_MIB)) problems.push(`peak memory ${run.maxRssMiB} MiB`);
  const lines = run.stderr.trimEnd().split('\n');
  const mine = (n: string): boolean => n === `case-${i}.m3c` || n === `case-${i}.mp4`;
  const left = (await leftovers(dir, ['pattern.mp4', 'pattern.m3c', 'pattern-guided.m3c'])).filter((n) => n.includes(`case-${i}.`) && !mine(n));
  if (left.length > 0) problems.push(`left ${left.join(', ')}`);
  if (run.code === 0) {
    if (run.stderr !== '') problems.push(`stderr on success: ${run.stderr}`);
    if (!(await stat(output).catch(() => null))?.size) problems.push('no output');
  } else {
    if (lines.length !== 1 || !lines[0].startsWith('m3c: ')) problems.push(`stderr not one line: ${JSON.stringify(run.stderr.slice(0, 300))}`);
    if (/\n\s+at |\bat .*\.ts:\d+/.test(run.stderr)) problems.push('stack trace');
    if (await stat(output).catch(() => null)) problems.push('partial output');
  }
  await rm(output, { force: true });
  await rm(input, { force: true });
  return { name, run, problems };
}

describe('reliability: hostile files through m3c decode', () => {
  it('48 sampled cases each end in success or a documented error, one line, bounded time and memory, no partial output', async () => {
    const list = cases(new Rng(0x5eed13));
    const outcomes: Outcome[] = new Array(list.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < list.length) {
          const i = next++;
          outcomes[i] = await runCase(i, list[i][0], list[i][1]);
        }
      }),
    );
    const exits: Record<string, number> = {};
    for (const o of outcomes) exits[String(o.run.code)] = (exits[String(o.run.code)] ?? 0) + 1;
    const maxMs = Math.max(...outcomes.map((o) => o.run.wallMs));
    const maxRss = Math.max(...outcomes.map((o) => o.run.maxRssMiB));
    const maxTree = Math.max(...outcomes.map((o) => o.run.treeRssMiB));
    console.log(`decode reliability: ${JSON.stringify({ cases: outcomes.length, exits, maxMs: Math.round(maxMs), maxRssMiB: Math.round(maxRss), maxTreeRssMiB: Math.round(maxTree) })}`);
    const named = (n: string): Outcome | undefined => outcomes.find((o) => o.name === n);
    expect(outcomes.filter((o) => o.problems.length > 0).map((o) => `${o.name}: ${o.problems.join('; ')}`)).toEqual([]);
    expect(named('intact')?.run.code).toBe(0);
    expect(named('guided intact')?.run.code).toBe(0);
    for (const n of ['guided stream random (resealed)', 'guided stream empty', 'guided size not the stream', 'guided rate not the stream']) expect(named(n)?.run.code, n).toBe(4);
    for (const n of ['8192x8192', '4096x4096', '10,000,000 frames', '108,001 frames', 'fps 1/1000000']) expect(named(n)?.run.code, n).toBe(4);
  }, 400_000);
});
