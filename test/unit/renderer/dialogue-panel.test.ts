// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { DialogueItemInfo } from '../../../src/shared/api/contract.ts';
import { DEFAULT_SELECTION, selectKeyframes } from '../../../src/shared/keyframes/index.ts';
import { job, renderStudio, StudioTransportDouble, syntheticSignals } from './studio-test-double.tsx';

const { signals } = syntheticSignals(200, 16, 4, 3);
const keyframes = selectKeyframes(signals, DEFAULT_SELECTION).keyframes;
const count = keyframes.length;
const lastOfClip = (i: number): number => (keyframes[i + 1] ?? signals.frameCount) - 1;

async function openDialogue(transport: StudioTransportDouble): Promise<void> {
  renderStudio(transport);
  fireEvent.click(await screen.findByRole('button', { name: 'Open project Bikes' }));
  fireEvent.click(await screen.findByRole('button', { name: 'Open video bikes.mp4' }));
  await screen.findByLabelText('Keyframe count');
  fireEvent.click(screen.getByRole('tab', { name: 'Dialogue' }));
  await screen.findByRole('heading', { name: 'Selected item' });
}

function states(overrides: Record<string, Pick<DialogueItemInfo, 'state' | 'reason'>>): DialogueItemInfo[] {
  return keyframes.flatMap((frame, index) =>
    (['keyframe', 'clip'] as const).map((kind) => ({
      kind,
      index,
      frame,
      lastFrame: kind === 'clip' ? lastOfClip(index) : frame,
      ...(overrides[`${kind}:${index}`] ?? { state: 'described' as const, reason: null }),
    })),
  );
}

afterEach(cleanup);

describe('dialogue panel: pictures, items, numbering', () => {
  it('needs a selection of several keyframes', () => {
    expect(count).toBeGreaterThan(2);
  });

  it('shows the keyframe picture, and for a clip the frames the model is shown, with one 1-based numbering', async () => {
    const transport = new StudioTransportDouble(signals);
    await openDialogue(transport);
    expect(screen.getByRole('heading', { name: 'Selected item' }).textContent).toBe(`Keyframe 1 of ${count} · frame 0`);
    const keyframePictures = screen.getByRole('figure', { name: `Pictures of Keyframe 1 of ${count} · frame 0` });
    const img = within(keyframePictures).getByRole('img', { name: 'Keyframe picture, frame 0' }) as HTMLImageElement;
    expect(img.src).toBe('http://studio.test/media/preview/7/0/crop');

    fireEvent.click(screen.getByRole('button', { name: 'Clip description' }));
    const last = lastOfClip(0);
    const clipLabel = `Clip 1 of ${count} · frames 0–${last}`;
    expect(screen.getByRole('heading', { name: 'Selected item' }).textContent).toBe(clipLabel);
    const clipPictures = within(screen.getByRole('figure', { name: `Pictures of ${clipLabel}` })).getAllByRole('img') as HTMLImageElement[];
    // Four frames spread evenly over the clip, first and last included: what main's dialogue attaches.
    const expected = [0, Math.round(last / 3), Math.round((2 * last) / 3), last];
    expect(clipPictures.map((i) => i.src)).toEqual(expected.map((f) => `http://studio.test/media/preview/7/${f}/crop`));

    // Next goes to the second item, numbered 2 of N everywhere.
    fireEvent.click(screen.getByRole('button', { name: 'Next item' }));
    expect(screen.getByRole('heading', { name: 'Selected item' }).textContent).toBe(`Clip 2 of ${count} · frames ${keyframes[1]}–${lastOfClip(1)}`);
  });

  it('lists every item with its state, and opens the one clicked', async () => {
    const transport = new StudioTransportDouble(signals);
    transport.dialogueItems = states({
      'keyframe:1': { state: 'edited', reason: null },
      'clip:1': { state: 'stale', reason: 'its keyframe text changed after this clip was described: re-run the clip' },
      'keyframe:2': { state: 'failed', reason: 'cannot reach the LMM server at http://127.0.0.1:9/v1 (connection refused): start the LMM server, or change its address in Settings' },
      'clip:2': { state: 'running', reason: null },
    });
    await openDialogue(transport);
    const list = screen.getByRole('region', { name: 'Items' });
    await within(list).findByRole('button', { name: `Keyframe 3 of ${count} · frame ${keyframes[2]}: failed` });
    expect(within(list).getAllByRole('button')).toHaveLength(count * 2);
    expect(within(list).getByRole('button', { name: `Keyframe 2 of ${count} · frame ${keyframes[1]}: edited by hand` })).toBeTruthy();
    expect(within(list).getByRole('button', { name: `Clip 2 of ${count} · frames ${keyframes[1]}–${lastOfClip(1)}: stale` })).toBeTruthy();
    expect(within(list).getByRole('button', { name: `Clip 3 of ${count} · frames ${keyframes[2]}–${lastOfClip(2)}: running` })).toBeTruthy();
    expect(within(list).getByLabelText('Item states').textContent).toBe(`${count * 2 - 4} described · 1 edited by hand · 1 stale · 1 failed · 1 running`);

    fireEvent.click(within(list).getByRole('button', { name: `Keyframe 3 of ${count} · frame ${keyframes[2]}: failed` }));
    await waitFor(() => expect(screen.getByRole('heading', { name: 'Selected item' }).textContent).toBe(`Keyframe 3 of ${count} · frame ${keyframes[2]}`));
    expect(screen.getByRole('alert', { name: 'This item failed' }).textContent).toContain('cannot reach the LMM server');
    await waitFor(() => expect(transport.callsOf('getDialogue').at(-1)).toEqual({ sourceId: 7, itemKind: 'keyframe', itemIndex: 2 }));

    fireEvent.click(within(list).getByRole('button', { name: `Clip 2 of ${count} · frames ${keyframes[1]}–${lastOfClip(1)}: stale` }));
    await waitFor(() => expect(screen.getByRole('heading', { name: 'Selected item' }).textContent).toBe(`Clip 2 of ${count} · frames ${keyframes[1]}–${lastOfClip(1)}`));
  });

  it('marks a clip text built on an older keyframe text as stale', async () => {
    const transport = new StudioTransportDouble(signals);
    transport.descriptions = [{ sourceId: 7, itemKind: 'clip', itemIndex: 0, frameIndex: 0, text: 'they ride left', origin: 'lmm', bits: 40, updatedAt: 0, stale: false, keyframeChanged: true }];
    await openDialogue(transport);
    fireEvent.click(screen.getByRole('button', { name: 'Clip description' }));
    expect(await screen.findByText('Stale: the keyframe text changed after this clip was described')).toBeTruthy();
  });

  it('shows template variables as {{name}}, the way templates write them', async () => {
    const transport = new StudioTransportDouble(signals);
    await openDialogue(transport);
    expect(await screen.findByText(/variables: \{\{frame\}\}/)).toBeTruthy();
  });
});

describe('dialogue panel: failures where the run started', () => {
  const reason = 'cannot reach the LMM server at http://127.0.0.1:9/v1 (connection refused): start the LMM server, or change its address in Settings';

  it('names the failed items and the reason of a partial re-run, and Retry repeats the run', async () => {
    const transport = new StudioTransportDouble(signals);
    let n = 0;
    transport.overrides.describe = () => job({ id: `d${++n}`, kind: 'describe', state: 'queued', createdAt: 1_700_000_000_000 + n });
    await openDialogue(transport);
    const all = screen.getByRole('button', { name: 'Re-run the dialogue for all items' });
    await waitFor(() => expect((all as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(all);
    await waitFor(() => expect(transport.callsOf('describe')).toEqual([{ sourceId: 7 }]));

    const message = `5 of ${count * 2} items described; keyframe 3 of ${count} failed: ${reason}`;
    transport.dialogueItems = states({ 'keyframe:2': { state: 'failed', reason } });
    act(() =>
      transport.emit({ type: 'job-finished', job: job({ id: 'd1', kind: 'describe', state: 'failed', createdAt: 1_700_000_000_001, error: { code: 'lmm', message } }) }),
    );
    const shown = (await screen.findByText('The dialogue did not finish')).closest('[role="alert"]');
    expect(shown?.textContent).toContain('The dialogue did not finish');
    expect(shown?.textContent).toContain(message);
    // The setting that may need to change is one click away, and Retry can help once the server is back.
    const notice = within(shown as HTMLElement);
    expect(notice.getByRole('button', { name: 'Open settings to fix this' })).toBeTruthy();
    fireEvent.click(notice.getByRole('button', { name: 'Retry: The dialogue did not finish' }));
    // Retry repeats the run of all items: main answers those already described from its cache.
    await waitFor(() => expect(transport.callsOf('describe')).toEqual([{ sourceId: 7 }, { sourceId: 7 }]));
    await waitFor(() => expect(screen.queryByText('The dialogue did not finish')).toBeNull());
  });

  it('retries the failed items of a run it did not start', async () => {
    const transport = new StudioTransportDouble(signals);
    transport.jobs = [job({ id: 'old', kind: 'describe', state: 'failed', error: { code: 'lmm', message: `Keyframe 2 of ${count} failed: ${reason}` } })];
    transport.dialogueItems = states({ 'keyframe:1': { state: 'failed', reason } });
    transport.overrides.describe = () => job({ id: 'new', kind: 'describe', state: 'queued', createdAt: 1_800_000_000_000 });
    await openDialogue(transport);
    const title = await screen.findByText('The dialogue did not finish');
    await waitFor(() => expect(within(screen.getByRole('region', { name: 'Items' })).getByRole('button', { name: new RegExp(`^Keyframe 2 of ${count} .*: failed$`) })).toBeTruthy());
    fireEvent.click(within(title.closest('[role="alert"]') as HTMLElement).getByRole('button', { name: 'Retry: The dialogue did not finish' }));
    await waitFor(() => expect(transport.callsOf('describe')).toEqual([{ sourceId: 7, items: [{ kind: 'keyframe', index: 1 }] }]));
  });

  it('offers Retry only where a retry can help', async () => {
    const transport = new StudioTransportDouble(signals);
    transport.overrides.describe = () => {
      throw { code: 'usage', message: `item keyframe:99 does not exist: the selection has ${count} keyframes` };
    };
    await openDialogue(transport);
    const one = screen.getByRole('button', { name: 'Re-run the dialogue for this item' });
    await waitFor(() => expect((one as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(one);
    const usage = (await screen.findByText('The dialogue could not be started')).closest('[role="alert"]') as HTMLElement;
    expect(within(usage).queryByRole('button', { name: /Retry/ })).toBeNull();

    transport.overrides.describe = () => {
      throw { code: 'internal', message: 'the studio is busy making previews: try again in a moment' };
    };
    fireEvent.click(one);
    await waitFor(() => expect(screen.getByText('the studio is busy making previews: try again in a moment')).toBeTruthy());
    const busy = screen.getByText('The dialogue could not be started').closest('[role="alert"]') as HTMLElement;
    expect(within(busy).getByRole('button', { name: 'Retry: The dialogue could not be started' })).toBeTruthy();
  });
});
