/**
 * `node --import tsx bench/guided/keyframe-layer.ts` (issue 10, point 2): should a guided file's keyframe
 * be coded plainly or as an enhancement of the guide frame the decoder already has? For the keyframes of
 * the training clips (01_dog, 02_cups, 03_blocks; never the evaluation clips), with the guide the encoder
 * would send at 3 kbit/s, each keyframe is coded by the classical AV1 keyframe codec at equal byte budgets
 * (a) plainly and (b) as the residual over the guide's base frame (+128), and PSNR-Y at the keyframe is
 * compared with the guide alone. Writes a Markdown table to stdout.
 */
import type { RgbFrame } from '../../src/shared/engine/frame.ts';
import { decodeFrames } from '../../src/main/media/index.ts';
import { ClassicalAv1KeyframeCodec } from '../../src/main/codecs/index.ts';
import { DEFAULT_GEOMETRY } from '../../src/main/pipeline/engine.ts';
import { guideTrack, proxySize, searchGuide } from '../../src/main/pipeline/guide.ts';
import { applyLayer, residualLayer } from '../../src/shared/reconstruct/guided.ts';
import { psnrLuma } from '../../src/shared/metrics/index.ts';
import { resizeRgbArea } from '../../src/shared/vision/index.ts';
import { clipPath, TRAINING_CLIPS } from '../media.ts';

const BUDGETS = [300, 600, 1200];
const KEYFRAMES = [0, 24, 48];

async function main(): Promise<void> {
  const g = DEFAULT_GEOMETRY;
  const codec = new ClassicalAv1KeyframeCodec();
  const rows: string[] = ['| clip | frame | guide alone | ' + BUDGETS.map((b) => `plain ${b} B | layer ${b} B`).join(' | ') + ' |', '|---|---|---|' + BUDGETS.map(() => '---|---|').join('')];
  const totals = { guide: 0, plain: BUDGETS.map(() => 0), layer: BUDGETS.map(() => 0), n: 0 };
  for (const clip of TRAINING_CLIPS) {
    const frames: RgbFrame[] = [];
    for await (const f of decodeFrames(clipPath(clip), g)) frames.push(f);
    const p = proxySize(g);
    const proxies = frames.map((f) => resizeRgbArea(f, p.width, p.height));
    const seconds = frames.length / 8;
    const search = await searchGuide(proxies, { num: 8, den: 1 }, Math.floor((3000 * seconds) / 8) - 200);
    const track = guideTrack(search.coded, search.indices, frames.length, g);
    for (const k of KEYFRAMES.filter((i) => i < frames.length)) {
      await track.skip(k - track.next);
      const base = (await track.take()).base;
      const src = frames[k];
      const cells: string[] = [];
      const guideDb = psnrLuma(src, base);
      totals.guide += guideDb;
      for (const [j, budget] of BUDGETS.entries()) {
        const plain = await codec.decode(await codec.encode(src, { budgetBytes: budget }), g, { seed: 0, text: '' });
        const layer = applyLayer(base, await codec.decode(await codec.encode(residualLayer(src, base), { budgetBytes: budget }), g, { seed: 0, text: '' }));
        const a = psnrLuma(src, plain);
        const b = psnrLuma(src, layer);
        totals.plain[j] += a;
        totals.layer[j] += b;
        cells.push(a.toFixed(2), b.toFixed(2));
      }
      totals.n++;
      rows.push(`| ${clip} | ${k} | ${guideDb.toFixed(2)} | ${cells.join(' | ')} |`);
    }
  }
  const m = (v: number): string => (v / totals.n).toFixed(2);
  rows.push(`| mean | | ${m(totals.guide)} | ${BUDGETS.map((_, j) => `${m(totals.plain[j])} | ${m(totals.layer[j])}`).join(' | ')} |`);
  console.log(rows.join('\n'));
}

await main();
