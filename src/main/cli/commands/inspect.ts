import { describeSections, layoutTotals, parseErrorToM3cError, roiSpecOf } from '../../../shared/bitstream/index.ts';
import { parse } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { requireOne } from '../common-options.ts';
import { clipTexts } from '../../pipeline/texts.ts';
import { readBitstreamFile } from './decode.ts';

const HELP = `usage: m3c inspect IN.m3c [--json]

Lists the header and every clip section with the size in bits of each field, the decoded texts,
the regions of interest and their inset stream (when the file has them), and totals by kind (framing,
metadata, keyframe payloads, texts).`;

export async function inspectCommand(argv: string[], ctx: CommandContext): Promise<void> {
  const { values: v, positionals } = parse(argv, { help: { type: 'boolean', short: 'h' } }, 'inspect');
  if (v.help) return ctx.out(HELP);
  const input = requireOne(positionals, 'input .m3c', 'inspect');
  const layout = describeSections(await readBitstreamFile(input));
  if (!layout.ok) throw parseErrorToM3cError(layout.error);
  const { file } = layout;
  const h = file.header;
  const texts = clipTexts(file);
  const all = layoutTotals(layout.sections);
  // Version 1 has no guide: its totals stay as they always were.
  const totals = Object.fromEntries(Object.entries(all).filter(([k]) => k !== 'guide' || file.guide));
  const seconds = (h.frameCount * h.fpsDen) / h.fpsNum;
  ctx.out(`${input}: ${layout.totalBytes} bytes (${layout.totalBytes * 8} bits), version ${file.version}`);
  ctx.out(`${h.width}x${h.height} at ${h.fpsNum}/${h.fpsDen} fps, ${h.frameCount} frames (${seconds.toFixed(2)} s), ${((layout.totalBytes * 8) / seconds / 1000).toFixed(3)} kbit/s`);
  ctx.out(`model pack ${h.modelPackId} (${hex(h.modelPackHash)}), keyframe codec ${h.keyframeCodecId}, reconstructor ${h.reconstructorId}, text coder ${h.textCoderId}`);
  const p = h.params;
  ctx.out(`selection ${p.strategy} l1=${p.lambda1Milli / 1000} l2=${p.lambda2Milli / 1000} D_th=${p.thresholdMilli / 1000}${p.interval ? ` interval=${p.interval}` : ''}, keyframe budget ${p.keyframeBudgetBytes} B`);
  const g = file.guide;
  if (g) {
    const kf = all.keyframe;
    ctx.out(`guide ${g.codecId} ${g.width}x${g.height} at ${g.fpsNum}/${g.fpsDen} fps, quantiser ${g.quantizer}, ${g.encoder}: ${g.stream.length} bytes (${((g.stream.length * 8) / seconds / 1000).toFixed(3)} kbit/s)`);
    ctx.out(`rate split: guide ${g.stream.length} B, keyframes ${kf} B, texts ${all.text} B, container ${all.framing + all.metadata} B`);
  }
  const roi = file.roi;
  const regions = roi ? roiSpecOf(roi).regions : [];
  const inset = roi?.inset;
  regions.forEach((r, i) => {
    ctx.out(`region ${i + 1}: frames ${r.frames[0]}..${r.frames[1]}, box [${r.box.map((b) => +b.toFixed(4)).join(', ')}], weight ${r.weight}, label ${JSON.stringify(r.label)}`);
  });
  const warp = roi?.warp;
  if (warp) {
    const u = (v: number): number => +(v / 256).toFixed(4);
    ctx.out(`warp: frame x [${u(warp.x.a)}, ${u(warp.x.b)}] -> guide [${u(warp.x.A)}, ${u(warp.x.B)}], frame y [${u(warp.y.a)}, ${u(warp.y.b)}] -> guide [${u(warp.y.A)}, ${u(warp.y.B)}] (the guide magnifies the regions${warp.frames ? ` in frames ${warp.frames[0]}..${warp.frames[1]}` : ''})`);
  }
  if (inset) {
    ctx.out(`inset ${inset.codecId} ${inset.rectWidth}x${inset.rectHeight} at ${inset.x},${inset.y} coded ${inset.width}x${inset.height} at ${inset.fpsNum}/${inset.fpsDen} fps, quantiser ${inset.quantizer}, ${inset.encoder}: ${inset.stream.length} bytes`);
  }
  for (const s of layout.sections) {
    ctx.out(`${s.name.padEnd(10)} @${String(s.offset).padStart(6)}  ${String(s.size * 8).padStart(7)} bits`);
    for (const f of s.fields) ctx.out(`    ${f.name.padEnd(22)} ${String(f.size * 8).padStart(7)} bits  (${f.kind})`);
  }
  file.clips.forEach((c, i) => {
    ctx.out(`clip ${i + 1}: frames ${c.firstFrame}..${c.firstFrame + c.length - 1}, ${c.mode}`);
    ctx.out(`    keyframe text: ${JSON.stringify(texts[i].keyframe)}`);
    ctx.out(`    clip text:     ${JSON.stringify(texts[i].clip)}`);
  });
  ctx.out(`totals: ${Object.entries(totals).map(([k, b]) => `${k} ${b * 8} bits`).join(', ')}`);
  ctx.result({
    bytes: layout.totalBytes,
    version: file.version,
    header: { ...h, modelPackHash: hex(h.modelPackHash) },
    ...(g ? { guide: { codecId: g.codecId, width: g.width, height: g.height, fpsNum: g.fpsNum, fpsDen: g.fpsDen, quantizer: g.quantizer, encoder: g.encoder, bytes: g.stream.length } } : {}),
    ...(roi ? { regions } : {}),
    ...(warp ? { warp } : {}),
    ...(inset ? { inset: { codecId: inset.codecId, x: inset.x, y: inset.y, rectWidth: inset.rectWidth, rectHeight: inset.rectHeight, width: inset.width, height: inset.height, fpsNum: inset.fpsNum, fpsDen: inset.fpsDen, quantizer: inset.quantizer, encoder: inset.encoder, bytes: inset.stream.length } } : {}),
    clips: file.clips.map((c, i) => ({ firstFrame: c.firstFrame, length: c.length, mode: c.mode, keyframeBits: c.keyframe.length * 8, keyframeTextBits: c.keyframeText.length * 8, clipTextBits: c.clipText.length * 8, keyframeText: texts[i].keyframe, clipText: texts[i].clip })),
    sections: layout.sections.map((s) => ({ name: s.name, offset: s.offset, bits: s.size * 8, fields: s.fields.map((f) => ({ name: f.name, kind: f.kind, bits: f.size * 8 })) })),
    totalsBits: Object.fromEntries(Object.entries(totals).map(([k, b]) => [k, b * 8])),
  });
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
