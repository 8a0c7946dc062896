import { describe, expect, it } from 'vitest';
import { relevantErrorLine } from '../../../src/main/media/ffmpeg-log.ts';
import { SCALER_FLAGS, assertEvenSize, fitFilters } from '../../../src/main/media/geometry.ts';
import { displaySize, parseRational, type ProbeInfo } from '../../../src/main/media/probe.ts';

const S = `flags=${SCALER_FLAGS}`;

describe('fitFilters', () => {
  it('crop scales to cover the target and cuts the centre', () => {
    // bikes.mp4 640x272 into 512x320: height decides (320/272), width 753 is cut to 512.
    expect(fitFilters({ width: 640, height: 272 }, { width: 512, height: 320 }, 'crop')).toEqual([
      `scale=753:320:${S}`,
      'crop=512:320',
      'setsar=1',
    ]);
    // Landscape into portrait: the sides go.
    expect(fitFilters({ width: 176, height: 144 }, { width: 96, height: 128 }, 'crop')).toEqual([
      `scale=156:128:${S}`,
      'crop=96:128',
      'setsar=1',
    ]);
  });

  it('upscales too, and skips the crop when the aspect already matches', () => {
    expect(fitFilters({ width: 176, height: 144 }, { width: 352, height: 288 }, 'crop')).toEqual([`scale=352:288:${S}`, 'setsar=1']);
  });

  it('pad fits inside and centres black bars', () => {
    expect(fitFilters({ width: 640, height: 272 }, { width: 512, height: 320 }, 'pad')).toEqual([
      `scale=512:218:${S}`,
      'pad=512:320:(ow-iw)/2:(oh-ih)/2:color=black',
      'setsar=1',
    ]);
  });

  it('stretch scales each axis on its own', () => {
    expect(fitFilters({ width: 640, height: 272 }, { width: 512, height: 320 }, 'stretch')).toEqual([`scale=512:320:${S}`, 'setsar=1']);
  });

  it('requires an even working size', () => {
    expect(() => assertEvenSize({ width: 175, height: 144 }, 'working size')).toThrow(/175x144 must be positive even/);
    expect(() => assertEvenSize({ width: 0, height: 144 }, 'working size')).toThrow();
    expect(() => assertEvenSize({ width: 176, height: 144 }, 'working size')).not.toThrow();
  });
});

describe('displaySize', () => {
  const base: ProbeInfo = {
    width: 176, height: 144, codedWidth: 176, codedHeight: 144, sarNum: 128, sarDen: 117, rotation: 0,
    fpsNum: 30000, fpsDen: 1001, durationSec: 4, frameCount: 120, frameCountExact: true, codec: 'h264', pixFmt: 'yuv420p',
  };
  it('applies the sample aspect ratio and the rotation', () => {
    expect(displaySize(base)).toEqual({ width: 193, height: 144 });
    expect(displaySize({ ...base, rotation: 90, width: 144, height: 176 })).toEqual({ width: 144, height: 193 });
    expect(displaySize({ ...base, sarNum: 1, sarDen: 1, rotation: 180 })).toEqual({ width: 176, height: 144 });
  });

  it('parses rationals and refuses the unknown ones', () => {
    expect(parseRational('30000/1001')).toEqual([30000, 1001]);
    expect(parseRational('50/2')).toEqual([25, 1]);
    expect(parseRational('16:15')).toEqual([16, 15]);
    expect(parseRational('0/0')).toBeNull();
    expect(parseRational('0:1')).toBeNull();
    expect(parseRational(undefined)).toBeNull();
  });
});

describe('relevantErrorLine', () => {
  it('skips the generic aftermath and the component prefix', () => {
    expect(
      relevantErrorLine([
        "[AVFilterGraph @ 0x55ace44e1500] No such filter: 'nosuchfilter'",
        'Error reinitializing filters!',
        'Failed to inject frame into filter network: Invalid argument',
        'Error while processing the decoded data for stream #0:0',
        'Conversion failed!',
      ]),
    ).toBe("No such filter: 'nosuchfilter'");
  });

  it('takes the last specific line, and falls back to the last line', () => {
    expect(relevantErrorLine(['[h264 @ 0x1] error while decoding MB 3 4', '/x/out.mp4: No such file or directory'])).toBe(
      '/x/out.mp4: No such file or directory',
    );
    expect(relevantErrorLine(['Conversion failed!'])).toBe('Conversion failed!');
    expect(relevantErrorLine([])).toBeUndefined();
  });
});
