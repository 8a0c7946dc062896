// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { EncodeInfo } from '../../../src/shared/api/contract.ts';
import { job, renderStudio, StudioTransportDouble, syntheticSignals } from './studio-test-double.tsx';

const { signals } = syntheticSignals(200, 16, 4, 3);
const GEOMETRY = { width: 512, height: 320, fpsNum: 8, fpsDen: 1 };
const SELECTION = { strategy: 'fixed', lambda1: 5, lambda2: 1, threshold: 0.4, fixedInterval: 50 } as const;

async function openEncodePanel(transport: StudioTransportDouble): Promise<HTMLElement> {
  let n = 0;
  transport.overrides.startEncode = () => job({ id: `e${++n}`, kind: 'encode', state: 'queued' });
  renderStudio(transport);
  fireEvent.click(await screen.findByRole('button', { name: 'Open project Bikes' }));
  fireEvent.click(await screen.findByRole('button', { name: 'Open video bikes.mp4' }));
  await screen.findByLabelText('Keyframe count');
  fireEvent.click(screen.getByRole('tab', { name: 'Jobs & exports' }));
  return screen.findByRole('region', { name: 'Encode' });
}

function choose(combobox: HTMLElement, option: string): void {
  fireEvent.mouseDown(combobox);
  fireEvent.click(within(screen.getByRole('listbox')).getByRole('option', { name: option }));
}

const encodeButton = (): HTMLButtonElement => screen.getByRole('button', { name: 'Encode this video' });

afterEach(cleanup);

describe('the Encode panel', () => {
  it('encodes guided at the typed rate by default, with the keyframe codec disabled; other modes send no rate', async () => {
    const transport = new StudioTransportDouble(signals);
    const panel = await openEncodePanel(transport);
    const mode = within(panel).getByRole('combobox', { name: 'Reconstruction mode' });
    expect(mode.textContent).toBe('Guided (default)');
    const rate = within(panel).getByRole('spinbutton', { name: 'Target rate (kbit/s)' }) as HTMLInputElement;
    expect(rate.value).toBe('3');
    expect(within(panel).getByRole('combobox', { name: 'Keyframe codec' }).getAttribute('aria-disabled')).toBe('true');
    expect(within(panel).getByLabelText('Guided keyframes note').textContent).toMatch(/classical codec/);

    fireEvent.change(rate, { target: { value: '4' } });
    fireEvent.click(encodeButton());
    await waitFor(() => expect(transport.callsOf('startEncode')).toEqual([{ sourceId: 7, mode: 'guided', targetKbps: 4 }]));

    // A rate out of range is said and not sent.
    fireEvent.change(rate, { target: { value: '0.1' } });
    expect(within(panel).getByText('Enter a rate from 0.5 to 1000 kbit/s')).toBeTruthy();
    expect(encodeButton().disabled).toBe(true);

    choose(mode, 'Interpolation');
    expect(within(panel).queryByRole('spinbutton', { name: 'Target rate (kbit/s)' })).toBeNull();
    expect(within(panel).queryByLabelText('Guided keyframes note')).toBeNull();
    expect(within(panel).getByRole('combobox', { name: 'Keyframe codec' }).getAttribute('aria-disabled')).toBeNull();
    await waitFor(() => expect(encodeButton().disabled).toBe(false));
    fireEvent.click(encodeButton());
    await waitFor(() => expect(transport.callsOf('startEncode')).toHaveLength(2));
    expect(transport.callsOf('startEncode')[1]).toEqual({ sourceId: 7, mode: 'interpolation' });

    choose(mode, 'Prediction');
    fireEvent.click(encodeButton());
    await waitFor(() => expect(transport.callsOf('startEncode')).toHaveLength(3));
    expect(transport.callsOf('startEncode')[2]).toEqual({ sourceId: 7, mode: 'prediction' });
  });

  it('gives a clip its own mode; a guided clip in an interpolation encode makes the file guided', async () => {
    const transport = new StudioTransportDouble(signals);
    const panel = await openEncodePanel(transport);
    fireEvent.click(within(panel).getByRole('button', { name: 'Per-clip modes' }));
    const clips = within(panel).getByRole('list', { name: 'Clips' });
    const rows = within(clips).getAllByRole('listitem');
    expect(rows.length).toBeGreaterThan(1);
    choose(within(panel).getByRole('combobox', { name: 'Mode of clip 2' }), 'prediction');
    fireEvent.click(encodeButton());
    await waitFor(() => expect(transport.callsOf('startEncode')).toEqual([{ sourceId: 7, mode: 'guided', targetKbps: 3, clipModes: [null, 'prediction'] }]));

    choose(within(panel).getByRole('combobox', { name: 'Reconstruction mode' }), 'Interpolation');
    choose(within(panel).getByRole('combobox', { name: 'Mode of clip 2' }), 'guided');
    // The file is guided through its clip: the rate is asked for and the keyframe codec does not apply.
    expect(within(panel).getByRole('spinbutton', { name: 'Target rate (kbit/s)' })).toBeTruthy();
    fireEvent.click(encodeButton());
    await waitFor(() => expect(transport.callsOf('startEncode')).toHaveLength(2));
    expect(transport.callsOf('startEncode')[1]).toEqual({ sourceId: 7, mode: 'interpolation', targetKbps: 3, clipModes: [null, 'guided'] });

    choose(within(panel).getByRole('combobox', { name: 'Mode of clip 2' }), 'project mode (interpolation)');
    fireEvent.click(encodeButton());
    await waitFor(() => expect(transport.callsOf('startEncode')).toHaveLength(3));
    expect(transport.callsOf('startEncode')[2]).toEqual({ sourceId: 7, mode: 'interpolation' });
  });
});

describe('the library of encodes', () => {
  it('shows the rate split, and the guide of a guided encode', async () => {
    const transport = new StudioTransportDouble(signals);
    const base: EncodeInfo = {
      id: 4, projectId: 1, sourceId: 7, status: 'done', bytes: 1500, bpp: 0.0002, kbps: 3.0, frameCount: 200, keyframes: [0, 50, 120], psnr: null, msssim: null,
      params: { selection: SELECTION, mode: 'guided', targetKbps: 3, keyframeBudgetBytes: null, geometry: GEOMETRY, keyframeCodec: 'classical' },
      startedAt: 4, finishedAt: 5, error: null, hasReconstruction: false,
      sections: { guide: 1300, keyframes: 0, keyframeTexts: 60, clipTexts: 40, container: 100 },
      guided: { width: 128, height: 80, fps: 4, crf: 52, encoder: 'libsvtav1 preset 6', targetBytes: 1530, guideBytes: 1300 },
    };
    transport.encodes = [
      base,
      { ...base, id: 3, params: { ...base.params!, mode: 'interpolation', targetKbps: undefined }, sections: { keyframes: 1800, keyframeTexts: 30, clipTexts: 40, container: 178 }, guided: null },
    ];
    await openEncodePanel(transport);
    await screen.findByRole('table', { name: 'Encodes' });
    expect(screen.getByLabelText('Rate split of encode 4').textContent).toBe('guide 1300 B · keyframes 0 B · texts 100 B · container 100 B');
    expect(screen.getByLabelText('Guide of encode 4').textContent).toBe('guide 128×80 at 4 fps, CRF 52 (libsvtav1 preset 6): 1300 B of a 1530 B budget');
    expect(within(screen.getByRole('row', { name: 'Encode 4' })).getByText(/^guided at 3 kbit\/s; fixed every 50/)).toBeTruthy();
    expect(screen.getByLabelText('Rate split of encode 3').textContent).toBe('keyframes 1800 B · texts 70 B · container 178 B');
    expect(screen.queryByLabelText('Guide of encode 3')).toBeNull();
  });

  it('decodes a guided encode with the chosen fidelity/realism, again after a first decode, without re-encoding', async () => {
    const transport = new StudioTransportDouble(signals);
    transport.overrides.startDecode = () => job({ id: 'd1', kind: 'decode', state: 'queued' });
    const guided: EncodeInfo = {
      id: 4, projectId: 1, sourceId: 7, status: 'done', bytes: 1500, bpp: 0.0002, kbps: 3.0, frameCount: 200, keyframes: [0, 50, 120], psnr: 24.1, msssim: 0.9,
      params: { selection: SELECTION, mode: 'guided', targetKbps: 3, keyframeBudgetBytes: null, geometry: GEOMETRY, keyframeCodec: 'classical' },
      startedAt: 4, finishedAt: 5, error: null, hasReconstruction: true,
      sections: { guide: 1300, keyframes: 0, keyframeTexts: 60, clipTexts: 40, container: 100 },
      guided: { width: 128, height: 80, fps: 4, crf: 52, encoder: 'libsvtav1 preset 6', targetBytes: 1530, guideBytes: 1300 },
    };
    transport.encodes = [guided, { ...guided, id: 3, params: { ...guided.params!, mode: 'interpolation', targetKbps: undefined }, guided: null }];
    await openEncodePanel(transport);
    const row = within(await screen.findByRole('row', { name: 'Encode 4' }));
    choose(row.getByRole('combobox', { name: 'Restoration' }), 'Realism');
    const again = row.getByRole('button', { name: 'Decode encode 4 again' });
    expect(again.textContent).toBe('Decode again');
    fireEvent.click(again);
    await waitFor(() => expect(transport.callsOf('startDecode')).toEqual([{ encodeId: 4, realism: 1 }]));
    // A decoded non-guided encode offers no second decode and no restoration choice.
    expect(screen.getAllByRole('combobox', { name: 'Restoration' })).toHaveLength(1);
    expect(screen.queryByRole('button', { name: 'Decode and compare encode 3' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Decode encode 3 again' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Compare encode 3' })).toBeTruthy();
  });
});
