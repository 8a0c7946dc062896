/**
 * Run as a separate process by store-file.test.ts: commits some work, begins an encode, then dies by SIGKILL
 * in the middle of a transaction whose writes (a blob larger than
 * SQLite's page cache among them) spill into the WAL file before the commit that never comes.
 */
import { openStore } from '../../../src/main/store/index.ts';

const file = process.argv[2];
const store = openStore(file);
const kept = store.createProject('kept');
const source = store.addSource({ projectId: kept.id, path: '/media/a.mp4', probe: {}, contentSha256: 'cd'.repeat(32) });
const encodeId = store.beginEncode({ sourceId: source.id, path: '/out/a.m3c', params: { budget: 900 } });
process.stdout.write(JSON.stringify({ projectId: kept.id, sourceId: source.id, encodeId }) + '\n');

store.transaction(() => {
  const lost = store.createProject('lost');
  const s = store.addSource({ projectId: lost.id, path: '/media/b.mp4', probe: {}, contentSha256: 'ef'.repeat(32) });
  store.upsertDescription({ sourceId: source.id, itemKind: 'keyframe', itemIndex: 0, frameIndex: 0, text: 'lost', origin: 'user' });
  store.renameProject(kept.id, 'renamed-but-lost');
  store.saveAnalysis({
    sourceId: s.id,
    geometry: { width: 64, height: 64, fpsNum: 8, fpsDen: 1 },
    embedderId: 'e',
    flowId: 'f',
    frameCount: 1,
    signals: new Uint8Array(32 * 1024 * 1024).fill(7),
  });
  process.kill(process.pid, 'SIGKILL');
});
