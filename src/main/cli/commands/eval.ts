import { M3cError } from '../../../shared/engine/errors.ts';
import type { Geometry } from '../../../shared/engine/frame.ts';
import { parse } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { GEOMETRY_OPTIONS, geometryFrom } from '../common-options.ts';
import { createEngine } from '../../pipeline/engine.ts';
import { geometryOf, openBitstream } from '../../pipeline/container.ts';
import { evaluateVideos } from '../../pipeline/evaluate.ts';
import { readBitstreamFile } from './decode.ts';
import type { M3cFile } from '../../../shared/bitstream/index.ts';

const HELP = `usage: m3c eval REFERENCE RECONSTRUCTION [--m3c FILE] [--width W --height H --fps F] [--json]

Brings both videos to the working geometry and rate (from --m3c's header when given, else the
options or the defaults) and reports mean RGB PSNR and luma MS-SSIM over frames; with --m3c also
the bitstream's bpp and kbps.`;

export async function evalCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const { values: v, positionals } = parse(argv, { m3c: { type: 'string' }, ...GEOMETRY_OPTIONS, help: { type: 'boolean', short: 'h' } }, 'eval');
  if (v.help) return ctx.out(HELP);
  if (positionals.length !== 2) throw new M3cError('usage', 'eval takes REFERENCE and RECONSTRUCTION (see "m3c eval --help")');
  const [reference, reconstruction] = positionals;
  let geometry: Geometry = geometryFrom(v);
  let rate: { bytes: number; bpp: number; kbps: number } | undefined;
  if (v.m3c) {
    const bytes = await readBitstreamFile(v.m3c);
    const engine = createEngine();
    let file: M3cFile;
    try {
      file = openBitstream(engine, bytes);
    } finally {
      await engine.dispose();
    }
    geometry = geometryOf(file);
    const bits = bytes.length * 8;
    const h = file.header;
    rate = { bytes: bytes.length, bpp: bits / (h.width * h.height * h.frameCount), kbps: bits / ((h.frameCount * h.fpsDen) / h.fpsNum) / 1000 };
  }
  const r = await evaluateVideos(reference, reconstruction, geometry, { signal: ctx.signal, onProgress: ctx.progress });
  if (r.referenceFrames !== r.reconstructionFrames) {
    process.stderr.write(`m3c: warning: ${r.referenceFrames} reference frames but ${r.reconstructionFrames} reconstructed; compared the first ${r.frames}\n`);
  }
  ctx.out(`${r.frames} frames at ${geometry.width}x${geometry.height}, ${(geometry.fpsNum / geometry.fpsDen).toFixed(3)} fps: PSNR ${r.psnr.toFixed(2)} dB, MS-SSIM ${r.msssim.toFixed(4)}`);
  if (rate) ctx.out(`rate: ${rate.bytes} bytes, ${rate.bpp.toFixed(6)} bpp, ${rate.kbps.toFixed(3)} kbit/s`);
  ctx.result({
    frames: r.frames,
    referenceFrames: r.referenceFrames,
    reconstructionFrames: r.reconstructionFrames,
    psnr: Math.round(r.psnr * 1000) / 1000,
    msssim: Math.round(r.msssim * 1e5) / 1e5,
    ...(rate ? { bytes: rate.bytes, bpp: rate.bpp, kbps: rate.kbps } : {}),
    perFrame: { psnr: r.perFrame.psnr.map((x) => Math.round(x * 100) / 100), msssim: r.perFrame.msssim.map((x) => Math.round(x * 1e4) / 1e4) },
  });
}
