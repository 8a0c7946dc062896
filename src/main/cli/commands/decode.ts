import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { M3cError } from '../../../shared/engine/errors.ts';
import { assertWritableOutput } from '../../util/output-dir.ts';
import { parse } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { requireOne, requireOutput } from '../common-options.ts';
import { createEngine } from '../../pipeline/engine.ts';
import { decodeToMp4, openBitstream } from '../../pipeline/decode.ts';

const HELP = `usage: m3c decode IN.m3c -o OUT.mp4 [--json]

Rebuilds the video from its keyframes and texts and writes an H.264 mp4 at the working geometry and rate.`;

export async function readBitstreamFile(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new M3cError('input', `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? 'error')}`);
  }
}

export async function decodeCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const { values: v, positionals } = parse(argv, { output: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } }, 'decode');
  if (v.help) return ctx.out(HELP);
  const input = requireOne(positionals, 'input .m3c', 'decode');
  const output = requireOutput(v, 'decode', '.mp4');
  if (path.resolve(output) === path.resolve(input)) throw new M3cError('usage', 'the output would overwrite the input');
  await assertWritableOutput(output);
  const engine = createEngine();
  const file = openBitstream(engine, await readBitstreamFile(input));
  const r = await decodeToMp4(engine, file, output, { signal: ctx.signal, onProgress: ctx.progress });
  const timingsMs = Object.fromEntries(Object.entries(r.timings).map(([k, t]) => [k, Math.round(t)]));
  const h = file.header;
  ctx.out(`wrote ${output}: ${r.frames} frames ${h.width}x${h.height} at ${(h.fpsNum / h.fpsDen).toFixed(3)} fps, ${r.bytes} bytes`);
  ctx.out(`time: ${Object.entries(timingsMs).map(([k, t]) => `${k} ${t} ms`).join(', ')}`);
  ctx.result({ output, frames: r.frames, width: h.width, height: h.height, fpsNum: h.fpsNum, fpsDen: h.fpsDen, bytes: r.bytes, timingsMs });
}
