// @vitest-environment jsdom
/**
 * Issue 12, point 7, in the renderer: each video on the Projects screen has a crop / pad / stretch choice, a
 * warning in words when its shape differs from the working size's, and a preview of a frame as it will be coded.
 */
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { fitWarning, formatAspect } from '../../../src/renderer/components/SourceFit.tsx';
import { renderStudio, StudioTransportDouble, syntheticSignals } from './studio-test-double.tsx';

const { signals } = syntheticSignals(120, 16, 4, 3);

afterEach(cleanup);

describe('fitWarning', () => {
  it('says what each fit costs a 2.39:1 video at 1.6:1', () => {
    expect(formatAspect(2.39)).toBe('2.39:1');
    expect(formatAspect(1.6)).toBe('1.6:1');
    expect(fitWarning(2.39, 1.6, 'crop')).toBe('This video is 2.39:1, the working size is 1.6:1: cropping drops 33% of the width.');
    expect(fitWarning(2.39, 1.6, 'pad')).toBe('This video is 2.39:1, the working size is 1.6:1: padding adds black bars above and below (33% of the height).');
    expect(fitWarning(2.39, 1.6, 'stretch')).toBe('This video is 2.39:1, the working size is 1.6:1: stretching makes everything 33% narrower than it is.');
  });

  it('speaks of the height and of side bars for a taller video', () => {
    expect(fitWarning(9 / 16, 1.6, 'crop')).toBe('This video is 0.56:1, the working size is 1.6:1: cropping drops 65% of the height.');
    expect(fitWarning(9 / 16, 1.6, 'pad')).toContain('black bars left and right (65% of the width)');
    expect(fitWarning(4 / 3, 1.6, 'stretch')).toContain('stretching makes everything 20% wider than it is');
  });

  it('says nothing within 2% of the working shape, or when the shape is unknown', () => {
    expect(fitWarning(1.6 * 1.019, 1.6, 'crop')).toBeNull();
    expect(fitWarning(1.6 / 1.019, 1.6, 'pad')).toBeNull();
    expect(fitWarning(1.6 * 1.03, 1.6, 'crop')).not.toBeNull();
    expect(fitWarning(0, 1.6, 'crop')).toBeNull();
  });
});

describe('the fit control on the Projects screen', () => {
  async function openProject(transport: StudioTransportDouble): Promise<HTMLElement> {
    renderStudio(transport);
    fireEvent.click(await screen.findByRole('button', { name: 'Open project Bikes' }));
    return screen.findByRole('region', { name: 'Fit of bikes.mp4' });
  }

  it('warns about a 2.39:1 video, previews the crop, and stores a change to pad with its preview and analysis', async () => {
    const transport = new StudioTransportDouble(signals);
    transport.source = { ...transport.source, width: 1920, height: 804, displayAspect: 1920 / 804 };
    const fit = await openProject(transport);
    expect(within(fit).getByRole('status').textContent).toBe('This video is 2.39:1, the working size is 1.6:1: cropping drops 33% of the width.');
    expect(within(fit).getByRole('button', { name: 'Crop bikes.mp4' }).getAttribute('aria-pressed')).toBe('true');
    // Frame 40 of 120: a third in, at the working geometry, with the fit named so no other fit's picture is shown.
    const cropped = within(fit).getByRole('img', { name: 'Frame 40 of bikes.mp4 as it will be coded (cropped)' });
    expect(cropped.getAttribute('src')).toBe('http://studio.test/media/preview/7/40/crop');

    fireEvent.click(within(fit).getByRole('button', { name: 'Pad bikes.mp4' }));
    await waitFor(() => expect(transport.callsOf('setSourceFit')).toEqual([{ sourceId: 7, fit: 'pad' }]));
    await waitFor(() => expect(within(fit).getByRole('button', { name: 'Pad bikes.mp4' }).getAttribute('aria-pressed')).toBe('true'));
    expect(within(fit).getByRole('status').textContent).toContain('padding adds black bars above and below (33% of the height)');
    const padded = within(fit).getByRole('img', { name: 'Frame 40 of bikes.mp4 as it will be coded (padded)' });
    expect(padded.getAttribute('src')).toBe('http://studio.test/media/preview/7/40/pad');
    // The project is read again, and the analysis queued for the new fit shows in the video's line.
    await waitFor(() => expect(transport.callsOf('openProject').length).toBeGreaterThan(1));
    expect(await screen.findByText(/analysing 10 %/)).toBeTruthy();
  });

  it('says nothing and shows no preview for a video of the working shape', async () => {
    const transport = new StudioTransportDouble(signals);
    transport.source = { ...transport.source, width: 1280, height: 800, displayAspect: 1.6 };
    const fit = await openProject(transport);
    expect(within(fit).queryByRole('status')).toBeNull();
    expect(within(fit).queryByRole('img')).toBeNull();
    expect(within(fit).getByRole('button', { name: 'Stretch bikes.mp4' })).toBeTruthy();
  });

  it('keeps the stored fit and says why when the change fails', async () => {
    const transport = new StudioTransportDouble(signals);
    transport.source = { ...transport.source, displayAspect: 2.39 };
    transport.overrides.setSourceFit = () => {
      throw { code: 'input', message: 'source 7 does not exist (it may have been deleted)' };
    };
    const fit = await openProject(transport);
    fireEvent.click(within(fit).getByRole('button', { name: 'Stretch bikes.mp4' }));
    const alert = await within(fit).findByRole('alert');
    expect(alert.textContent).toContain('The fit was not changed');
    expect(alert.textContent).toContain('source 7 does not exist');
    expect(within(fit).getByRole('button', { name: 'Crop bikes.mp4' }).getAttribute('aria-pressed')).toBe('true');
    expect(within(fit).getByRole('status').textContent).toContain('cropping drops');
  });
});
