/**
 * Issue 13, case 2: an uploaded or imported .m3u8 escaped the allowed folders (ffmpeg read the files it
 * lists). Sources are now probed with a demuxer whitelist, refused with one line when they are a playlist
 * or list, and every ffmpeg/ffprobe run on a user source carries `-protocol_whitelist file`.
 * Real ffmpeg and ffprobe; the studio service with its real SQLite store.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrames, locateFfmpeg, probe, runFfmpeg, sourceInputArgs, SOURCE_DEMUXERS } from '../../../src/main/media/index.ts';
import { StudioService } from '../../../src/main/services/studio-service.ts';
import { M3cError } from '../../../src/shared/engine/errors.ts';

function hasFfmpeg(): boolean {
  try {
    locateFfmpeg();
    return true;
  } catch {
    return false;
  }
}

async function refusal(p: Promise<unknown>): Promise<M3cError> {
  const e = await p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(M3cError);
  expect((e as M3cError).code).toBe('input');
  expect((e as M3cError).message).not.toContain('\n');
  return e as M3cError;
}

const hls = (target: string): string => `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:1.0,\n${target}\n#EXT-X-ENDLIST\n`;

describe.skipIf(!hasFfmpeg())('sources: supported containers only, local files only', () => {
  let root: string;
  let outside: string;
  let allowed: string;
  let secret: string;
  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'm3c-sources-'));
    outside = path.join(root, 'outside');
    allowed = path.join(root, 'allowed');
    mkdirSync(outside);
    mkdirSync(allowed);
    secret = path.join(outside, 'secret.mp4');
    await runFfmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=5:duration=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-y', secret]);
    writeFileSync(path.join(allowed, 'evil.m3u8'), hls(secret));
    // The same playlist under a video's name: detection is by content, not by name.
    writeFileSync(path.join(allowed, 'evil.mp4'), hls(secret));
    writeFileSync(path.join(allowed, 'list.ffconcat'), `ffconcat version 1.0\nfile '${secret}'\n`);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('refuses an HLS playlist (by content, whatever its name) and a concat list, with one line', async () => {
    for (const name of ['evil.m3u8', 'evil.mp4']) {
      const file = path.join(allowed, name);
      expect((await refusal(probe(file))).message).toBe(
        `${file} is a hls file: sources must be mp4, mov, m4v, mkv, webm, avi, y4m, ts, raw H.264/H.265 (playlists and concat lists are refused)`,
      );
    }
    expect((await refusal(probe(path.join(allowed, 'list.ffconcat')))).message).toContain('is a concat file: sources must be');
  });

  it('refuses a playlist in decodeFrames too, before ffmpeg reads anything', async () => {
    const frames = decodeFrames(path.join(allowed, 'evil.m3u8'), { width: 64, height: 48, fpsNum: 5, fpsDen: 1 });
    const e = await refusal(frames.next());
    expect(e.message).toContain('is a hls file');
  });

  it('still reads every supported container', async () => {
    const made: Record<string, string[]> = {
      'a.mkv': ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'],
      'a.mov': ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'],
      'a.avi': ['-c:v', 'mpeg4'],
      'a.y4m': ['-pix_fmt', 'yuv420p'],
      'a.ts': ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'],
      'a.h264': ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'],
    };
    for (const [name, args] of Object.entries(made)) {
      const file = path.join(allowed, name);
      await runFfmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=5:duration=1', ...args, '-y', file]);
      const info = await probe(file);
      expect(info.width, name).toBe(64);
      let n = 0;
      for await (const f of decodeFrames(file, { width: 64, height: 48, fpsNum: 5, fpsDen: 1 })) n += f.width === 64 ? 1 : 0;
      expect(n, name).toBeGreaterThanOrEqual(4);
    }
  });

  it('runs ffmpeg and ffprobe with -protocol_whitelist file and the demuxer whitelist on user sources', async () => {
    expect(sourceInputArgs('x.mp4')).toEqual(['-protocol_whitelist', 'file', '-format_whitelist', SOURCE_DEMUXERS.join(','), '-i', path.resolve('x.mp4')]);
    // Wrappers that log their arguments, then run the real binaries.
    const real = locateFfmpeg();
    const bin = path.join(root, 'bin');
    mkdirSync(bin);
    const log = path.join(root, 'args.log');
    for (const [name, target] of [['ffmpeg', real.ffmpeg], ['ffprobe', real.ffprobe]] as const) {
      const wrapper = path.join(bin, name);
      writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\n' "${name} $*" >> '${log}'\nexec '${target}' "$@"\n`);
      chmodSync(wrapper, 0o755);
    }
    const saved = { ffmpeg: process.env.M3C_FFMPEG, ffprobe: process.env.M3C_FFPROBE };
    process.env.M3C_FFMPEG = path.join(bin, 'ffmpeg');
    process.env.M3C_FFPROBE = path.join(bin, 'ffprobe');
    try {
      for await (const f of decodeFrames(secret, { width: 64, height: 48, fpsNum: 5, fpsDen: 1, maxFrames: 2 })) expect(f.width).toBe(64);
    } finally {
      if (saved.ffmpeg === undefined) delete process.env.M3C_FFMPEG;
      else process.env.M3C_FFMPEG = saved.ffmpeg;
      if (saved.ffprobe === undefined) delete process.env.M3C_FFPROBE;
      else process.env.M3C_FFPROBE = saved.ffprobe;
    }
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines.some((l) => l.startsWith('ffprobe '))).toBe(true);
    expect(lines.some((l) => l.startsWith('ffmpeg '))).toBe(true);
    for (const line of lines) {
      expect(line).toContain(`-protocol_whitelist file -format_whitelist ${SOURCE_DEMUXERS.join(',')}`);
      expect(line.indexOf('-protocol_whitelist')).toBeLessThan(line.indexOf(secret));
    }
  });

  describe('through the studio service', () => {
    let service: StudioService;
    let projectsDir: string;
    let projectId: number;
    beforeAll(async () => {
      projectsDir = path.join(root, 'projects');
      service = new StudioService({ projectsDir, mode: 'web', importRoots: [allowed] });
      projectId = (await service.createProject({ name: 'hostile' })).id;
    });
    afterAll(async () => {
      await service?.close();
    });

    it('refuses to import an allowed-folder .m3u8 that lists a video outside it, naming only the file', async () => {
      const e = await refusal(service.call('importSource', { projectId, path: path.join(allowed, 'evil.m3u8') }));
      expect(e.message).toBe('evil.m3u8 is a hls file: sources must be mp4, mov, m4v, mkv, webm, avi, y4m, ts, raw H.264/H.265 (playlists and concat lists are refused)');
      expect((await service.openProject({ projectId })).sources).toEqual([]);
    });

    it('refuses an uploaded playlist and keeps no copy of it', async () => {
      async function* body(): AsyncGenerator<Uint8Array> {
        yield new TextEncoder().encode(hls(secret));
      }
      const e = await refusal(service.importUpload(projectId, 'clip.mp4', body()));
      expect(e.message).toBe('clip.mp4 is a hls file: sources must be mp4, mov, m4v, mkv, webm, avi, y4m, ts, raw H.264/H.265 (playlists and concat lists are refused)');
      expect(e.message).not.toContain(projectsDir);
      const sources = path.join(projectsDir, 'projects', String(projectId), 'sources');
      expect(existsSync(sources) ? readdirSync(sources) : []).toEqual([]);
      expect((await service.openProject({ projectId })).sources).toEqual([]);
    });

    it('imports a real video from the allowed folder as before', async () => {
      const ok = path.join(allowed, 'ok.mp4');
      await runFfmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=5:duration=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-y', ok]);
      const { source } = await service.importSource({ projectId, path: ok, analyze: false });
      expect(source.width).toBe(64);
    });
  });
});
