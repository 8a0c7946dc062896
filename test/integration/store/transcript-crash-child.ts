/**
 * Run as a separate process by transcript-recovery.test.ts: begins an LMM dialogue, records two rounds of it
 * (one answered, one failed), then dies by SIGKILL before the dialogue can be finished.
 */
import { openStore } from '../../../src/main/store/index.ts';
import { LmmStore } from '../../../src/main/store/lmm.ts';
import type { RoundRecord } from '../../../src/main/lmm/records.ts';

const file = process.argv[2];
const store = openStore(file);
const project = store.createProject('dialogue');
const source = store.addSource({ projectId: project.id, path: '/media/a.mp4', probe: {}, contentSha256: 'cd'.repeat(32) });
const lmm = new LmmStore(store);
const transcriptId = lmm.beginTranscript({
  projectId: null,
  sourceId: source.id,
  itemKind: 'keyframe',
  itemIndex: 0,
  frameIndex: 0,
  model: 'test-model',
  promptVersion: 'v1',
  settings: { rounds: 3 },
  startedAt: Date.now(),
});
const round = (n: number, answer: string | null): RoundRecord => ({
  roundNumber: n,
  name: `round-${n}`,
  prompt: `prompt ${n}`,
  imageHashes: ['ab'.repeat(32)],
  answer,
  model: 'test-model',
  settings: { temperature: 0 },
  startedAt: Date.now(),
  durationMs: 12,
  status: answer === null ? 'failed' : 'ok',
  cacheHit: false,
  cacheKey: String(n).repeat(64),
  error: answer === null ? 'server closed the connection' : null,
});
lmm.recordRound(transcriptId, round(1, 'a red bicycle'));
lmm.recordRound(transcriptId, round(2, null));
process.stdout.write(JSON.stringify({ sourceId: source.id, transcriptId, pid: process.pid }) + '\n');
process.kill(process.pid, 'SIGKILL');
