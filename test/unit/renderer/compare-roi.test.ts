// @vitest-environment jsdom
/**
 * Issue 14 in Compare and the Encode panel: the regions an encode used are outlined on both players at the frames
 * they cover, PSNR-Y inside and outside them is shown under the players, and the Encode panel says how many
 * regions a guided encode will use. Main is the transport double.
 */
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { EncodeParams } from '../../../src/shared/api/contract.ts';
import { renderStudio, StudioTransportDouble, syntheticSignals } from './studio-test-double.tsx';

const { signals } = syntheticSignals(200, 16, 4, 3);

async function openVideo(transport: StudioTransportDouble): Promise<void> {
  renderStudio(transport);
  fireEvent.click(await screen.findByRole('button', { name: 'Open project Bikes' }));
  fireEvent.click(await screen.findByRole('button', { name: 'Open video bikes.mp4' }));
  await screen.findByLabelText('Keyframe count');
}

afterEach(cleanup);

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
  });
});
