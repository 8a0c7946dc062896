// @vitest-environment jsdom
/**
 * Issue 14 in Compare and the Encode panel: the regions an encode used are outlined on both players at the frames
 * they cover, PSNR-Y inside and outside them is shown under the players, and the Encode panel says how many
 * regions a guided encode will use. Main is the transport double.
 */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Comparison, EncodeInfo, EncodeParams } from '../../../src/shared/api/contract.ts';
import { renderStudio, StudioTransportDouble, syntheticSignals } from './studio-test-double.tsx';

const { signals } = syntheticSignals(200, 16, 4, 3);

async function openVideo(transport: StudioTransportDouble): Promise<void> {
  renderStudio(transport);
  fireEvent.click(await screen.findByRole('button', { name: 'Open project Bikes' }));
  fireEvent.click(await screen.findByRole('button', { name: 'Open video bikes.mp4' }));
  await screen.findByLabelText('Keyframe count');
}

afterEach(cleanup);

function choose(combobox: HTMLElement, option: string | RegExp): void {
  fireEvent.mouseDown(combobox);
  fireEvent.click(within(screen.getByRole('listbox')).getByRole('option', { name: option }));
}

const ROI = {
  regions: [{ frames: [0, 199] as [number, number], box: [0.25, 0.25, 0.5, 0.5] as [number, number, number, number], weight: 2, label: 'rider', source: 'hand' as const }],
};

function encodeInfo(id: number, bytes: number, sourceId = 7): EncodeInfo {
  return {
    id, projectId: 1, sourceId, status: 'done', bytes, bpp: 0.0002, kbps: 0.65, frameCount: 200, keyframes: [0], psnr: 24.5, msssim: 0.91,
    params: { selection: { strategy: 'fixed', lambda1: 5, lambda2: 1, threshold: 0.4, fixedInterval: 120 }, mode: 'guided', targetKbps: 3, keyframeBudgetBytes: null, geometry: { width: 256, height: 160, fpsNum: 8, fpsDen: 1 }, roi: ROI },
    startedAt: 0, finishedAt: 1, error: null, hasReconstruction: true,
  };
}

describe('regions in Compare and the Encode panel', () => {
  it('outlines the encode\'s regions on both players and shows PSNR-Y inside and outside them', async () => {
    const transport = new StudioTransportDouble(signals);
    const roi = {
      regions: [
        { frames: [0, 99] as [number, number], box: [0.25, 0.25, 0.5, 0.5] as [number, number, number, number], weight: 4, label: 'rider', source: 'hand' as const },
        { frames: [100, 199] as [number, number], box: [0, 0, 0.25, 0.25] as [number, number, number, number], weight: 1, label: 'sign', source: 'lmm' as const },
      ],
    };
    transport.encodes = [
      {
        id: 4, projectId: 1, sourceId: 7, status: 'done', bytes: 2048, bpp: 0.0002, kbps: 0.65, frameCount: 200, keyframes: [0, 120],
        psnr: 24.5, msssim: 0.91, params: { selection: { strategy: 'fixed', lambda1: 5, lambda2: 1, threshold: 0.4, fixedInterval: 120 }, mode: 'guided', targetKbps: 3, keyframeBudgetBytes: null, geometry: { width: 256, height: 160, fpsNum: 8, fpsDen: 1 }, roi } satisfies EncodeParams, startedAt: 0, finishedAt: 1, error: null, hasReconstruction: true,
      },
    ];
    const psnr = Array.from({ length: 200 }, () => 25);
    transport.overrides.getComparison = () => ({
      encodeId: 4, frames: 200, fps: 8, keyframes: [0, 120], psnr, msssim: psnr.map(() => 0.9), meanPsnr: 25, meanMsssim: 0.9,
      originalVideo: 'original/7', reconstructedVideo: 'reconstruction/4', roi, roiQuality: { psnrInside: 31.234, psnrOutside: 24.5, width: 256, height: 160 },
    });
    await openVideo(transport);
    fireEvent.click(screen.getByRole('tab', { name: 'Jobs & exports' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Compare encode 4' }));
    const onOriginal = await screen.findByRole('group', { name: 'Regions on the original' });
    const onRecon = screen.getByRole('group', { name: 'Regions on the reconstruction' });
    for (const g of [onOriginal, onRecon]) {
      const boxes = within(g).getAllByLabelText(/^Region /);
      expect(boxes.map((b) => b.getAttribute('aria-label'))).toEqual(['Region rider']);
      expect(boxes[0].getAttribute('data-region-outline')).toBe('hand');
    }
    expect(screen.getByLabelText('PSNR-Y inside the regions').textContent).toBe('31.23');
    expect(screen.getByLabelText('PSNR-Y outside the regions').textContent).toBe('24.50');

    // At frame 150 the other region covers the frame: the LMM one, outlined as such.
    fireEvent.change(screen.getByRole('slider', { name: 'Compare position (frame)' }), { target: { value: '150' } });
    const later = within(screen.getByRole('group', { name: 'Regions on the reconstruction' })).getAllByLabelText(/^Region /);
    expect(later.map((b) => b.getAttribute('aria-label'))).toEqual(['Region LMM: sign']);
    expect(later[0].getAttribute('data-region-outline')).toBe('lmm');
  });

  it('compares against another decoded encode of the video: its reconstruction on the left, its figures and the gain inside', async () => {
    const transport = new StudioTransportDouble(signals);
    // 4 is compared; 3 (same video, decoded) is offered; 5 (not decoded) and 6 (another video) are not.
    transport.encodes = [encodeInfo(4, 3586), encodeInfo(3, 3683), { ...encodeInfo(5, 1000), hasReconstruction: false }, encodeInfo(6, 2000, 8)];
    const psnr = Array.from({ length: 200 }, () => 25);
    const base: Comparison = {
      encodeId: 4, frames: 200, fps: 8, keyframes: [0], psnr, msssim: psnr.map(() => 0.9), meanPsnr: 25, meanMsssim: 0.9,
      originalVideo: 'original/7', reconstructedVideo: 'reconstruction/4', roi: ROI, roiUsed: true, roiQuality: { psnrInside: 20.47, psnrOutside: 20.25, width: 256, height: 160 },
    };
    transport.overrides.getComparison = (p) =>
      p.againstEncodeId === 3
        ? { ...base, against: { encodeId: 3, psnr: psnr.map(() => 24), msssim: psnr.map(() => 0.88), meanPsnr: 24, meanMsssim: 0.88, bytes: 3683, reconstructedVideo: 'reconstruction/3', roiQuality: { psnrInside: 20.86, psnrOutside: 20.87, width: 256, height: 160 } } }
        : base;
    await openVideo(transport);
    fireEvent.click(screen.getByRole('tab', { name: 'Jobs & exports' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Compare encode 4' }));
    const left = (await screen.findByLabelText('Original video')) as HTMLVideoElement;
    expect(left.getAttribute('src')).toBe('http://studio.test/media/original/7');
    expect(transport.callsOf('getComparison')).toEqual([{ encodeId: 4 }]);
    expect(screen.queryByLabelText('Gain inside the regions')).toBeNull();

    fireEvent.change(screen.getByRole('slider', { name: 'Compare position (frame)' }), { target: { value: '60' } });
    const against = screen.getByRole('combobox', { name: 'Compare against' });
    fireEvent.mouseDown(against);
    const options = within(screen.getByRole('listbox')).getAllByRole('option').map((o) => o.textContent);
    expect(options).toEqual(['Original', 'Encode 3 · 3.6 KiB · 0.65 kbps']);
    fireEvent.click(within(screen.getByRole('listbox')).getByRole('option', { name: /^Encode 3/ }));
    await waitFor(() => expect(transport.callsOf('getComparison')).toEqual([{ encodeId: 4 }, { encodeId: 4, againstEncodeId: 3 }]));

    // Side by side: encode 3's reconstruction on the left, encode 4's on the right, the regions on both.
    const againstVideo = (await screen.findByLabelText('Against video')) as HTMLVideoElement;
    expect(againstVideo.getAttribute('src')).toBe('http://studio.test/media/reconstruction/3');
    expect(againstVideo.currentTime).toBeCloseTo(60.5 / 8, 6);
    expect(screen.queryByLabelText('Original video')).toBeNull();
    expect((screen.getByLabelText('Reconstructed video') as HTMLVideoElement).getAttribute('src')).toBe('http://studio.test/media/reconstruction/4');
    expect(screen.getByText('Encode 3', { selector: 'span' })).toBeTruthy();
    for (const name of ['Regions on encode 3', 'Regions on the reconstruction']) {
      expect(within(screen.getByRole('group', { name })).getAllByLabelText(/^Region /).map((b) => b.getAttribute('aria-label'))).toEqual(['Region rider']);
    }
    expect(screen.getByLabelText('PSNR-Y inside the regions').textContent).toBe('20.47');
    expect(screen.getByLabelText('PSNR-Y outside the regions').textContent).toBe('20.25');
    expect(screen.getByLabelText('PSNR-Y inside the regions, encode 3').textContent).toBe('20.86');
    expect(screen.getByLabelText('PSNR-Y outside the regions, encode 3').textContent).toBe('20.87');
    expect(screen.getByLabelText('Gain inside the regions').textContent).toBe('-0.39');
    expect(screen.getByLabelText('Bytes, encode 4').textContent).toBe('3,586 bytes');
    expect(screen.getByLabelText('Bytes, encode 3').textContent).toBe('3,683 bytes');
    expect(screen.getByLabelText('Compare frame readout').textContent).toBe('Frame 60 · PSNR 25.00 dB · MS-SSIM 0.9000 · encode 3: PSNR 24.00 dB · MS-SSIM 0.8800');
    expect(screen.getByRole('img', { name: 'PSNR per frame, encode 3 (dB) plot' })).toBeTruthy();

    // Wipe and Zoom show the against encode in the original's place too.
    fireEvent.click(screen.getByRole('button', { name: 'Wipe' }));
    expect(screen.getByRole('group', { name: 'Wipe between encode 3 and encode 4' })).toBeTruthy();
    expect(screen.getByLabelText('Against video').getAttribute('src')).toBe('http://studio.test/media/reconstruction/3');
    fireEvent.click(screen.getByRole('button', { name: 'Side by side' }));

    // Back to the original: today's view, without the other encode's figures.
    choose(screen.getByRole('combobox', { name: 'Compare against' }), 'Original');
    await waitFor(() => expect(transport.callsOf('getComparison')).toHaveLength(3));
    expect(transport.callsOf('getComparison')[2]).toEqual({ encodeId: 4 });
    const original = (await screen.findByLabelText('Original video')) as HTMLVideoElement;
    expect(original.getAttribute('src')).toBe('http://studio.test/media/original/7');
    expect(screen.queryByLabelText('Against video')).toBeNull();
    expect(screen.queryByLabelText('Gain inside the regions')).toBeNull();
    expect(screen.getByRole('group', { name: 'Regions on the original' })).toBeTruthy();
  });

  it('a positive gain is signed, and a refused against says why where it was picked and keeps the original', async () => {
    const transport = new StudioTransportDouble(signals);
    transport.encodes = [encodeInfo(4, 3586), encodeInfo(3, 3683), encodeInfo(2, 5000)];
    const psnr = Array.from({ length: 200 }, () => 25);
    const base: Comparison = {
      encodeId: 4, frames: 200, fps: 8, keyframes: [0], psnr, msssim: psnr.map(() => 0.9), meanPsnr: 25, meanMsssim: 0.9,
      originalVideo: 'original/7', reconstructedVideo: 'reconstruction/4', roi: ROI, roiUsed: true, roiQuality: { psnrInside: 21.5, psnrOutside: 20, width: 256, height: 160 },
    };
    transport.overrides.getComparison = (p) => {
      if (p.againstEncodeId === 2) throw { code: 'usage', message: 'encode 2 was made at another working geometry (512x320, not 256x160)' };
      return p.againstEncodeId === 3
        ? { ...base, against: { encodeId: 3, psnr, msssim: psnr.map(() => 0.9), meanPsnr: 25, meanMsssim: 0.9, bytes: 3683, reconstructedVideo: 'reconstruction/3', roiQuality: { psnrInside: 20.246, psnrOutside: 20, width: 256, height: 160 } } }
        : base;
    };
    await openVideo(transport);
    fireEvent.click(screen.getByRole('tab', { name: 'Jobs & exports' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Compare encode 4' }));
    await screen.findByLabelText('Original video');

    choose(screen.getByRole('combobox', { name: 'Compare against' }), /^Encode 2/);
    const alert = (await screen.findByText('Encode 2 could not be compared with encode 4')).closest<HTMLElement>('[role="alert"]');
    if (!alert) throw new Error('no alert around the refusal');
    expect(alert.textContent).toContain('encode 2 was made at another working geometry (512x320, not 256x160)');
    expect(within(alert).queryByRole('button', { name: /^Retry/ })).toBeNull();
    expect((screen.getByLabelText('Original video') as HTMLVideoElement).getAttribute('src')).toBe('http://studio.test/media/original/7');
    expect(screen.getByRole('combobox', { name: 'Compare against' }).textContent).toBe('Original');
    expect(transport.callsOf('getComparison')).toEqual([{ encodeId: 4 }, { encodeId: 4, againstEncodeId: 2 }]);

    choose(screen.getByRole('combobox', { name: 'Compare against' }), /^Encode 3/);
    expect(await screen.findByLabelText('Against video')).toBeTruthy();
    expect(screen.queryByText('Encode 2 could not be compared with encode 4')).toBeNull();
    expect(screen.getByLabelText('Gain inside the regions').textContent).toBe('+1.25');
  });

  it('without regions Compare shows neither outlines nor figures', async () => {
    const transport = new StudioTransportDouble(signals);
    transport.encodes = [
      { id: 4, projectId: 1, sourceId: 7, status: 'done', bytes: 2048, bpp: 0.0002, kbps: 0.65, frameCount: 200, keyframes: [0], psnr: 24.5, msssim: 0.91, params: null, startedAt: 0, finishedAt: 1, error: null, hasReconstruction: true },
    ];
    transport.overrides.getComparison = () => ({ encodeId: 4, frames: 200, fps: 8, keyframes: [0], psnr: [25], msssim: [0.9], meanPsnr: 25, meanMsssim: 0.9, originalVideo: 'original/7', reconstructedVideo: 'reconstruction/4' });
    await openVideo(transport);
    fireEvent.click(screen.getByRole('tab', { name: 'Jobs & exports' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Compare encode 4' }));
    await screen.findByLabelText('Original video');
    expect(screen.queryByRole('group', { name: 'Regions on the original' })).toBeNull();
    expect(screen.queryByLabelText('PSNR-Y inside the regions')).toBeNull();
  });

  it('the Encode panel counts the regions a guided encode will use', async () => {
    const transport = new StudioTransportDouble(signals);
    transport.regions = [
      { id: 1, sourceId: 7, track: 'a', frames: [0, 9], box: [0.1, 0.1, 0.2, 0.2], weight: 1, label: '', source: 'hand' },
      { id: 2, sourceId: 7, track: 'a', frames: [10, 19], box: [0.12, 0.1, 0.2, 0.2], weight: 1, label: '', source: 'hand' },
      { id: 3, sourceId: 7, track: 'b', frames: [0, 199], box: [0.5, 0.5, 0.2, 0.2], weight: 2, label: 'x', source: 'lmm' },
    ];
    await openVideo(transport);
    fireEvent.click(screen.getByRole('tab', { name: 'Jobs & exports' }));
    const note = await screen.findByLabelText('Regions used by the encode');
    expect(note.textContent).toBe('Regions of interest: 3 regions (2 boxes) will steer the encode.');
    // Unticking "Use them" encodes without them (to compare with and without), and says so.
    fireEvent.click(screen.getByRole('checkbox', { name: 'Use the regions of interest' }));
    expect((await screen.findByLabelText('Regions used by the encode')).textContent).toBe('Regions of interest: 3 stored, not used by this encode.');
    fireEvent.click(screen.getByRole('button', { name: 'Encode this video' }));
    await waitFor(() => expect(transport.callsOf('startEncode').at(-1)).toMatchObject({ sourceId: 7, mode: 'guided', useRegions: false }));
  });
});
