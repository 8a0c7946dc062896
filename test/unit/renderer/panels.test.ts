// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DESCRIPTION_SAVE_DELAY_MS } from '../../../src/renderer/components/DialoguePanel.tsx';
import { initialThemeMode } from '../../../src/renderer/theme.ts';
import { readLastView } from '../../../src/renderer/last-view.ts';
import { job, renderStudio, StudioTransportDouble, syntheticSignals } from './studio-test-double.tsx';

const { signals } = syntheticSignals(200, 16, 4, 3);

async function openVideo(transport: StudioTransportDouble, options: Parameters<typeof renderStudio>[1] = {}): Promise<void> {
  renderStudio(transport, options);
  fireEvent.click(await screen.findByRole('button', { name: 'Open project Bikes' }));
  fireEvent.click(await screen.findByRole('button', { name: 'Open video bikes.mp4' }));
  await screen.findByLabelText('Keyframe count');
}

afterEach(cleanup);

describe('dialogue panel', () => {
  it('shows the transcript and the description size, and saves an edit through the transport', async () => {
    const transport = new StudioTransportDouble(signals);
    transport.descriptions = [{ sourceId: 7, itemKind: 'keyframe', itemIndex: 0, frameIndex: 0, text: 'A red bike', origin: 'lmm', bits: 80, updatedAt: 0 }];
    transport.dialogues = [
      {
        id: 1,
        itemKind: 'keyframe',
        itemIndex: 0,
        model: 'test-lmm',
        startedAt: 0,
        finishedAt: 1,
        status: 'done',
        description: 'A red bike',
        rounds: [
          { round: 1, template: 'keyframe-overview', prompt: 'What is in this frame?', answer: 'A bike on a road.', model: 'test-lmm', ms: 812, cached: false, error: null },
          { round: 2, template: 'keyframe-refine', prompt: 'Say it in five words.', answer: 'A red bike', model: 'test-lmm', ms: 95, cached: true, error: null },
        ],
      },
    ];
    await openVideo(transport);
    fireEvent.click(screen.getByRole('tab', { name: 'Dialogue' }));

    const transcript = await screen.findByRole('list', { name: 'Dialogue transcript' });
    expect(await within(transcript).findByText('What is in this frame?')).toBeTruthy();
    expect(within(transcript).getByText('A bike on a road.')).toBeTruthy();
    expect(within(transcript).getByText(/Round 2 · keyframe-refine · test-lmm · 95 ms \(cached\)/)).toBeTruthy();
    const editor = screen.getByRole('textbox', { name: 'Description text' }) as HTMLTextAreaElement;
    await waitFor(() => expect(editor.value).toBe('A red bike'));
    expect(screen.getByText('80 bits')).toBeTruthy();

    fireEvent.change(editor, { target: { value: 'A red bike on a wet road' } });
    await waitFor(() => expect(transport.callsOf('setDescription')).toHaveLength(1), { timeout: DESCRIPTION_SAVE_DELAY_MS + 2000 });
    expect(transport.callsOf('setDescription')[0]).toEqual({ sourceId: 7, itemKind: 'keyframe', itemIndex: 0, frameIndex: 0, text: 'A red bike on a wet road' });
    // The size readout follows the saved description (the double codes 3 bits per character).
    expect(await screen.findByText(`${'A red bike on a wet road'.length * 3} bits`)).toBeTruthy();

    // Leaving the field saves at once, without waiting for the pause.
    fireEvent.change(editor, { target: { value: 'Edited again' } });
    fireEvent.blur(editor);
    await waitFor(() => expect(transport.callsOf('setDescription')).toHaveLength(2));
    expect(transport.callsOf('setDescription')[1]).toMatchObject({ text: 'Edited again' });
  });

  it('re-runs one item through describe when the LMM is ready', async () => {
    const transport = new StudioTransportDouble(signals);
    transport.overrides.describe = () => job({ id: 'd1', kind: 'describe' });
    await openVideo(transport);
    fireEvent.click(screen.getByRole('tab', { name: 'Dialogue' }));
    const rerun = await screen.findByRole('button', { name: 'Re-run the dialogue for this item' });
    await waitFor(() => expect((rerun as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(rerun);
    await waitFor(() => expect(transport.callsOf('describe')).toEqual([{ sourceId: 7, items: [{ kind: 'keyframe', index: 0 }] }]));
    expect(await screen.findByRole('progressbar', { name: 'Description progress' })).toBeTruthy();
  });

  it('says when no LMM is configured and links to the settings', async () => {
    const transport = new StudioTransportDouble(signals);
    transport.lmm = { state: 'not-configured', baseUrl: null, model: null, models: [], message: 'Set an LMM endpoint in Settings.' };
    await openVideo(transport);
    fireEvent.click(screen.getByRole('tab', { name: 'Dialogue' }));
    expect(await screen.findByText('No multimodal model (LMM) is configured')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Re-run the dialogue for this item' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Re-run the dialogue for all items' }) as HTMLButtonElement).disabled).toBe(true);
    // Descriptions stay editable by hand.
    expect((screen.getByRole('textbox', { name: 'Description text' }) as HTMLTextAreaElement).disabled).toBe(false);
    fireEvent.click(screen.getByRole('button', { name: 'Open settings to configure the LMM' }));
    expect(await screen.findByRole('textbox', { name: 'LMM endpoint URL' })).toBeTruthy();
    expect(screen.getByRole('tab', { name: 'Settings' }).getAttribute('aria-selected')).toBe('true');
  });
});

describe('import and analysis', () => {
  it('imports a video by path, shows the analysis progress with its ETA, and cancels it', async () => {
    const transport = new StudioTransportDouble(signals);
    const analysing = job({ id: 'a1', kind: 'analysis', sourceId: 8, stage: 'analysing frames', done: 40, total: 200, fraction: 0.2, etaSeconds: 12 });
    transport.overrides.importSource = (p) => {
      transport.source = { ...transport.source, id: 8, path: String(p.path), name: 'cuts.mp4', analysis: null };
      return { source: transport.source, job: analysing };
    };
    transport.overrides.cancelJob = () => ({ ...analysing, state: 'cancelled' });
    renderStudio(transport);
    fireEvent.click(await screen.findByRole('button', { name: 'Open project Bikes' }));
    fireEvent.change(await screen.findByRole('textbox', { name: 'Video file path' }), { target: { value: '/media/cuts.mp4' } });
    fireEvent.click(screen.getByRole('button', { name: 'Import video from path' }));
    const progress = await screen.findByRole('progressbar', { name: 'Analysis progress' });
    expect(transport.callsOf('importSource')).toEqual([{ projectId: 1, path: '/media/cuts.mp4' }]);
    expect(progress.getAttribute('aria-valuenow')).toBe('20');
    expect(screen.getByText(/analysing frames \(40 \/ 200\) · ETA 12 s/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel analysis' }));
    await waitFor(() => expect(transport.callsOf('cancelJob')).toEqual([{ jobId: 'a1' }]));
    expect(await screen.findByText('The analysis was cancelled')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Analyse video' })).toBeTruthy();
  });
});

describe('shell, jobs and exports', () => {
  it('remembers the open project, video and section, and reopens them after a reload', async () => {
    const transport = new StudioTransportDouble(signals);
    const stored: Record<string, string> = {};
    const storage = { setItem: (k: string, v: string) => void (stored[k] = v), getItem: (k: string) => stored[k] ?? null };
    await openVideo(transport, { storage });
    fireEvent.click(screen.getByRole('tab', { name: 'Timeline' }));
    const view = readLastView(storage);
    expect(view).toEqual({ projectId: 1, sourceId: 7, section: 'timeline' });
    cleanup();
    // The reload: a new page with what was stored.
    renderStudio(transport, { storage, initialView: view! });
    expect(screen.getByRole('tab', { name: 'Timeline' }).getAttribute('aria-selected')).toBe('true');
    await screen.findByLabelText('Keyframe count');
    expect(screen.getByLabelText('Open project and video').textContent).toBe('Bikes · bikes.mp4');
    cleanup();
    // A project deleted since then: no project open, no error.
    renderStudio(transport, { storage, initialView: { projectId: 99, sourceId: 7, section: 'timeline' } });
    await waitFor(() => expect(screen.getByLabelText('Open project and video').textContent).toBe('no project open'));
    expect(readLastView({ getItem: () => '{"projectId":"x","section":"nowhere"}' })).toEqual({ projectId: null, sourceId: null, section: 'projects' });
    expect(readLastView({ getItem: () => 'not json' })).toBeNull();
  });

  it('toggles between the light and the dark theme and remembers the choice', async () => {
    const transport = new StudioTransportDouble(signals);
    const stored: Record<string, string> = {};
    renderStudio(transport, { storage: { setItem: (k, v) => void (stored[k] = v) } });
    const toggle = screen.getByRole('button', { name: 'Dark theme' });
    const background = (): string => getComputedStyle(document.body).backgroundColor;
    const light = background();
    expect(toggle.getAttribute('aria-pressed')).toBe('false');
    fireEvent.click(toggle);
    expect(screen.getByRole('button', { name: 'Dark theme' }).getAttribute('aria-pressed')).toBe('true');
    expect(background()).not.toBe(light);
    expect(initialThemeMode({ getItem: (k) => stored[k] ?? null }, false)).toBe('dark');
    fireEvent.click(screen.getByRole('button', { name: 'Dark theme' }));
    expect(background()).toBe(light);
    expect(stored['m3c-theme']).toBe('light');
  });

  it('shows job progress from events and cancels a job', async () => {
    const transport = new StudioTransportDouble(signals);
    transport.jobs = [job({ id: 'e1', kind: 'encode', stage: 'coding keyframes', done: 3, total: 30, fraction: 0.1, etaSeconds: 75 })];
    await openVideo(transport);
    fireEvent.click(screen.getByRole('tab', { name: 'Jobs & exports' }));
    const bar = await screen.findByRole('progressbar', { name: 'Encode job e1 progress' });
    expect(bar.getAttribute('aria-valuenow')).toBe('10');
    expect(screen.getByText(/coding keyframes 3 \/ 30 · ETA 1 min 15 s/)).toBeTruthy();
    act(() => transport.emit({ type: 'job-progress', job: job({ id: 'e1', kind: 'encode', stage: 'coding keyframes', done: 15, total: 30, fraction: 0.5, etaSeconds: 30 }) }));
    expect(screen.getByRole('progressbar', { name: 'Encode job e1 progress' }).getAttribute('aria-valuenow')).toBe('50');

    fireEvent.click(screen.getByRole('button', { name: 'Cancel Encode job e1' }));
    await waitFor(() => expect(transport.callsOf('cancelJob')).toEqual([{ jobId: 'e1' }]));
    expect(await screen.findByRole('generic', { name: 'Encode job e1 state' })).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Cancel Encode job e1' })).toBeNull());
  });

  it('offers the .m3c and mp4 of a finished encode as downloads in web mode', async () => {
    const transport = new StudioTransportDouble(signals);
    transport.encodes = [
      {
        id: 4, projectId: 1, sourceId: 7, status: 'done', bytes: 2048, bpp: 0.0002, kbps: 0.65, frameCount: 200, keyframes: [0, 50, 120],
        psnr: 24.5, msssim: 0.91, params: null, startedAt: 0, finishedAt: 1, error: null, hasReconstruction: true,
      },
      {
        id: 5, projectId: 1, sourceId: 7, status: 'done', bytes: 1024, bpp: null, kbps: null, frameCount: 200, keyframes: [0],
        psnr: null, msssim: null, params: null, startedAt: 2, finishedAt: 3, error: null, hasReconstruction: false,
      },
    ];
    await openVideo(transport);
    fireEvent.click(screen.getByRole('tab', { name: 'Jobs & exports' }));
    const m3c = await screen.findByRole('link', { name: 'Download .m3c of encode 4' });
    expect(m3c.getAttribute('href')).toBe('http://studio.test/media/download/4/m3c');
    expect(screen.getByRole('link', { name: 'Download mp4 of encode 4' }).getAttribute('href')).toBe('http://studio.test/media/download/4/mp4');
    // Without a reconstruction there is no mp4 yet, only the way to make one.
    expect(screen.queryByRole('link', { name: 'Download mp4 of encode 5' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Decode and compare encode 5' })).toBeTruthy();
    expect(within(screen.getByRole('row', { name: 'Encode 4' })).getByText('24.50 dB')).toBeTruthy();
    // A cancelled encode is hidden until asked for.
    transport.encodes = [...transport.encodes, { ...transport.encodes[1], id: 6, status: 'cancelled', bytes: null, error: 'cancelled' }];
    act(() => transport.emit({ type: 'encodes-changed', projectId: 1 }));
    const show = await screen.findByRole('checkbox', { name: 'Show cancelled encodes (1)' });
    expect(screen.queryByRole('row', { name: 'Encode 6' })).toBeNull();
    fireEvent.click(show);
    expect(screen.getByRole('row', { name: 'Encode 6' })).toBeTruthy();
  });

  it('shows an error where it happened, with the action that fixes it', async () => {
    const transport = new StudioTransportDouble(signals);
    transport.overrides.createProject = () => {
      throw { code: 'usage', message: 'a project named "Bikes" already exists; choose another name' };
    };
    renderStudio(transport);
    fireEvent.change(await screen.findByRole('textbox', { name: 'New project name' }), { target: { value: 'Bikes' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create project' }));
    const alert = await within(screen.getByRole('region', { name: 'Projects' })).findByRole('alert');
    expect(alert.textContent).toContain('already exists');

    transport.overrides.startEncode = () => {
      throw { code: 'ffmpeg', message: 'ffmpeg was not found; set its path in Settings' };
    };
    fireEvent.click(await screen.findByRole('button', { name: 'Open project Bikes' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Open video bikes.mp4' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Encode this video' }));
    expect((await screen.findByRole('alert')).textContent).toContain('ffmpeg was not found');
    fireEvent.click(screen.getByRole('button', { name: 'Open settings to fix this' }));
    expect(await screen.findByRole('region', { name: 'ffmpeg' })).toBeTruthy();
  });

  it('compares original and reconstruction with synchronised scrubbing and per-frame quality', async () => {
    const transport = new StudioTransportDouble(signals);
    transport.encodes = [
      {
        id: 4, projectId: 1, sourceId: 7, status: 'done', bytes: 2048, bpp: 0.0002, kbps: 0.65, frameCount: 200, keyframes: [0, 50, 120],
        psnr: 24.5, msssim: 0.91, params: null, startedAt: 0, finishedAt: 1, error: null, hasReconstruction: true,
      },
    ];
    const psnr = Array.from({ length: 200 }, (_, i) => 20 + (i % 50) / 10);
    transport.overrides.getComparison = () => ({
      encodeId: 4, frames: 200, fps: 8, keyframes: [0, 50, 120], psnr, msssim: psnr.map((v) => v / 30), meanPsnr: 22.45, meanMsssim: 0.75,
      originalVideo: 'original/7', reconstructedVideo: 'reconstruction/4',
    });
    await openVideo(transport);
    fireEvent.click(screen.getByRole('tab', { name: 'Jobs & exports' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Compare encode 4' }));
    const original = (await screen.findByLabelText('Original video')) as HTMLVideoElement;
    const reconstructed = screen.getByLabelText('Reconstructed video') as HTMLVideoElement;
    expect(original.getAttribute('src')).toBe('http://studio.test/media/original/7');
    expect(reconstructed.getAttribute('src')).toBe('http://studio.test/media/reconstruction/4');
    fireEvent.change(screen.getByRole('slider', { name: 'Compare position (frame)' }), { target: { value: '60' } });
    expect(original.currentTime).toBeCloseTo(60.5 / 8, 6);
    expect(reconstructed.currentTime).toBeCloseTo(60.5 / 8, 6);
    expect(screen.getByLabelText('Compare frame readout').textContent).toBe('Frame 60 · PSNR 21.00 dB · MS-SSIM 0.7000');
    expect(screen.getByRole('img', { name: 'PSNR per frame (dB) plot' })).toBeTruthy();

    // Frame steps by key and button move both players.
    fireEvent.keyDown(document.body, { key: 'ArrowRight' });
    fireEvent.keyDown(document.body, { key: 'ArrowRight', shiftKey: true });
    expect(screen.getByLabelText('Compare frame readout').textContent).toMatch(/^Frame 71 /);
    fireEvent.click(screen.getByRole('button', { name: 'Previous frame' }));
    expect(reconstructed.currentTime).toBeCloseTo(70.5 / 8, 6);

    // Wipe: both videos in one box, the original clipped at the wipe position; the view keeps the frame.
    fireEvent.click(screen.getByRole('button', { name: 'Wipe' }));
    const wipedOriginal = screen.getByLabelText('Original video') as HTMLVideoElement;
    expect(wipedOriginal.style.clipPath).toBe('inset(0 50% 0 0)');
    expect((screen.getByLabelText('Reconstructed video') as HTMLVideoElement).currentTime).toBeCloseTo(70.5 / 8, 6);
    fireEvent.change(screen.getByRole('slider', { name: /^Wipe position/ }), { target: { value: '25' } });
    expect(wipedOriginal.style.clipPath).toBe('inset(0 75% 0 0)');

    // Zoom: nearest-neighbour scaling at an integer factor of the source's size.
    fireEvent.click(screen.getByRole('button', { name: 'Zoom' }));
    const zoomed = screen.getByLabelText('Original video') as HTMLVideoElement;
    Object.defineProperty(zoomed, 'videoWidth', { value: 512 });
    Object.defineProperty(zoomed, 'videoHeight', { value: 320 });
    fireEvent.loadedMetadata(zoomed);
    fireEvent.click(screen.getByRole('button', { name: 'Zoom 4x' }));
    expect(zoomed.style.width).toBe('2048px');
    expect(zoomed.style.imageRendering).toBe('pixelated');
    expect(screen.getByRole('region', { name: 'Reconstruction at 4x' })).toBeTruthy();
  });

  it('"Decode and compare" opens Compare when the reconstruction is ready', async () => {
    const transport = new StudioTransportDouble(signals);
    const encode = {
      id: 5, projectId: 1, sourceId: 7, status: 'done' as const, bytes: 1024, bpp: null, kbps: 1.2, frameCount: 200, keyframes: [0],
      psnr: null, msssim: null, params: null, startedAt: 2, finishedAt: 3, error: null, hasReconstruction: false,
    };
    transport.encodes = [encode];
    transport.overrides.getComparison = () => ({
      encodeId: 5, frames: 200, fps: 8, keyframes: [0], psnr: Array(200).fill(25), msssim: Array(200).fill(0.9), meanPsnr: 25, meanMsssim: 0.9,
      originalVideo: 'original/7', reconstructedVideo: 'reconstruction/5',
    });
    await openVideo(transport);
    fireEvent.click(screen.getByRole('tab', { name: 'Jobs & exports' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Decode and compare encode 5' }));
    await waitFor(() => expect(transport.callsOf('startDecode')).toEqual([{ encodeId: 5 }]));
    expect(screen.getByRole('tab', { name: 'Jobs & exports' }).getAttribute('aria-selected')).toBe('true');
    transport.encodes = [{ ...encode, hasReconstruction: true, psnr: 25, msssim: 0.9 }];
    act(() => transport.emit({ type: 'encodes-changed', projectId: 1 }));
    await waitFor(() => expect(screen.getByRole('tab', { name: 'Compare' }).getAttribute('aria-selected')).toBe('true'));
    expect(await screen.findByLabelText('Compare frame readout')).toBeTruthy();
  });

  it('saves the LMM endpoint from the settings', async () => {
    const transport = new StudioTransportDouble(signals);
    renderStudio(transport);
    fireEvent.click(screen.getByRole('tab', { name: 'Settings' }));
    fireEvent.change(await screen.findByRole('textbox', { name: 'LMM endpoint URL' }), { target: { value: 'http://127.0.0.1:8080/v1' } });
    fireEvent.change(screen.getByRole('textbox', { name: 'LMM model' }), { target: { value: 'qwen-vl' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save LMM settings' }));
    await waitFor(() => expect(transport.callsOf('updateSettings')).toEqual([{ lmm: { baseUrl: 'http://127.0.0.1:8080/v1', model: 'qwen-vl' } }]));
    expect(await screen.findByText('Saved')).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Remove LMM endpoint' }) as HTMLButtonElement).disabled).toBe(false);
  });
});
