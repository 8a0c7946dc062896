import path from 'node:path';
import { MAX_M3C_FILE_BYTES, readInputFile } from '../../util/input-file.ts';
import { M3cError } from '../../../shared/engine/errors.ts';
import { assertWritableOutput } from '../../util/output-dir.ts';
import { parse } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { DENOISER_HELP, DENOISER_OPTIONS, engineOptionsFrom, MODELS_HELP, MODELS_OPTIONS, requireOne, requireOutput } from '../common-options.ts';
import { createEngine } from '../../pipeline/engine.ts';
import { decodeToMp4, type DecodeToMp4Result } from '../../pipeline/decode.ts';
import { openBitstream } from '../../pipeline/container.ts';
import { DEFAULT_DECODE_LIMITS, type M3cFile } from '../../../shared/bitstream/index.ts';

const HELP = `usage: m3c decode IN.m3c -o OUT.mp4 [options] [--json]

Rebuilds the video from its keyframes and texts and writes an H.264 mp4 at the working geometry and rate.
The keyframe codec is the one the file names; decoding needs the model pack the file was made with.

  --allow-large          decode a file beyond the default limits (${DEFAULT_DECODE_LIMITS.maxDimension} pixels a side,
                         ${DEFAULT_DECODE_LIMITS.maxPixels} pixels a frame, ${DEFAULT_DECODE_LIMITS.maxFrameCount} frames, ${DEFAULT_DECODE_LIMITS.maxDurationSec} s); memory grows with
                         the frame size, time and output with the frame count
${DENOISER_HELP}
${MODELS_HELP}`;

/** Reads a .m3c: a regular file of at most MAX_M3C_FILE_BYTES (FIFOs, devices and folders are refused). */
export function readBitstreamFile(file: string): Promise<Uint8Array> {
  return readInputFile(file, MAX_M3C_FILE_BYTES, '.m3c');
}

export async function decodeCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const { values: v, positionals } = parse(
    argv,
    { output: { type: 'string', short: 'o' }, 'allow-large': { type: 'boolean' }, ...DENOISER_OPTIONS, ...MODELS_OPTIONS, help: { type: 'boolean', short: 'h' } },
    'decode',
  );
  if (v.help) return ctx.out(HELP);
  const input = requireOne(positionals, 'input .m3c', 'decode');
  const output = requireOutput(v, 'decode', '.mp4');
  const engineOptions = engineOptionsFrom(v);
  if (path.resolve(output) === path.resolve(input)) throw new M3cError('usage', 'the output would overwrite the input');
  await assertWritableOutput(output);
  const bytes = await readBitstreamFile(input);
  const engine = createEngine(engineOptions);
  let file: M3cFile;
  let r: DecodeToMp4Result;
  try {
    file = openBitstream(engine, bytes, v['allow-large'] ? { limits: null } : { limitHint: 'decode it anyway with --allow-large' });
    r = await decodeToMp4(engine, file, output, { signal: ctx.signal, onProgress: ctx.progress });
  } finally {
    await engine.dispose();
  }
  const timingsMs = Object.fromEntries(Object.entries(r.timings).map(([k, t]) => [k, Math.round(t)]));
  const h = file.header;
  ctx.out(`wrote ${output}: ${r.frames} frames ${h.width}x${h.height} at ${(h.fpsNum / h.fpsDen).toFixed(3)} fps, ${r.bytes} bytes`);
  if (r.regions) ctx.out(`regions of interest: ${r.regions.regions.map((g) => `${JSON.stringify(g.label)} frames ${g.frames[0]}..${g.frames[1]}`).join(', ')} (m3c inspect shows their boxes)`);
  ctx.out(`time: ${Object.entries(timingsMs).map(([k, t]) => `${k} ${t} ms`).join(', ')}`);
  ctx.result({ output, frames: r.frames, width: h.width, height: h.height, fpsNum: h.fpsNum, fpsDen: h.fpsDen, bytes: r.bytes, ...(r.regions ? { regions: r.regions.regions } : {}), timingsMs });
}
