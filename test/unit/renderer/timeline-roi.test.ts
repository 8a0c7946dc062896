// @vitest-environment jsdom
/**
 * Issue 14 on the Timeline's frame view: a box is drawn by dragging on a keyframe, moved and resized by
 * dragging, its weight and label set in the fields, deleted with the Delete key or the button; LMM regions are
 * drawn dashed with the "LMM" label and editing one sends it as a hand region. Main is the transport double.
 */
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { renderStudio, StudioTransportDouble, syntheticSignals } from './studio-test-double.tsx';

const { signals } = syntheticSignals(200, 16, 4, 3);

async function openVideo(transport: StudioTransportDouble): Promise<HTMLElement> {
  renderStudio(transport);
  fireEvent.click(await screen.findByRole('button', { name: 'Open project Bikes' }));
  fireEvent.click(await screen.findByRole('button', { name: 'Open video bikes.mp4' }));
  await screen.findByLabelText('Keyframe count');
  const area = await screen.findByRole('application', { name: /Regions on frame 0/ });
  // jsdom lays nothing out: the frame view is 200 x 100 px at the page's origin.
  area.getBoundingClientRect = () => ({ left: 0, top: 0, width: 200, height: 100, right: 200, bottom: 100, x: 0, y: 0, toJSON: () => ({}) }) as DOMRect;
  return area;
}

const drag = (from: Element, to: Element, [x0, y0]: [number, number], [x1, y1]: [number, number]) => {
  fireEvent.pointerDown(from, { clientX: x0, clientY: y0, button: 0, pointerId: 1 });
  fireEvent.pointerMove(to, { clientX: x1, clientY: y1, pointerId: 1 });
  fireEvent.pointerUp(to, { clientX: x1, clientY: y1, pointerId: 1 });
};

const near = (a: readonly number[], b: readonly number[]) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 6));

afterEach(cleanup);

describe('regions on the timeline frame view', () => {
  it('draws, moves, resizes, edits and deletes a box on a keyframe', async () => {
    const transport = new StudioTransportDouble(signals);
    const area = await openVideo(transport);

    drag(area, area, [20, 10], [80, 60]);
    await waitFor(() => expect(transport.callsOf('addRegion')).toHaveLength(1));
    const added = transport.callsOf('addRegion')[0] as { region: { frames: number[]; box: number[] }; track: boolean };
    expect(added.track).toBe(true);
    expect(added.region.frames).toEqual([0, 0]);
    near(added.region.box, [0.1, 0.1, 0.3, 0.5]);
    const box = await screen.findByRole('button', { name: 'Region region, weight 1' });

    // A drag on the box moves it (on its first frame: main re-tracks it).
    drag(box, area, [40, 30], [60, 40]);
    await waitFor(() => expect(transport.callsOf('updateRegion')).toHaveLength(1));
    const moved = transport.callsOf('updateRegion')[0] as { regionId: number; region: { box: number[] }; track: boolean };
    expect(moved.track).toBe(true);
    near(moved.region.box, [0.2, 0.2, 0.3, 0.5]);

    // The corner handle resizes it.
    drag(await screen.findByRole('button', { name: 'Resize region region' }), area, [100, 70], [120, 80]);
    await waitFor(() => expect(transport.callsOf('updateRegion')).toHaveLength(2));
    near((transport.callsOf('updateRegion')[1] as { region: { box: number[] } }).region.box, [0.2, 0.2, 0.4, 0.6]);

    // Weight and label fields of the selected box.
    const weight = await screen.findByRole('spinbutton', { name: 'Region weight' });
    fireEvent.change(weight, { target: { value: '3' } });
    fireEvent.blur(weight);
    await waitFor(() => expect(transport.callsOf('updateRegion')).toHaveLength(3));
    expect(transport.callsOf('updateRegion')[2]).toMatchObject({ region: { weight: 3, label: '' }, track: false });
    const label = screen.getByRole('textbox', { name: 'Region label' });
    fireEvent.change(label, { target: { value: 'rider' } });
    fireEvent.blur(label);
    await waitFor(() => expect(transport.callsOf('updateRegion')).toHaveLength(4));
    await screen.findByRole('button', { name: 'Region rider, weight 3' });

    // Delete key on the frame view deletes the selected box (its whole track).
    fireEvent.keyDown(area, { key: 'Delete' });
    await waitFor(() => expect(transport.callsOf('deleteRegion')).toEqual([{ regionId: 1, wholeTrack: true }]));
    await waitFor(() => expect(screen.queryByRole('button', { name: /^Region rider/ })).toBeNull());

    // A drag too small to be a box draws nothing.
    drag(area, area, [20, 10], [22, 12]);
    await act(async () => {});
    expect(transport.callsOf('addRegion')).toHaveLength(1);
  });

  it('shows boxes at every frame they cover, LMM regions dashed, and deletes with the button', async () => {
    const transport = new StudioTransportDouble(signals);
    transport.regions = [
      { id: 5, sourceId: 7, track: 'a', frames: [0, 3], box: [0.5, 0.5, 0.25, 0.25], weight: 2, label: 'ball', source: 'lmm' },
      { id: 6, sourceId: 7, track: 'b', frames: [1, 1], box: [0, 0, 0.25, 0.25], weight: 1, label: 'later', source: 'hand' },
    ];
    await openVideo(transport);
    const lmm = await screen.findByRole('button', { name: 'Region LMM: ball, weight 2' });
    expect(lmm.getAttribute('data-region-source')).toBe('lmm');
    expect(screen.queryByRole('button', { name: /Region later/ })).toBeNull();

    // Step to frame 1 (not a keyframe): both boxes are drawn, and nothing can be drawn.
    fireEvent.click(screen.getByRole('button', { name: 'Next frame' }));
    const area1 = await screen.findByRole('application', { name: 'Regions on frame 1' });
    expect(area1).toBeTruthy();
    await screen.findByRole('button', { name: /Region later/ });
    expect(screen.queryByRole('button', { name: /^Resize region/ })).toBeNull();

    // Back on the keyframe, editing the LMM box's label sends it as a hand region.
    fireEvent.click(screen.getByRole('button', { name: 'Previous frame' }));
    const box = await screen.findByRole('button', { name: 'Region LMM: ball, weight 2' });
    fireEvent.pointerDown(box, { clientX: 0, clientY: 0, button: 0, pointerId: 1 });
    fireEvent.pointerUp(box, { pointerId: 1 });
    fireEvent.blur(await screen.findByRole('textbox', { name: 'Region label' }));
    await waitFor(() => expect(transport.callsOf('updateRegion')).toHaveLength(1));
    await screen.findByRole('button', { name: 'Region ball, weight 2' });

    fireEvent.click(screen.getByRole('button', { name: 'Delete region' }));
    await waitFor(() => expect(transport.callsOf('deleteRegion')).toEqual([{ regionId: 5, wholeTrack: true }]));
  });
});
