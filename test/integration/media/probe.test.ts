import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HAS_MEDIA } from '../../helpers/media.ts';
import { probe, runFfmpeg } from '../../../src/main/media/index.ts';
import { M3cError } from '../../../src/shared/engine/errors.ts';
import { BIKES, CARPHONE, makeOddInputs, makeTempDir } from './fixtures.ts';

async function inputError(p: Promise<unknown>): Promise<M3cError> {
  const e = await p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(M3cError);
  const m = e as M3cError;
  expect(m.code).toBe('input');
  expect(m.message).not.toContain('\n');
  return m;
}

describe.skipIf(!HAS_MEDIA)('probe', () => {
  const tmp = makeTempDir();
  let odd: Awaited<ReturnType<typeof makeOddInputs>>;
  beforeAll(async () => {
    odd = await makeOddInputs(tmp.dir);
  });
  afterAll(() => tmp.remove());

  it('reads bikes.mp4', async () => {
    expect(await probe(BIKES)).toEqual({
      width: 640, height: 272, codedWidth: 640, codedHeight: 272, sarNum: 1, sarDen: 1, rotation: 0,
      fpsNum: 25, fpsDen: 1, durationSec: 10, frameCount: 250, frameCountExact: true, codec: 'h264', pixFmt: 'yuv420p',
    });
  });

  it('reads carphone.mp4: odd-sized QCIF at 29.97 fps with non-square pixels', async () => {
    const info = await probe(CARPHONE);
    expect(info).toMatchObject({ width: 176, height: 144, fpsNum: 30000, fpsDen: 1001, frameCount: 120, codec: 'h264', pixFmt: 'yuv420p' });
    expect(info.sarNum / info.sarDen).toBeCloseTo(128 / 117, 6);
    expect(info.durationSec).toBeCloseTo(4.004, 3);
  });

  it('applies rotation metadata to the size', async () => {
    expect(await probe(odd.rotated)).toMatchObject({ width: 144, height: 176, codedWidth: 176, codedHeight: 144, rotation: 90, frameCount: 8 });
    expect(await probe(odd.transposed)).toMatchObject({ width: 144, height: 176, rotation: 0 });
  });

  it('estimates the frame count when the container does not store one', async () => {
    const mkv = path.join(tmp.dir, 'bikes.mkv');
    await runFfmpeg(['-i', BIKES, '-c', 'copy', '-y', mkv]);
    const info = await probe(mkv);
    expect(info.frameCountExact).toBe(false);
    expect(Math.abs(info.frameCount - 250)).toBeLessThanOrEqual(1);
    expect(info.durationSec).toBeCloseTo(10, 1);
  });

  it('refuses what it cannot read, with the input code and one line', async () => {
    const missing = path.join(tmp.dir, 'missing.mp4');
    expect((await inputError(probe(missing))).message).toBe(`cannot read ${missing}: no such file`);
    expect((await inputError(probe(odd.text))).message).toBe(`${odd.text} is not a video ffmpeg can read`);
    expect((await inputError(probe(odd.empty))).message).toBe(`${odd.empty} is not a video ffmpeg can read`);
    expect((await inputError(probe(odd.audio))).message).toBe(`${odd.audio} has no video stream`);
    expect((await inputError(probe(tmp.dir))).message).toBe(`cannot read ${tmp.dir}: it is a directory`);
  });

  it('can be cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(probe(BIKES, ac.signal)).rejects.toMatchObject({ code: 'cancelled' });
  });
});
