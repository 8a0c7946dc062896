// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { RdChart } from '../../../src/shared/api/contract.ts';
import { chartRanges, tickDecimals } from '../../../src/renderer/components/RdChart.tsx';
import { job, renderStudio, StudioTransportDouble, syntheticSignals } from './studio-test-double.tsx';

const { signals } = syntheticSignals(200, 16, 4, 3);
afterEach(cleanup);

const ANCHOR: NonNullable<RdChart['anchor']> = {
  points: [
    { kbps: 1, psnr: 18, msssim: 0.5, width: 64, height: 40, fps: 2, crf: 63, encoder: 'libaom-av1' },
    { kbps: 2, psnr: 20, msssim: 0.6, width: 64, height: 40, fps: 4, crf: 63, encoder: 'libaom-av1' },
    { kbps: 3, psnr: 19, msssim: 0.65, width: 92, height: 58, fps: 2, crf: 52, encoder: 'libaom-av1' },
    { kbps: 5, psnr: 22, msssim: 0.7, width: 134, height: 84, fps: 4, crf: 52, encoder: 'libsvtav1' },
  ],
  envelopePsnr: [0, 1, 3],
  envelopeMsssim: [0, 1, 2, 3],
  frames: 80,
  seconds: 10,
  createdAt: 0,
};

describe('R-D chart in Compare', () => {
  it('plots the decoded encodes and, once searched, the anchor envelope of the chosen metric', async () => {
    const transport = new StudioTransportDouble(signals);
    transport.encodes = [
      { id: 4, projectId: 1, sourceId: 7, status: 'done', bytes: 2048, bpp: 0.0002, kbps: 2.5, frameCount: 200, keyframes: [0, 50], psnr: 21, msssim: 0.66, params: null, startedAt: 0, finishedAt: 1, error: null, hasReconstruction: true },
    ];
    transport.overrides.getComparison = () => ({
      encodeId: 4, frames: 200, fps: 8, keyframes: [0, 50], psnr: Array(200).fill(21), msssim: Array(200).fill(0.66), meanPsnr: 21, meanMsssim: 0.66,
      originalVideo: 'original/7', reconstructedVideo: 'reconstruction/4',
    });
    let chart: RdChart = { sourceId: 7, encodes: [{ encodeId: 4, kbps: 2.5, psnr: 21, msssim: 0.66, keyframes: 2 }], anchor: null };
    transport.overrides.getRdChart = () => chart;
    transport.overrides.startAnchorSearch = () => job({ id: 'a1', kind: 'anchor', state: 'queued', done: 0, total: 0 });
    renderStudio(transport);
    fireEvent.click(await screen.findByRole('button', { name: 'Open project Bikes' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Open video bikes.mp4' }));
    fireEvent.click(screen.getByRole('tab', { name: 'Compare' }));
    const svg = await screen.findByRole('img', { name: 'Rate and quality chart (PSNR (dB))' });
    await waitFor(() => expect(svg.querySelectorAll('[data-point="encode"]')).toHaveLength(1));
    expect(svg.querySelectorAll('[data-point="anchor"]')).toHaveLength(0);
    expect(screen.getByLabelText('Rate and quality legend').textContent).toMatch(/no classical anchor yet/);

    fireEvent.click(screen.getByRole('button', { name: 'Search the classical anchor' }));
    await waitFor(() => expect(transport.callsOf('startAnchorSearch')).toEqual([{ sourceId: 7 }]));
    act(() => transport.emit({ type: 'job-progress', job: job({ id: 'a1', kind: 'anchor', stage: 'anchor search', done: 6, total: 24, fraction: 0.25 }) }));
    expect(screen.getByText(/Searching the classical anchor: 6 of 24 trials/)).toBeTruthy();
    chart = { ...chart, anchor: ANCHOR };
    act(() => transport.emit({ type: 'job-finished', job: job({ id: 'a1', kind: 'anchor', state: 'done', done: 24, total: 24, fraction: 1 }) }));
    await waitFor(() => expect(screen.getByRole('img', { name: 'Rate and quality chart (PSNR (dB))' }).querySelectorAll('[data-point="anchor"]')).toHaveLength(3));
    expect(screen.getByLabelText('Rate and quality legend').textContent).toMatch(/4 trials on the first 10 s/);
    fireEvent.click(screen.getByRole('button', { name: 'MS-SSIM' }));
    expect(screen.getByRole('img', { name: 'Rate and quality chart (MS-SSIM)' }).querySelectorAll('[data-point="anchor"]')).toHaveLength(4);
  });

  it('keeps the 1.5-6 kbit/s band in view and pads the quality axis', () => {
    expect(chartRanges([{ kbps: 3, q: 20 }])).toEqual({ x: [1.5 / 1.2, 6 * 1.2], y: [19.95, 20.05] });
    const r = chartRanges([{ kbps: 0.5, q: 10 }, { kbps: 20, q: 30 }]);
    expect(r.x[0]).toBeCloseTo(0.5 / 1.2);
    expect(r.x[1]).toBeCloseTo(24);
    expect(r.y).toEqual([9, 31]);
  });
});

describe('the R-D chart axis labels', () => {
  it('use enough decimals to tell the ticks apart', () => {
    expect(tickDecimals([22, 22.5, 23, 23.5, 24], 0)).toBe(1);
    expect(tickDecimals([20, 22, 24], 0)).toBe(0);
    expect(tickDecimals([0.8, 0.82, 0.84], 2)).toBe(2);
    expect(tickDecimals([22.05, 22.1], 0)).toBe(2);
    expect(tickDecimals([22], 0)).toBe(0);
  });
});
