// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { EncodeInfo, ExportFilesResult } from '../../../src/shared/api/contract.ts';
import { job, renderStudio, StudioTransportDouble, syntheticSignals } from './studio-test-double.tsx';

const { signals } = syntheticSignals(200, 16, 4, 3);
const GEOMETRY = { width: 512, height: 320, fpsNum: 8, fpsDen: 1 };
const PARAMS = { selection: { strategy: 'fixed', lambda1: 5, lambda2: 1, threshold: 0.4, fixedInterval: 50 }, mode: 'interpolation', keyframeBudgetBytes: null, geometry: GEOMETRY } as const;

function encode(id: number, partial: Partial<EncodeInfo> = {}): EncodeInfo {
  return {
    id, projectId: 1, sourceId: 7, status: 'done', bytes: 2048, bpp: 0.0002, kbps: 0.65, frameCount: 200, keyframes: [0, 50, 120], psnr: null, msssim: null,
    params: PARAMS, startedAt: id, finishedAt: id + 1, error: null, hasReconstruction: false,
    sections: { keyframes: 1800, keyframeTexts: 30, clipTexts: 40, container: 178 }, ...partial,
  };
}

async function openJobs(transport: StudioTransportDouble): Promise<void> {
  renderStudio(transport);
  fireEvent.click(await screen.findByRole('button', { name: 'Open project Bikes' }));
  fireEvent.click(await screen.findByRole('button', { name: 'Open video bikes.mp4' }));
  await screen.findByLabelText('Keyframe count');
  fireEvent.click(screen.getByRole('tab', { name: 'Jobs & exports' }));
  await screen.findByRole('region', { name: 'Encode library' });
}

const rowNames = (): string[] => within(screen.getByRole('table', { name: 'Encodes' })).getAllByRole('row').slice(1).map((r) => r.getAttribute('aria-label') ?? '');

afterEach(cleanup);

describe('the library of encodes', () => {
  it('"Re-encode with these texts" starts a retext job; the new encode sits beside the old, same keyframes, other text bits', async () => {
    const transport = new StudioTransportDouble(signals);
    transport.encodes = [encode(4), encode(3)];
    transport.overrides.reencodeTexts = () => job({ id: 'r1', kind: 'retext', state: 'queued' });
    await openJobs(transport);
    fireEvent.click(screen.getByRole('button', { name: 'Re-encode encode 4 with these texts' }));
    await waitFor(() => expect(transport.callsOf('reencodeTexts')).toEqual([{ encodeId: 4 }]));
    expect((await screen.findByText(/Re-encoding encode 4 with the current texts/)).getAttribute('role')).toBe('status');
    expect(screen.getByRole('listitem', { name: 'Re-encode texts job r1' })).toBeTruthy();

    // Main lists the newest first; the library shows the re-encode right below the encode it came from.
    transport.encodes = [encode(5, { bytes: 2101, params: { ...PARAMS, reencodedFrom: 4 }, sections: { keyframes: 1800, keyframeTexts: 71, clipTexts: 52, container: 178 } }), encode(4), encode(3)];
    act(() => transport.emit({ type: 'encodes-changed', projectId: 1 }));
    await screen.findByRole('row', { name: 'Encode 5' });
    expect(rowNames()).toEqual(['Encode 4', 'Encode 5', 'Encode 3']);
    const row = within(screen.getByRole('row', { name: 'Encode 5' }));
    expect(row.getByText(/texts re-encoded from encode 4/)).toBeTruthy();
    expect(row.getByLabelText('Text bits of encode 5').textContent).toBe(`${(71 + 52) * 8} bits`);
    expect(within(screen.getByRole('row', { name: 'Encode 4' })).getByLabelText('Text bits of encode 4').textContent).toBe(`${70 * 8} bits`);
    expect(row.getAllByRole('cell')[7].textContent).toBe('3');
  });

  it('says why a re-encode with texts was refused, on the row', async () => {
    const transport = new StudioTransportDouble(signals);
    transport.encodes = [encode(4)];
    transport.overrides.reencodeTexts = () => {
      throw { code: 'usage', message: 'the keyframes, the working size or the fit changed since encode 4, so more than its texts would change: encode the video again instead' };
    };
    await openJobs(transport);
    fireEvent.click(screen.getByRole('button', { name: 'Re-encode encode 4 with these texts' }));
    const alert = await within(screen.getByRole('row', { name: 'Encode 4' })).findByRole('alert');
    expect(alert.textContent).toContain('Could not re-encode encode 4 with these texts');
    expect(alert.textContent).toContain('encode the video again instead');
  });

  it('web: "Export .m3c and mp4" decodes first, then offers both files by name and where the project keeps them', async () => {
    const transport = new StudioTransportDouble(signals);
    transport.encodes = [encode(5)];
    const files = [
      { format: 'm3c', fileName: 'bikes-encode-5.m3c', ref: 'download/5/m3c', place: "in this project's encodes folder as source-7-abc.m3c" },
      { format: 'mp4', fileName: 'bikes-encode-5.recon.mp4', ref: 'download/5/mp4', place: "in this project's encodes folder as encode-5.recon.mp4" },
    ] as const;
    const decode = job({ id: 'd5', kind: 'decode', encodeId: 5, state: 'queued' });
    transport.overrides.exportEncodeFiles = (): ExportFilesResult => ({ kind: 'decoding', job: decode, folder: null, files: [...files] });
    await openJobs(transport);
    fireEvent.click(screen.getByRole('button', { name: 'Export .m3c and mp4 of encode 5' }));
    await waitFor(() => expect(transport.callsOf('exportEncodeFiles')).toEqual([{ encodeId: 5 }]));
    expect((await screen.findByLabelText('Export of encode 5')).textContent).toMatch(/^Decoding encode 5 first/);
    expect(screen.getByRole('listitem', { name: 'Decode job d5' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Download bikes-encode-5.m3c' })).toBeNull();

    act(() => transport.emit({ type: 'job-finished', job: { ...decode, state: 'done', finishedAt: 9 } }));
    const m3c = await screen.findByRole('link', { name: 'Download bikes-encode-5.m3c' });
    expect(m3c.getAttribute('href')).toBe('http://studio.test/media/download/5/m3c');
    expect(m3c.getAttribute('download')).toBe('bikes-encode-5.m3c');
    const mp4 = screen.getByRole('link', { name: 'Download bikes-encode-5.recon.mp4' });
    expect(mp4.getAttribute('href')).toBe('http://studio.test/media/download/5/mp4');
    const panel = within(screen.getByRole('region', { name: 'Downloads of encode 5' }));
    expect(panel.getByText(/the project keeps it in this project's encodes folder as source-7-abc\.m3c/)).toBeTruthy();
    expect(panel.getByText(/the project keeps it in this project's encodes folder as encode-5\.recon\.mp4/)).toBeTruthy();

    // A decode that fails says so where the export started.
    transport.overrides.exportEncodeFiles = (): ExportFilesResult => ({ kind: 'decoding', job: { ...decode, id: 'd6' }, folder: null, files: [...files] });
    fireEvent.click(screen.getByRole('button', { name: 'Export .m3c and mp4 of encode 5' }));
    await screen.findByText(/^Decoding encode 5 first/);
    act(() => transport.emit({ type: 'job-finished', job: { ...decode, id: 'd6', state: 'failed', error: { code: 'ffmpeg', message: 'ffmpeg stopped' } } }));
    const alert = await within(screen.getByRole('row', { name: 'Encode 5' })).findByRole('alert');
    expect(alert.textContent).toContain('Could not export encode 5');
    expect(alert.textContent).toContain('ffmpeg stopped');
  });

  it('Electron: the export saves both files in the folder chosen once', async () => {
    const transport = new StudioTransportDouble(signals, 'electron');
    transport.encodes = [encode(5, { hasReconstruction: true })];
    transport.overrides.exportEncodeFiles = (): ExportFilesResult => ({ kind: 'saved', folder: '/home/me/exports', paths: ['/home/me/exports/bikes-encode-5.m3c', '/home/me/exports/bikes-encode-5.recon.mp4'] });
    await openJobs(transport);
    fireEvent.click(screen.getByRole('button', { name: 'Export .m3c and mp4 of encode 5' }));
    expect((await screen.findByLabelText('Export of encode 5')).textContent).toBe('Encode 5 exported to /home/me/exports: bikes-encode-5.m3c and bikes-encode-5.recon.mp4.');
  });
});

describe('the job queue', () => {
  it('"Clear finished" removes the finished jobs main forgot and keeps the running ones', async () => {
    const transport = new StudioTransportDouble(signals);
    transport.jobs = [job({ id: 'a1', kind: 'analysis', state: 'done', finishedAt: 5 }), job({ id: 'e2', kind: 'encode', state: 'failed', error: { code: 'ffmpeg', message: 'x' } }), job({ id: 'e3', kind: 'encode' })];
    transport.overrides.clearFinishedJobs = () => {
      setTimeout(() => transport.emit({ type: 'jobs-cleared', jobIds: ['a1', 'e2'] }), 0);
      return { cleared: 2 };
    };
    await openJobs(transport);
    const clear = await screen.findByRole('button', { name: 'Clear finished jobs' });
    expect(clear.textContent).toBe('Clear finished (2)');
    fireEvent.click(clear);
    await waitFor(() => expect(screen.queryByRole('listitem', { name: 'Analysis job a1' })).toBeNull());
    expect(transport.callsOf('clearFinishedJobs')).toEqual([{}]);
    expect(screen.queryByRole('listitem', { name: 'Encode job e2' })).toBeNull();
    expect(screen.getByRole('listitem', { name: 'Encode job e3' })).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Clear finished jobs' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
