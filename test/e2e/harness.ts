/**
 * Helpers of the end-to-end test: the renderer build, the real `m3c studio --web` as a child process, API calls
 * with the launch token, and the tools that check exported files (ffprobe, `m3c decode`).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { rendererIsFresh } from '../helpers/renderer-build.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'test-artifacts');
export const SCREENSHOTS_DIR = path.join(ARTIFACTS_DIR, 'screenshots');
export const CHROMIUM = '/usr/bin/chromium';

const run = promisify(execFile);

/** Builds dist/renderer when it is missing or older than anything it is built from. */
export async function ensureRendererBuilt(): Promise<'fresh' | 'built'> {
  if (rendererIsFresh()) return 'fresh';
  await run('npx', ['vite', 'build', '--config', 'vite.renderer.config.ts'], { cwd: REPO_ROOT, maxBuffer: 16 << 20 });
  return 'built';
}

/**
 * Slider-to-markers latency probe, run in the page (a string: this project's TypeScript has no DOM
 * library). Takes the time of a key event on the threshold slider, captured before MUI sees it, to
 * the first mutation inside the marker track (the new markers are in the DOM) and to the animation
 * frame after it (the browser is about to paint them); pushes both to window.__lat. It watches the
 * whole page, since the track element may be replaced by a re-render after the probe is installed.
 */
export const LATENCY_PROBE = `(() => {
  window.__lat = [];
  window.__t0 = null;
  document.addEventListener('keydown', (e) => {
    if (e.target && e.target.getAttribute && e.target.getAttribute('aria-label') === 'Threshold D_th') window.__t0 = performance.now();
  }, true);
  // Watches the whole page and keeps the mutations inside the marker track: the track element itself
  // may be replaced by a re-render after the probe is installed.
  new MutationObserver((records) => {
    if (window.__t0 === null) return;
    const inTrack = records.some((r) => {
      const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      return el && el.closest && el.closest('svg[aria-label="Keyframe markers"]');
    });
    if (!inTrack) return;
    const t0 = window.__t0;
    window.__t0 = null;
    const dom = performance.now() - t0;
    requestAnimationFrame(() => window.__lat.push({ dom, frame: performance.now() - t0 }));
  }).observe(document.body, { childList: true, subtree: true, attributes: true });
})()`;

export interface StudioProcess {
  readonly url: string;
  readonly origin: string;
  readonly token: string;
  readonly child: ChildProcess;
  /** Everything the process wrote, for failure messages. */
  log(): string;
  /** Calls the StudioApi as the renderer does (POST /api/<method> with the token header). */
  api<T>(method: string, params?: Record<string, unknown>): Promise<T>;
  /** Kills the process (SIGTERM: no graceful close, the store must already hold everything) and waits for its exit. */
  kill(): Promise<void>;
}

/** Starts `node bin/m3c.js studio --web --port 0` and resolves once it printed its URL. */
export async function startStudio(projectsDir: string, allow: readonly string[]): Promise<StudioProcess> {
  const args = ['bin/m3c.js', 'studio', '--web', '--port', '0', '--projects', projectsDir, ...allow.flatMap((d) => ['--allow', d])];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (output += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (output += s));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`m3c studio printed no URL within 60 s:\n${output}`)), 60_000);
    const check = (): void => {
      const m = /open: (http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`m3c studio exited (${code}) before printing its URL:\n${output}`));
    });
  });
  const parsed = new URL(url);
  const token = parsed.searchParams.get('token')!;
  return {
    url,
    origin: parsed.origin,
    token,
    child,
    log: () => output,
    async api<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
      const res = await fetch(`${parsed.origin}/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-m3c-token': token },
        body: JSON.stringify(params),
      });
      const body = (await res.json()) as unknown;
      if (!res.ok) throw new Error(`${method} failed: ${JSON.stringify(body)}`);
      return body as T;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface VideoProbe {
  readonly codec: string;
  readonly frames: number;
  readonly width: number;
  readonly height: number;
}

/** ffprobe's view of the first video stream, with frames counted by decoding them. */
export async function probeVideo(file: string): Promise<VideoProbe> {
  const { stdout } = await run('ffprobe', [
    '-v', 'error', '-select_streams', 'v:0', '-count_frames',
    '-show_entries', 'stream=codec_name,nb_read_frames,width,height', '-of', 'json', file,
  ]);
  const s = (JSON.parse(stdout) as { streams: { codec_name: string; nb_read_frames: string; width: number; height: number }[] }).streams[0];
  if (!s) throw new Error(`${file} has no video stream`);
  return { codec: s.codec_name, frames: Number(s.nb_read_frames), width: s.width, height: s.height };
}

/** Decodes a .m3c with the CLI (`m3c decode --json`) and returns its result line. */
export async function decodeWithCli(m3c: string, mp4: string): Promise<{ frames: number; width: number; height: number }> {
  const { stdout } = await run(process.execPath, ['bin/m3c.js', 'decode', m3c, '-o', mp4, '--json'], { cwd: REPO_ROOT, maxBuffer: 16 << 20 });
  const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) throw new Error(`m3c decode printed no JSON:\n${stdout}`);
  return JSON.parse(line) as { frames: number; width: number; height: number };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
