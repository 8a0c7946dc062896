// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAVE_DELAY_MS } from '../../../src/renderer/hooks/useTimeline.ts';
import { renderStudio, StudioTransportDouble, syntheticSignals } from './studio-test-double.tsx';

/**
 * One studio on a 5-minute video (2,400 frames at 8 fps) with analysis-sized signals (1512-dim embeddings,
 * 32x20 flow grid); the tests run in order on it like a user session.
 */
describe('timeline screen on a 2,400-frame video', () => {
  const transport = new StudioTransportDouble(syntheticSignals(2400, 1512, 32, 20).signals);

  beforeAll(async () => {
    renderStudio(transport);
    fireEvent.click(await screen.findByRole('button', { name: 'Open project Bikes' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Open video bikes.mp4' }));
    await screen.findByLabelText('Keyframe count', {}, { timeout: 20_000 });
  }, 60_000);
  afterAll(cleanup);

  const count = (): number => Number(screen.getByLabelText('Keyframe count').textContent);
  const markers = (kind?: string): Element[] =>
    [...screen.getByRole('img', { name: 'Keyframe markers' }).querySelectorAll(kind ? `[data-marker="${kind}"]` : '[data-marker]')];
  const threshold = (): HTMLElement => screen.getByRole('slider', { name: 'Threshold D_th' });
  const thresholdField = (): HTMLElement => screen.getByRole('textbox', { name: 'Threshold D_th value' });

  it('fetches the signals once and shows the selection with its markers and bitrate', () => {
    expect(transport.callsOf('getSignals')).toHaveLength(1);
    expect(count()).toBeGreaterThan(10);
    expect(markers()).toHaveLength(count());
    expect(screen.getByLabelText('Estimated bitrate').textContent).toMatch(/kbps$/);
  });

  it('moving the threshold re-selects in the renderer and updates count, markers and bitrate', () => {
    const before = count();
    const rateBefore = screen.getByLabelText('Estimated bitrate').textContent;
    // Typed in the number field beside the slider.
    fireEvent.change(thresholdField(), { target: { value: '4' } });
    expect(count()).toBeLessThan(before);
    expect(threshold().getAttribute('aria-valuenow')).toBe('4');
    expect(markers()).toHaveLength(count());
    expect(screen.getByLabelText('Estimated bitrate').textContent).not.toBe(rateBefore);
    fireEvent.change(thresholdField(), { target: { value: '0.4' } });
    expect(count()).toBe(before);
    // Re-selection needs no call to main; only the (debounced) save goes there.
    expect(transport.callsOf('getSignals')).toHaveLength(1);
  });

  it('measures slider-to-markers latency', () => {
    // Elements are looked up before timing: Testing Library's role queries are slow on a large jsdom tree.
    const slider = threshold();
    const track = screen.getByRole('img', { name: 'Keyframe markers' });
    const times: number[] = [];
    const seen = new Set<number>();
    // The slider's own values are rungs of its ladder (0.01 apart up to 1, then 0.05): 0.5, 0.8, 1.2, 2, 3, ...
    for (const rung of [50, 80, 104, 120, 140, 110, 60, 45, 130, 40]) {
      const t0 = performance.now();
      fireEvent.change(slider, { target: { value: String(rung) } });
      const n = track.querySelectorAll('[data-marker]').length;
      times.push(performance.now() - t0);
      seen.add(n);
    }
    times.sort((a, b) => a - b);
    console.log(
      `slider -> markers in the DOM (jsdom, 2400 frames): median ${times[5].toFixed(1)} ms, max ${times[9].toFixed(1)} ms over ${times.length} moves`,
    );
    expect(seen.size).toBeGreaterThan(1);
  });

  it('the threshold slider steps on a ladder: 0.01 up to 1, 0.05 above, and a bad typed value is refused', () => {
    const slider = threshold();
    fireEvent.change(slider, { target: { value: '41' } });
    expect(slider.getAttribute('aria-valuenow')).toBe('0.41');
    expect((thresholdField() as HTMLInputElement).value).toBe('0.41');
    fireEvent.change(slider, { target: { value: '101' } });
    expect(slider.getAttribute('aria-valuenow')).toBe('1.05');
    const before = count();
    fireEvent.change(thresholdField(), { target: { value: '7' } });
    expect(thresholdField().getAttribute('aria-invalid')).toBe('true');
    expect(count()).toBe(before);
    expect(slider.getAttribute('aria-valuenow')).toBe('1.05');
    // A typed value between rungs is kept exactly; the thumb sits on the nearest rung.
    fireEvent.change(thresholdField(), { target: { value: '0.437' } });
    expect(slider.getAttribute('aria-valuenow')).toBe('0.44');
    fireEvent.change(thresholdField(), { target: { value: '0.4' } });
    fireEvent.blur(thresholdField());
  });

  it('the strategy and the other controls also change the count', () => {
    const before = count();
    fireEvent.click(screen.getByRole('button', { name: 'Strategy: Fixed interval' }));
    expect(count()).toBe(Math.ceil(2400 / 16));
    fireEvent.change(screen.getByRole('slider', { name: 'Fixed interval (frames)' }), { target: { value: '100' } });
    expect(count()).toBe(24);
    fireEvent.click(screen.getByRole('button', { name: 'Strategy: Motion + semantic' }));
    expect(count()).toBe(before);
  });

  it('mounts only the visible thumbnails of the filmstrip', () => {
    const options = within(screen.getByRole('listbox', { name: 'Filmstrip' })).getAllByRole('option');
    // 960 px viewport / 96 px thumbnails = 10, plus 3 of overscan on the right.
    expect(options.length).toBeLessThanOrEqual(16);
    expect(options[0].getAttribute('data-frame')).toBe('0');
    expect(options[0].querySelector('img')?.getAttribute('src')).toBe('http://studio.test/media/thumb/7/0/crop');
  });

  it('steps through frames with the keyboard, moving the preview and the window of thumbnails', () => {
    const strip = screen.getByRole('listbox', { name: 'Filmstrip' });
    strip.focus();
    for (let i = 0; i < 3; i++) fireEvent.keyDown(strip, { key: 'ArrowRight' });
    expect(strip.getAttribute('aria-activedescendant')).toBe('frame-option-3');
    expect(screen.getByRole('img', { name: 'Preview of frame 3' }).getAttribute('src')).toBe('http://studio.test/media/preview/7/3/crop');
    fireEvent.keyDown(strip, { key: 'ArrowLeft', shiftKey: true });
    expect(strip.getAttribute('aria-activedescendant')).toBe('frame-option-0');
    fireEvent.keyDown(strip, { key: 'ArrowRight', ctrlKey: true });
    const firstCut = Number(markers()[1].getAttribute('data-frame'));
    expect(strip.getAttribute('aria-activedescendant')).toBe(`frame-option-${firstCut}`);
    fireEvent.keyDown(strip, { key: 'End' });
    const options = within(strip).getAllByRole('option');
    expect(options.at(-1)?.getAttribute('data-frame')).toBe('2399');
    expect(options.length).toBeLessThanOrEqual(16);
    expect(screen.getByLabelText('Current frame').textContent).toMatch(/^Frame 2399 of 2399/);
  });

  it('plays backward with J (faster when pressed again), stops on Space, and Play switches to the video player', async () => {
    const strip = screen.getByRole('listbox', { name: 'Filmstrip' });
    const frameNow = (): number => Number(/^Frame (\d+)/.exec(screen.getByLabelText('Current frame').textContent ?? '')![1]);
    expect(frameNow()).toBe(2399);
    fireEvent.keyDown(strip, { key: 'j' });
    fireEvent.keyDown(strip, { key: 'j' });
    // 2x at 8 fps: a frame every 62.5 ms.
    await waitFor(() => expect(frameNow()).toBeLessThan(2394), { timeout: 3000 });
    expect(screen.getByRole('button', { name: 'Pause' })).toBeTruthy();
    fireEvent.keyDown(document.body, { key: ' ' });
    const stopped = frameNow();
    await new Promise((r) => setTimeout(r, 300));
    expect(frameNow()).toBe(stopped);
    expect(screen.getByRole('button', { name: 'Play' })).toBeTruthy();
    // Space in a text field types a space: no playback.
    fireEvent.keyDown(screen.getByRole('textbox', { name: 'Threshold D_th value' }), { key: ' ' });
    expect(screen.getByRole('button', { name: 'Play' })).toBeTruthy();
    // Forward play runs the source's proxy video from the current frame; a step by hand stops it.
    fireEvent.click(screen.getByRole('button', { name: 'Play' }));
    const video = screen.getByLabelText('Playback of bikes.mp4') as HTMLVideoElement;
    expect(video.getAttribute('src')).toBe('http://studio.test/media/original/7/crop');
    expect(screen.queryByRole('img', { name: /^Preview of frame/ })).toBeNull();
    fireEvent.keyDown(strip, { key: 'End' });
    expect(screen.getByRole('button', { name: 'Play' })).toBeTruthy();
    expect(screen.getByRole('img', { name: 'Preview of frame 2399' })).toBeTruthy();
  });

  it('adds a keyframe by hand with K, marks it, and saves the override', async () => {
    const strip = screen.getByRole('listbox', { name: 'Filmstrip' });
    const before = count();
    transport.calls.length = 0;
    fireEvent.keyDown(strip, { key: 'k' });
    expect(count()).toBe(before + 1);
    expect(markers('added').map((m) => m.getAttribute('data-frame'))).toEqual(['2399']);
    expect(within(strip).getByRole('option', { name: 'Frame 2399, keyframe added by hand' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Remove keyframe at current frame' })).toBeTruthy();
    await waitFor(() => expect(transport.callsOf('saveSelection')).toHaveLength(1), { timeout: SAVE_DELAY_MS + 2000 });
    const saved = transport.callsOf('saveSelection')[0] as { sourceId: number; params: { overrides: unknown } };
    expect(saved.sourceId).toBe(7);
    expect(saved.params.overrides).toEqual({ add: [2399], remove: [] });
    await screen.findByText('Selection saved');

    // Removing an automatic keyframe is an override too, shown as a removed marker.
    fireEvent.click(screen.getByRole('button', { name: 'Previous keyframe' }));
    fireEvent.click(screen.getByRole('button', { name: 'Previous keyframe' }));
    const removed = Number(strip.getAttribute('aria-activedescendant')?.replace('frame-option-', ''));
    fireEvent.click(screen.getByRole('button', { name: 'Remove keyframe at current frame' }));
    expect(markers('auto').map((m) => Number(m.getAttribute('data-frame')))).not.toContain(removed);
    expect(markers('removed').map((m) => Number(m.getAttribute('data-frame')))).toEqual([removed]);
    fireEvent.click(screen.getByRole('button', { name: 'Clear override at current frame' }));
    expect(markers('removed')).toHaveLength(0);
    await act(async () => {
      await new Promise((r) => setTimeout(r, SAVE_DELAY_MS + 50));
    });
  });

  it('removing the keyframe at a cut says where the selection moved it, with Undo', () => {
    const strip = screen.getByRole('listbox', { name: 'Filmstrip' });
    fireEvent.keyDown(strip, { key: 'Home' });
    fireEvent.keyDown(strip, { key: 'ArrowRight', ctrlKey: true });
    const cut = Number(strip.getAttribute('aria-activedescendant')?.replace('frame-option-', ''));
    const before = markers('auto').map((m) => Number(m.getAttribute('data-frame')));
    fireEvent.keyDown(strip, { key: 'k' });
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toMatch(new RegExp(`^Without a keyframe at frame ${cut} the selection starts a clip at frame ${cut + 1} instead`));
    fireEvent.click(within(alert).getByRole('button', { name: 'Undo' }));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(markers('auto').map((m) => Number(m.getAttribute('data-frame')))).toEqual(before);
    expect(markers('removed')).toHaveLength(0);
  });
});
