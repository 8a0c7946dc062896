/**
 * Failures of the Dialogue as the studio words them: an LMM server that stops mid-run fails the describe job
 * with a summary naming the failed item and the reason in the studio's words (Settings, not CLI flags); the
 * item list shows it failed; a second run after the server is back completes. Also: a clip text built on an
 * older keyframe text is stale, an upload's error names only the file, and the outside-folder refusal of the
 * web studio says where imports may come from. Real ffmpeg, SQLite, worker threads; the LMM is the test double.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioService } from '../../../src/main/services/studio-service.ts';
import { checkEndpoint } from '../../../src/main/lmm/index.ts';
import { withFileNameOnly } from '../../../src/main/services/paths.ts';
import { M3cError } from '../../../src/shared/engine/errors.ts';
import type { StudioEvent } from '../../../src/shared/api/contract.ts';
import { mediaPath, HAS_MEDIA } from '../../helpers/media.ts';
import { FIXED_20, openBikesStudio, type BikesStudio } from '../../helpers/studio.ts';
import { OpenAiTestDouble } from '../../helpers/openai-test-double.ts';

const CLI_FLAG = /--[a-z]/;

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe('LMM errors: the CLI names its flags, the studio names Settings', () => {
  it('words an unreachable server for each', async () => {
    // A port nothing listens on: a server started and closed again.
    const gone = await OpenAiTestDouble.start();
    await gone.close();
    const cli = await refusal(checkEndpoint(gone.baseUrl, { timeoutMs: 2000 }));
    expect(cli.message).toContain('pass --lmm-url');
    const studio = await refusal(checkEndpoint(gone.baseUrl, { timeoutMs: 2000, wording: 'studio' }));
    expect(studio.message).toBe(`cannot reach the LMM server at ${gone.baseUrl} (connection refused): start the LMM server, or change its address in Settings`);
  });
});

describe('upload errors name only the file', () => {
  it('takes the uploads folder out of any message, as given and as resolved', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'm3c-uploads-'));
    try {
      const file = path.join(dir, 'holiday.mp4');
      const named = withFileNameOnly(new M3cError('input', `${file} has no video stream`), dir);
      expect(named).toMatchObject({ code: 'input', message: 'holiday.mp4 has no video stream' });
      const node = Object.assign(new Error(`EACCES: permission denied, open '${file}'`), { code: 'EACCES' });
      expect(withFileNameOnly(node, dir)).toMatchObject({ code: 'input', message: 'the upload could not be stored (EACCES)' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!HAS_MEDIA)('the Dialogue when the LMM server stops mid-run (real ffmpeg, SQLite, worker, LMM test double)', () => {
  let studio: BikesStudio;
  let dir: string;
  let service: StudioService;
  let lmm: OpenAiTestDouble;
  let projectId: number;
  let sourceId: number;
  let events: StudioEvent[] = [];

  beforeAll(async () => {
    studio = await openBikesStudio({ prefix: 'm3c-dialogue-failures-', project: 'Failures', selection: FIXED_20 });
    ({ dir, service, projectId, sourceId } = studio);
    events = studio.events;
    expect((await service.getSelection({ sourceId }))?.keyframes).toEqual([0, 20]);
    lmm = await OpenAiTestDouble.start({ models: ['vlm-test'] });
    await service.updateSettings({ lmm: { baseUrl: lmm.baseUrl, model: 'vlm-test' } });
  });

  afterAll(async () => {
    await studio?.close();
    await lmm?.close();

  });

  const isClip2 = (body: { messages: { role: string; content: unknown }[] }): boolean => JSON.stringify(body.messages[1]).includes('(clip 2 of 2)');

  it('fails the run with a summary naming the item and the reason in studio words, then a second run completes', async () => {
    // The last clip's dialogue gets no answer; once the other items are described the server goes away.
    lmm.respond = (req, n) => (isClip2(req.body) ? { kind: 'hang' } : { kind: 'answer', text: `answer ${n}` });
    const from = events.length;
    const job = await service.describe({ sourceId });
    const described = (): number => events.slice(from).filter((e) => e.type === 'description-updated').length;
    for (let i = 0; i < 600 && !(described() === 3 && lmm.chatRequests.some((r) => isClip2(r.body))); i++) await new Promise((r) => setTimeout(r, 25));
    const stoppedUrl = lmm.baseUrl;
    await lmm.close();

    const failed = await service.waitForJob(job.id);
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('lmm');
    const message = failed.error?.message ?? '';
    expect(message).toMatch(new RegExp(`^3 of 4 items described; clip 2 of 2 failed: cannot reach the LMM server at ${stoppedUrl.replace(/[.:/]/g, '\\$&')} \\(`));
    expect(message).toMatch(/start the LMM server, or change its address in Settings$/);
    expect(message).not.toMatch(CLI_FLAG);

    const items = await service.listDialogueItems({ sourceId });
    expect(items.map((i) => `${i.kind}:${i.index}:${i.frame}-${i.lastFrame}:${i.state}`)).toEqual([
      'keyframe:0:0-0:described',
      'clip:0:0-19:described',
      'keyframe:1:20-20:described',
      expect.stringMatching(/^clip:1:20-\d+:failed$/),
    ]);
    expect(items[3].reason).toMatch(/cannot reach the LMM server/);
    const transcript = await service.getDialogue({ sourceId, itemKind: 'clip', itemIndex: 1 });
    expect(transcript.at(-1)).toMatchObject({ status: 'failed', error: expect.stringMatching(/change its address in Settings$/) });

    // The status the Dialogue tab shows says the same, without CLI flags.
    const status = await service.getLmmStatus();
    expect(status.state).toBe('unreachable');
    expect(status.message).toMatch(/^Cannot reach the LMM server at .*: start the LMM server, or change its address in Settings\.$/);
    expect(status.message).not.toMatch(CLI_FLAG);

    // The server is back (at a new address, set in Settings): the run of all items completes; the ones
    // already described come from the cache.
    lmm = await OpenAiTestDouble.start({ models: ['vlm-test'] });
    lmm.respond = (_req, n) => ({ kind: 'answer', text: `again ${n}` });
    await service.updateSettings({ lmm: { baseUrl: lmm.baseUrl, model: 'vlm-test' } });
    const retry = await service.waitForJob((await service.describe({ sourceId })).id);
    expect(retry.state, JSON.stringify(retry.error)).toBe('done');
    expect((await service.listDialogueItems({ sourceId })).map((i) => i.state)).toEqual(['described', 'described', 'described', 'described']);
    // Only the clip that failed was asked again (a clip dialogue is two rounds); the rest came from the cache.
    expect(lmm.chatRequests).toHaveLength(2);
  });

  it('marks a clip text built on an older keyframe text as stale until the clip is described again', async () => {
    const before = await service.listDescriptions({ sourceId });
    expect(before.every((d) => d.keyframeChanged === false)).toBe(true);
    await service.setDescription({ sourceId, itemKind: 'keyframe', itemIndex: 1, frameIndex: 20, text: 'two cyclists turn left' });
    const clip = (await service.listDescriptions({ sourceId })).find((d) => d.itemKind === 'clip' && d.frameIndex === 20);
    expect(clip).toMatchObject({ keyframeChanged: true, stale: false });
    // The clip of the other keyframe was built on its own keyframe's text, which did not change.
    expect((await service.listDescriptions({ sourceId })).find((d) => d.itemKind === 'clip' && d.frameIndex === 0)?.keyframeChanged).toBe(false);
    const items = await service.listDialogueItems({ sourceId });
    expect(items.map((i) => i.state)).toEqual(['described', 'described', 'edited', 'stale']);
    expect(items[3].reason).toMatch(/keyframe text changed/);

    const job = await service.waitForJob((await service.describe({ sourceId, items: [{ kind: 'clip', index: 1 }] })).id);
    expect(job.state, JSON.stringify(job.error)).toBe('done');
    expect((await service.listDialogueItems({ sourceId })).map((i) => i.state)).toEqual(['described', 'described', 'edited', 'described']);
  });

  it('names only the file when an upload cannot be imported', async () => {
    async function* body(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode('this is not a video, only text that looks nothing like one');
    }
    const e = await refusal(service.importUpload(projectId, 'holiday.mp4', body()));
    expect(e.message).toContain('holiday.mp4');
    expect(e.message).not.toContain(dir);
    expect(e.message).not.toContain(path.sep + 'sources' + path.sep);
  });

  it('tells the web studio where imports may come from, and to upload instead', async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'm3c-outside-'));
    try {
      const file = path.join(outside, 'elsewhere.mp4');
      const { copyFileSync } = await import('node:fs');
      copyFileSync(mediaPath('video', 'bikes.mp4'), file);
      const e = await refusal(service.importSource({ projectId, path: file }));
      expect(e.code).toBe('input');
      expect(e.message).toContain('is outside the folders the studio may import from');
      expect(e.message).toMatch(/upload it with "Upload…"$/);
      expect(e.message).not.toMatch(/file dialog/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
