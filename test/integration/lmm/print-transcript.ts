/**
 * Prints one complete four-round keyframe transcript and its clip transcript, produced through the real
 * client and dialogue engine against the OpenAI TEST DOUBLE (scripted answers; no model runs here),
 * as read back from a real project database. Run: npx tsx test/integration/lmm/print-transcript.ts
 */
import { describeVideo } from '../../../src/main/lmm/describe.ts';
import { OpenAiTestDouble, lastPrompt } from '../../helpers/openai-test-double.ts';
import { bikesFrames, projectDb, textCoder } from './fixtures.ts';

const SCRIPT: Array<[string, string]> = [
  ['This is keyframe', 'Objects: the flat white roof of a long vehicle runs vertically through the centre of the frame, seen from directly above; a dark brown rectangular roof hatch sits in its middle, with a small grey vent near its lower right edge. Background: grey cobblestone pavement on both sides, a small orange marker on the left pavement. Lighting: overcast, soft, no hard shadows. Camera: static, looking straight down.'],
  ['The first image below', 'Compared with the previous keyframe the roof has slid upwards: the brown hatch is now lower in the frame and the small square vent that was below it has left the top edge. The grey vent cap at the bottom is gone. The pavement pattern and the orange marker stay where they were, so the camera did not move; the vehicle moves under it.'],
  ['Now list the remaining', 'Details: the roof has faint dark scuff marks and a thin seam along its length; the hatch has a lighter rim; the left pavement has a few dark stains near the orange marker; a white square with a dark symbol is partly visible at the lower right edge of the roof; the right pavement is slightly lighter grey and shows a kerb line.'],
  ['Using everything above', 'Top-down static view of the flat white roof of a long vehicle running vertically through the centre over grey cobblestones; a dark brown rectangular hatch with a lighter rim sits mid-roof, a white square sign at the lower right edge. Left pavement: small orange marker and dark stains. Overcast soft light, no shadows.'],
  ['These ', 'Across the clip the white vehicle keeps moving slowly upwards through the frame at a steady speed; the brown hatch travels from the middle towards the top. Near the end a red car enters from the lower right corner and moves up along the right pavement. The pavement and orange marker stay fixed: the camera is static, looking straight down.'],
  ['Summarise the motion', 'The white vehicle slides steadily upwards under a static top-down camera, its brown hatch moving from mid-frame towards the top; near the end a red car enters at the lower right and drives up the right side.'],
];

const double = await OpenAiTestDouble.start({
  respond: (req) => {
    const prompt = lastPrompt(req.body);
    const hit = SCRIPT.find(([prefix]) => prompt.startsWith(prefix));
    return { kind: 'answer', text: hit ? hit[1] : 'First keyframe: the same white roof over cobblestones.', chunkChars: 12 };
  },
});
const db = projectDb();
try {
  const frames = await bikesFrames(16);
  const result = await describeVideo({
    frames,
    keyframes: [0, 8],
    frameCount: 16,
    options: { baseUrl: double.baseUrl, rounds: 4, clipSampleFrames: 4, keyframeBudgetChars: 320, clipBudgetChars: 220, seed: 7 },
    store: db.lmm,
    projectId: db.projectId,
    sourceId: db.sourceId,
    textCoder,
  });
  console.log(`server: ${double.baseUrl} (OpenAI test double, scripted answers), model ${result.model}, prompts ${result.promptVersion}`);
  console.log(`requests ${result.requests}, cache hits ${result.cacheHits}, total description bits ${result.totalBits}\n`);
  for (const t of db.lmm.listTranscripts({ sourceId: db.sourceId, itemIndex: 1 })) {
    console.log(`=== ${t.itemKind} ${t.itemIndex} (frame ${t.frameIndex}) transcript #${t.id}: ${t.status}, ${t.rounds.length} rounds, ${t.durationMs} ms`);
    console.log(`settings ${JSON.stringify(t.settings)}`);
    for (const r of t.rounds) {
      console.log(`--- round ${r.roundNumber} ${r.name}: ${r.imageHashes.length} image(s) [${r.imageHashes.map((h) => h.slice(0, 10)).join(', ')}], model ${r.model}, ${r.durationMs} ms, cache ${r.cacheHit ? 'hit' : 'miss'}`);
      console.log(`USER: ${r.prompt}`);
      console.log(`ASSISTANT: ${r.answer}`);
    }
    const d = result.items[1][t.itemKind];
    console.log(`>>> D^${t.itemKind === 'keyframe' ? 'F' : 'C'}: ${d.chars} chars (budget ${d.budgetChars}${d.overBudget ? ', OVER' : ''}), ${d.bits} bits after the text coder (stored: ${t.descriptionBits})\n`);
  }
} finally {
  db.close();
  await double.close();
}
