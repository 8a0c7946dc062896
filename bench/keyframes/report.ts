/** What `m3c bench keyframes` prints and writes: the terminal summary, the Markdown report and its JSON. */
import path from 'node:path';
import { GRADIENT_BINS, HF_SIGMA } from '../../src/shared/metrics/index.ts';
import { writeFileAtomic } from '../../src/main/util/atomic-write.ts';
import { GRID_BYTES_LIMIT, KODAK_CROP, type AverageRow, type BenchKeyframesResult, type RowResult } from './definitions.ts';

/** One line per image for the progress output. */
export function summaryLine(name: string, rows: readonly RowResult[]): string {
  return `${name}: ${rows
    .map((r) => `${r.row}${rows.length > 3 ? `/${r.grid}` : ''} ${r.bytes} B ${r.psnr.toFixed(2)} dB${r.av1 && !r.av1.withinTolerance ? ' (AV1 not within 5%)' : ''}`)
    .join(', ')}`;
}

const f2 = (x: number): string => x.toFixed(2);
const f3 = (x: number): string => x.toFixed(3);
const f4 = (x: number): string => x.toFixed(4);

/** The Markdown report; `gridsRel` turns a PNG path into the link written in it. */
export function renderBenchReport(r: BenchKeyframesResult, gridsRel: (file: string) => string): string {
  const L: string[] = [];
  L.push('# Keyframe codec benchmark (`m3c bench keyframes`)', '');
  L.push(`Machine: ${r.machine.cpu}, ${r.machine.cores} logical cores, Node ${r.machine.node}, ${r.machine.platform}. Date: ${r.machine.date}.`);
  L.push(`Model pack: \`${r.packId}\`, token grids: ${r.grids.join(', ')}. Denoiser steps of \`ours\`: ${r.steps}; decode seed ${r.seed}. Wall time ${(r.wallMs / 1000).toFixed(1)} s.`, '');
  L.push('## Definitions', '');
  L.push('- `ours`: LearnedKeyframeCodec, one grid forced, the denoiser run for the steps above.');
  L.push('- `ours-no-diffusion`: the same payload decoded with 0 denoiser steps (z^ through the autoencoder decoder).');
  L.push(
    `- \`av1\`: ClassicalAv1KeyframeCodec's format (libaom intra, full, 1/2 or 1/4 size, upscaled on decode) at **equal bytes**: a payload within +-${r.tolerance * 100}% of \`ours\`'s payload bytes (both counted whole, header byte included); per scale the crf landing in that band is searched, and among the scales that land the one with the highest MS-SSIM is kept (the codec's own rule). Where no crf lands in the band the closest payload is used and the image is marked "no" in the "+-5%" column.`,
  );
  L.push('- bytes: keyframe payload; bpp: 8 x bytes / pixels of the image.');
  L.push('- PSNR: RGB, over all three channels; MS-SSIM: on BT.601 luma. Averages are plain means over images (PSNR of dB values).');
  L.push(
    `- HF ratio: high-frequency energy of the reconstruction over that of the original; the energy is the mean squared luma high-pass L - G*L with a 9-tap Gaussian of sigma ${HF_SIGMA} px (the band from ~0.1 cycles/pixel to Nyquist). 1 = as much fine detail as the original, below 1 blur, above 1 added texture, noise or ringing.`,
  );
  L.push(
    `- Grad. dist.: Jensen-Shannon divergence (base 2, in [0, 1]) between the ${GRADIENT_BINS}-bin histograms (uniform in sqrt(magnitude)) of Sobel gradient magnitudes of luma: 0 = the same distribution of edge strengths; insensitive to where edges are.`,
  );
  L.push('- encode ms / decode ms: wall time per image on this machine, warm sessions. `ours-no-diffusion` shares `ours`\'s encode. `av1` encode is the whole equal-bytes search (several ffmpeg processes), decode one ffmpeg process (dav1d + upscale); both include ffmpeg start-up.');
  L.push('- Kodak portrait images are coded as they are (512x768), not transposed. Clip keyframes: frames the default keyframe selection (motion-semantic) picks at 512x320, 8 fps.', '');
  for (const s of r.sets) {
    L.push(`## ${s.set === 'kodak' ? 'Kodak' : 'Evaluation-clip keyframes'} (${s.images.length} images)`, '', '### Averages', '');
    L.push('| row | grid | images | bytes | bpp | PSNR dB | MS-SSIM | HF ratio | grad. dist. | encode ms | decode ms | AV1 +-5% |');
    L.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const a of s.averages) {
      L.push(
        `| ${a.row} | ${a.grid} | ${a.images} | ${a.bytes.toFixed(1)} | ${f4(a.bpp)} | ${f2(a.psnr)} | ${f4(a.msssim)} | ${f3(a.hfRatio)} | ${f4(a.gradDist)} | ${a.encodeMs.toFixed(0)} | ${a.decodeMs.toFixed(0)} | ${a.withinTolerance === undefined ? '' : `${a.withinTolerance}/${a.images}`} |`,
      );
    }
    L.push('', '### Per image', '');
    L.push('| image | size | row | grid | bytes | bpp | PSNR dB | MS-SSIM | HF ratio | grad. dist. | encode ms | decode ms | AV1 +-5% |');
    L.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const im of s.images) {
      for (const x of im.rows) {
        const mark = x.av1 ? (x.av1.withinTolerance ? 'yes' : `**no** (target ${x.av1.targetBytes})`) : '';
        L.push(
          `| ${im.name} | ${im.width}x${im.height} | ${x.row} | ${x.grid} | ${x.bytes} | ${f4(x.bpp)} | ${f2(x.psnr)} | ${f4(x.msssim)} | ${f3(x.hfRatio)} | ${f4(x.gradDist)} | ${x.encodeMs.toFixed(0)} | ${x.decodeMs.toFixed(0)} | ${mark} |`,
        );
      }
    }
    L.push('');
  }
  if (r.gridPngs.length > 0 || r.skippedPngs.length > 0) {
    L.push('## Side by side', '', `original | AV1 | ours without diffusion | ours (Kodak: ${KODAK_CROP.width}x${KODAK_CROP.height} centre crop at full resolution; clips: the first keyframe, whole).`, '');
    for (const g of r.gridPngs) L.push(`**${g.image}** (${g.grid} grid)`, '', `![${g.image} ${g.grid}](${gridsRel(g.file)})`, '');
    if (r.skippedPngs.length > 0) L.push(`Not written, to keep the grids under ${GRID_BYTES_LIMIT / 1e6} MB: ${r.skippedPngs.join(', ')}.`, '');
  }
  return L.join('\n');
}

/** The averages of each set as the terminal shows them. */
export function averagesText(r: BenchKeyframesResult): string[] {
  return r.sets.flatMap((s) => [
    `${s.set} (${s.images.length} images), averages:`,
    '  row                grid    bytes     bpp   PSNR  MS-SSIM  HF ratio  grad.dist  enc ms  dec ms',
    ...s.averages.map((a) => `  ${averageLine(a)}`),
  ]);
}

function averageLine(a: AverageRow): string {
  const within = a.withinTolerance === undefined ? '' : `  (+-5%: ${a.withinTolerance}/${a.images})`;
  return `${a.row.padEnd(18)} ${a.grid.padEnd(6)} ${a.bytes.toFixed(1).padStart(7)} ${a.bpp.toFixed(4).padStart(7)} ${a.psnr.toFixed(2).padStart(6)} ${a.msssim.toFixed(4).padStart(8)} ${a.hfRatio.toFixed(3).padStart(9)} ${a.gradDist.toFixed(4).padStart(10)} ${a.encodeMs.toFixed(0).padStart(7)} ${a.decodeMs.toFixed(0).padStart(7)}${within}`;
}

/** Writes OUT/NAME.json and OUT/NAME.md (grid links relative to OUT), each atomically. */
export async function writeBenchReport(r: BenchKeyframesResult, outDir: string, name: string): Promise<{ md: string; json: string }> {
  const md = path.join(outDir, `${name}.md`);
  const json = path.join(outDir, `${name}.json`);
  const rel = (file: string): string => path.relative(outDir, file).split(path.sep).join('/');
  const enc = new TextEncoder();
  await writeFileAtomic(json, enc.encode(JSON.stringify(r, null, 1) + '\n'));
  await writeFileAtomic(md, enc.encode(renderBenchReport(r, rel)));
  return { md, json };
}
