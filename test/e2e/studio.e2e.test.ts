/**
 * End to end: Debian Chromium (playwright-core) drives the real `m3c studio --web` child process over real ffmpeg,
 * SQLite and ONNX Runtime. One project goes through the whole studio: create, shrink the working geometry,
 * import bikes.mp4 by path, analyse, tune keyframes (measuring the slider-to-markers latency), edit a
 * description, encode, decode, cancel a second encode, download the .m3c and the mp4 and check them, then
 * restart the server and find everything again, then draw a region of interest on a keyframe, re-encode with it
 * and find the gain inside it in Compare. Steps run in order and share the browser and the server.
 * Screenshots land in test-artifacts/screenshots/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { mediaPath } from '../helpers/media.ts';
import { OpenAiTestDouble } from '../helpers/openai-test-double.ts';
import {
  CHROMIUM, LATENCY_PROBE, SCREENSHOTS_DIR, decodeWithCli, ensureRendererBuilt, median, probeVideo, startStudio, type StudioProcess,
} from './harness.ts';

const BIKES = mediaPath('video/bikes.mp4');
/** The talking head of the regions step: a box on the face is what regions of interest are for. */
const CARPHONE = mediaPath('video/carphone.mp4');
/** bikes.mp4 at 8 fps: the hard cuts between its shots. */
const CUTS = [10, 24, 44, 60, 77];
const FRAMES = 80;
const PROJECT = 'E2E bikes';
/** Small working geometry: the classical keyframe codec costs seconds per keyframe at 512x320 on 2 cores. */
const WIDTH = 256;
const HEIGHT = 160;
const DESCRIPTION = 'A cyclist in a red jacket rides down a sunny street past parked cars.';
const JOB_TIMEOUT = 240_000;

interface Saved {
  threshold: number;
  keyframeCount: number;
  /** The automatic keyframes at the saved parameters. */
  autoKeyframes: number[];
  addedFrame: number;
  encodeId: number;
  descriptionBits: number;
}

describe.skipIf(!existsSync(CHROMIUM))('studio end to end (Chromium + m3c studio --web)', () => {
  let work: string;
  let projectsDir: string;
  let studio: StudioProcess;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  const saved: Partial<Saved> = {};
  /** The LMM protocol test double the Dialogue step describes against (issue 12, point 4). */
  let lmm: OpenAiTestDouble | undefined;

  const shot = async (name: string): Promise<void> => {
    await page.screenshot({ path: path.join(SCREENSHOTS_DIR, `${name}.png`), fullPage: true });
  };
  const tab = (name: string): Promise<void> => page.getByRole('tab', { name, exact: true }).click();
  const count = (): Locator => page.getByRole('status', { name: 'Keyframe count' });
  const markerFrames = async (kind?: string): Promise<number[]> =>
    page.locator(`svg[aria-label="Keyframe markers"] line[data-marker${kind ? `="${kind}"` : ''}]`).evaluateAll((ls) => ls.map((l) => Number(l.getAttribute('data-frame'))));
  /** Steps the filmstrip to `frame` with the keyboard and waits for the readout to show it. */
  const goToFrame = async (frame: number): Promise<void> => {
    const strip = page.getByRole('listbox', { name: 'Filmstrip' });
    await strip.focus();
    await page.keyboard.press('Home');
    for (let i = 0; i < Math.floor(frame / 10); i++) await page.keyboard.press('Shift+ArrowRight');
    for (let i = 0; i < frame % 10; i++) await page.keyboard.press('ArrowRight');
    await page.getByLabel('Current frame', { exact: true }).filter({ hasText: new RegExp(`^Frame ${frame} of `) }).waitFor();
  };
  /**
   * Watches a job's progress bar until its state reads one of `until` (and, with `minProgress`, the bar has reached
   * it); returns every progress value seen.
   */
  const followJob = async (name: string, until: readonly string[], timeout = JOB_TIMEOUT, minProgress = 0): Promise<{ values: number[]; state: string }> => {
    const bar = page.getByRole('progressbar', { name: `${name} progress` });
    const state = page.getByLabel(`${name} state`, { exact: true });
    const values: number[] = [];
    const end = Date.now() + timeout;
    for (;;) {
      const v = await bar.getAttribute('aria-valuenow', { timeout: 10_000 }).catch(() => null);
      if (v !== null && values[values.length - 1] !== Number(v)) values.push(Number(v));
      const s = (await state.textContent({ timeout: 10_000 }).catch(() => '')) ?? '';
      if (until.includes(s) && (values[values.length - 1] ?? 0) >= minProgress) return { values, state: s };
      if (s === 'failed') throw new Error(`${name} failed: ${await page.getByRole('listitem', { name, exact: true }).textContent()}`);
      if ((s === 'done' || s === 'cancelled') && !until.includes(s)) throw new Error(`${name} ended ${s} while waiting for ${until.join('/')}`);
      if (Date.now() > end) throw new Error(`${name} still ${s} after ${timeout} ms`);
      await page.waitForTimeout(100); // polling cadence of the progress sampler, not a wait for a result
    }
  };

  /** A step of the scenario: later steps are skipped once one fails, and a failure leaves a screenshot behind. */
  let failedStep: string | null = null;
  const step = (name: string, fn: () => Promise<void>, timeout = 120_000): void => {
    it(name, async (ctx) => {
      if (failedStep) ctx.skip(`an earlier step failed: ${failedStep}`);
      try {
        await fn();
      } catch (e) {
        failedStep = name;
        await shot(`failure-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`).catch(() => undefined);
        throw new Error(`${(e as Error).message}\n--- studio output ---\n${studio.log().slice(-4000)}`, { cause: e });
      }
    }, timeout);
  };

  beforeAll(async () => {
    const t0 = Date.now();
    const build = await ensureRendererBuilt();
    console.log(`renderer: ${build} (${Date.now() - t0} ms)`);
    mkdirSync(SCREENSHOTS_DIR, { recursive: true });
    work = mkdtempSync(path.join(os.tmpdir(), 'm3c-e2e-'));
    projectsDir = path.join(work, 'projects');
    mkdirSync(path.join(work, 'downloads'));
    studio = await startStudio(projectsDir, [path.dirname(BIKES)]);
    context = await chromium.launchPersistentContext(path.join(work, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1440, height: 960 },
      acceptDownloads: true,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`${m.text()} (${m.location().url})`);
    });
    await page.goto(studio.url);
  }, 240_000);

  afterAll(async () => {
    await context?.close();
    await studio?.kill();
    await lmm?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  step('shows a keyboard focus ring on buttons and tabs in both themes', async () => {
    /** Tabs forward until an element matching `selector` has keyboard focus; returns its outline. */
    const focusByKeyboard = async (selector: string): Promise<{ style: string; width: number; colour: string }> => {
      await page.locator('body').click({ position: { x: 1, y: 1 } });
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        const found = await page.evaluate((sel) => {
          // Runs in the page; this test file is compiled without the DOM library.
          interface El {
            matches(s: string): boolean;
            parentElement: El | null;
          }
          const g = globalThis as unknown as {
            document: { activeElement: El | null };
            getComputedStyle(e: El): { outlineStyle: string; outlineWidth: string; outlineColor: string };
          };
          const el = g.document.activeElement;
          if (!el || !el.matches(sel) || !el.matches(':focus-visible')) return null;
          const cs = g.getComputedStyle(el);
          return { style: cs.outlineStyle, width: parseFloat(cs.outlineWidth), colour: cs.outlineColor };
        }, selector);
        if (found) return found;
      }
      throw new Error(`no ${selector} took keyboard focus within 40 Tab presses`);
    };
    for (const theme of ['light', 'dark']) {
      for (const selector of ['button', '[role="tab"]']) {
        const ring = await focusByKeyboard(selector);
        expect(ring.style, `${selector} in the ${theme} theme`).not.toBe('none');
        expect(ring.width, `${selector} in the ${theme} theme`).toBeGreaterThanOrEqual(2);
      }
      await page.getByRole('button', { name: 'Dark theme' }).click();
    }
  });

  step('creates a project and sets a small working geometry in Settings', async () => {
    await expect(page.getByRole('tablist', { name: 'Studio sections' }).isVisible()).resolves.toBe(true);
    await page.getByRole('textbox', { name: 'New project name' }).fill(PROJECT);
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('button', { name: `Open project ${PROJECT}` }).waitFor();
    await page.getByRole('region', { name: 'Videos' }).getByText('Working geometry').waitFor();

    await tab('Settings');
    await page.getByRole('textbox', { name: 'Working width' }).fill(String(WIDTH));
    await page.getByRole('textbox', { name: 'Working height' }).fill(String(HEIGHT));
    await page.getByRole('textbox', { name: 'Working frame rate' }).fill('8');
    await page.getByRole('button', { name: 'Apply geometry to the open project' }).click();
    await page.getByRole('status').filter({ hasText: `Applied to ${PROJECT}` }).waitFor();
    await shot('settings');
  });

  step('imports bikes.mp4 by path, shows the analysis progress and then its cuts as keyframes', async () => {
    await tab('Projects');
    await page.getByRole('textbox', { name: 'Video file path' }).fill(BIKES);
    await page.getByRole('button', { name: 'Import video from path' }).click();
    // The import switches to the timeline, where the analysis shows its progress until the keyframes appear.
    await page.getByRole('tab', { name: 'Timeline', selected: true }).waitFor();
    const progress: number[] = [];
    const bar = page.getByRole('progressbar', { name: 'Analysis progress' });
    const end = Date.now() + JOB_TIMEOUT;
    while (!(await count().isVisible())) {
      const v = await bar.getAttribute('aria-valuenow', { timeout: 1000 }).catch(() => null);
      if (v !== null && progress[progress.length - 1] !== Number(v)) progress.push(Number(v));
      if (Date.now() > end) throw new Error(`analysis did not finish:\n${studio.log()}`);
      await page.waitForTimeout(100);
    }
    console.log(`analysis progress seen: ${progress.join(', ')}`);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.some((v) => v > 0 && v < 100)).toBe(true);

    await page.getByLabel('Current frame', { exact: true }).filter({ hasText: `of ${FRAMES - 1}` }).waitFor();
    const frames = await markerFrames('auto');
    console.log(`keyframes at defaults: ${frames.join(', ')}`);
    for (const cut of CUTS) expect(frames).toContain(cut);
    expect(Number(await count().textContent())).toBe(frames.length);
    // The filmstrip says the same for a cut.
    await goToFrame(CUTS[1]!);
    await page.getByRole('option', { name: `Frame ${CUTS[1]}, keyframe`, exact: true }).waitFor();
    await expect(page.getByRole('status', { name: 'Estimated bitrate' }).textContent()).resolves.toMatch(/kbps$/);

    await page.getByText(/^Loading frame \d+…$/).waitFor({ state: 'hidden' });
    await shot('timeline');
  }, JOB_TIMEOUT + 60_000);

  step('re-selects when the threshold moves and measures slider-to-markers latency', async () => {
    const slider = page.getByRole('slider', { name: 'Threshold D_th' });
    const initial = Number(await count().textContent());
    await slider.focus();
    await page.evaluate(LATENCY_PROBE);
    const counts: number[] = [];
    const moves = 12;
    for (let i = 0; i < moves; i++) {
      const before = await count().textContent();
      await page.keyboard.press(i % 2 === 0 ? 'End' : 'Home');
      // Polled from here (the page's CSP forbids the string predicates of waitForFunction); the probe times in-page.
      await expect.poll(() => count().textContent(), { timeout: 10_000 }).not.toBe(before);
      await expect.poll(() => page.evaluate('window.__lat.length'), { timeout: 10_000 }).toBe(i + 1);
      counts.push(Number(await count().textContent()));
    }
    const lat = (await page.evaluate('window.__lat')) as { dom: number; frame: number }[];
    const dom = lat.map((l) => l.dom);
    const frame = lat.map((l) => l.frame);
    const fmt = (xs: number[]): string => `median ${median(xs).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
    console.log(`slider-to-markers latency over ${lat.length} threshold moves (End/Home, ${FRAMES} frames): to the DOM ${fmt(dom)}; to the next frame ${fmt(frame)}`);
    console.log(`keyframe counts: ${counts.join(', ')}`);
    expect(lat.length).toBe(moves);
    expect(new Set(counts).size).toBe(2);
    expect(counts[0]).toBeLessThan(initial);
    expect(counts[1]).toBeGreaterThan(initial);

    // Back to the defaults, then one step up the threshold: a choice that must survive the restart.
    await page.getByRole('button', { name: 'Reset parameters to defaults' }).click();
    await count().filter({ hasText: new RegExp(`^${initial}$`) }).waitFor();
    await slider.focus();
    await page.keyboard.press('PageUp');
    await page.locator('input[aria-label="Threshold D_th"][aria-valuenow="0.5"]').waitFor({ state: 'attached' });
    saved.threshold = 0.5;
  });

  step('at 1024x700 the selection controls are in view beside the timeline', async () => {
    await page.setViewportSize({ width: 1024, height: 700 });
    try {
      await page.mouse.wheel(0, -10_000);
      for (const name of ['Lambda 1 (semantic weight)', 'Lambda 2 (motion weight)', 'Threshold D_th']) {
        const box = (await page.getByRole('slider', { name }).boundingBox())!;
        expect(box.y + box.height, name).toBeLessThanOrEqual(700);
        expect(box.x + box.width, name).toBeLessThanOrEqual(1024);
      }
      await shot('timeline-1024x700');
    } finally {
      await page.setViewportSize({ width: 1440, height: 960 });
    }
  });

  step('plays the timeline with Space from the current frame, and pauses', async () => {
    await goToFrame(0);
    const frameNow = async (): Promise<number> => Number(/^Frame (\d+)/.exec((await page.getByLabel('Current frame', { exact: true }).textContent()) ?? '')![1]);
    await page.keyboard.press('Space');
    await page.getByLabel('Playback state').filter({ hasText: 'Playing 1x' }).waitFor({ timeout: 60_000 });
    await expect.poll(frameNow, { timeout: 20_000 }).toBeGreaterThanOrEqual(4);
    const video = page.getByLabel('Playback of bikes.mp4');
    expect(await video.evaluate((v) => (v as unknown as { paused: boolean }).paused)).toBe(false);
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Play', exact: true }).waitFor();
    const stopped = await frameNow();
    await page.waitForTimeout(500);
    expect(await frameNow()).toBe(stopped);
    await page.getByRole('img', { name: `Preview of frame ${stopped}` }).waitFor();
    console.log(`played frames 0..${stopped} and paused`);
  });

  step('adds a keyframe by hand and keeps it as a marked override', async () => {
    const auto = new Set(await markerFrames('auto'));
    const frame = [34, 35, 36, 33, 37, 32, 38].find((f) => !auto.has(f))!;
    await goToFrame(frame);
    await page.keyboard.press('k');
    await page.getByRole('option', { name: `Frame ${frame}, keyframe added by hand`, exact: true }).waitFor();
    expect(await markerFrames('added')).toEqual([frame]);
    await page.getByText('Selection saved').waitFor();
    saved.addedFrame = frame;
    saved.keyframeCount = Number(await count().textContent());
    saved.autoKeyframes = await markerFrames('auto');
    expect(saved.keyframeCount).toBe(saved.autoKeyframes.length + 1);
  });

  step('edits the description of the added keyframe and shows its size in bits', async () => {
    await tab('Dialogue');
    await page.getByRole('button', { name: 'Keyframe description' }).click();
    await page.getByLabel('Selected item').waitFor();
    const editor = page.getByRole('textbox', { name: 'Description text' });
    await editor.fill(DESCRIPTION);
    await editor.blur();
    await page.getByText(/bits after text coding · edited by hand · saved/).waitFor();
    const size = await page.getByLabel('Description size').textContent();
    const bits = Number(/(\d+) bits/.exec(size ?? '')?.[1]);
    console.log(`edited description: ${bits} bits (${DESCRIPTION.length} characters)`);
    expect(bits).toBeGreaterThan(0);
    expect(bits).toBeLessThan(DESCRIPTION.length * 8);
    saved.descriptionBits = bits;
    await shot('dialogue');
  });

  step('describes a keyframe against the LMM test double: a failure mid-dialogue is shown in the Dialogue, Retry completes', async () => {
    // The server answers two rounds of the keyframe dialogue, then drops every connection until it "recovers".
    const ANSWER = 'Two cyclists ride along a city street.';
    let down = false;
    let answered = 0;
    lmm = await OpenAiTestDouble.start({ models: ['vlm-test'] });
    lmm.respond = () => {
      if (down) return { kind: 'reset' };
      if (++answered === 2) down = true;
      return { kind: 'answer', text: ANSWER };
    };
    await tab('Settings');
    await page.getByRole('textbox', { name: 'LMM endpoint URL' }).fill(lmm.baseUrl);
    await page.getByRole('textbox', { name: 'LMM model' }).fill('vlm-test');
    await page.getByRole('button', { name: 'Save LMM settings' }).click();
    await page.getByRole('alert', { name: 'LMM status' }).filter({ hasText: `Connected to ${lmm.baseUrl}` }).waitFor();

    await tab('Dialogue');
    const keyframeCount = saved.keyframeCount!;
    const first = `Keyframe 1 of ${keyframeCount} · frame 0`;
    await page.getByRole('region', { name: 'Items' }).getByRole('button', { name: new RegExp(`^${first}: `) }).click();
    await page.getByLabel('Selected item').filter({ hasText: new RegExp(`^${first}$`) }).waitFor();
    // The picture the text is about, at the working size.
    const picture = page.getByRole('figure', { name: `Pictures of ${first}` }).getByRole('img', { name: 'Keyframe picture, frame 0' });
    await expect.poll(() => picture.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), { timeout: 30_000 }).toBe(WIDTH);

    const rerun = page.getByRole('button', { name: 'Re-run the dialogue for this item' });
    await expect.poll(() => rerun.isEnabled(), { timeout: 30_000 }).toBe(true);
    await rerun.click();
    // After its retries the client gives up; the alert names the item and the reason in the studio's words.
    const alert = page.getByRole('alert').filter({ hasText: 'The dialogue did not finish' });
    await alert.waitFor({ timeout: 60_000 });
    const text = (await alert.textContent()) ?? '';
    console.log(`dialogue failure shown: ${text}`);
    expect(text).toContain(`Keyframe 1 of ${keyframeCount} failed: the LMM server at ${lmm.baseUrl} dropped the connection`);
    expect(text).toContain('check that the LMM server is running, then retry');
    // Studio words: no CLI flags, no socket error codes.
    expect(text).not.toMatch(/--[a-z]|UND_ERR|ECONN/);
    await page.getByRole('region', { name: 'Items' }).getByRole('button', { name: `${first}: failed` }).waitFor();
    await page.getByRole('alert', { name: 'This item failed' }).waitFor();
    await shot('dialogue-failed');

    // The server is back: Retry runs the same item again and it completes.
    down = false;
    answered = -100;
    await alert.getByRole('button', { name: 'Retry: The dialogue did not finish' }).click();
    await expect.poll(() => page.getByRole('textbox', { name: 'Description text' }).inputValue(), { timeout: 60_000 }).toBe(ANSWER);
    await page.getByRole('region', { name: 'Items' }).getByRole('button', { name: `${first}: described` }).waitFor({ timeout: 30_000 });
    expect(await alert.count()).toBe(0);
    await shot('dialogue-retried');
  }, 180_000);

  step('encodes with visible progress, decodes, and cancels a second encode', async () => {
    await tab('Timeline');
    await page.getByRole('button', { name: 'Encode this video' }).click();
    await page.getByRole('tab', { name: 'Jobs & exports', selected: true }).waitFor();
    const encodeJob = (await page.getByRole('listitem', { name: /^Encode job \S+$/ }).first().getAttribute('aria-label'))!;
    const encode = await followJob(encodeJob, ['done']);
    console.log(`${encodeJob} progress seen: ${encode.values.join(', ')}`);
    expect(encode.values.filter((v) => v > 0 && v < 100).length).toBeGreaterThanOrEqual(2);
    expect(encode.values.some((v, i) => i > 0 && v > encode.values[i - 1]!)).toBe(true);

    const row = page.getByRole('row', { name: /^Encode \d+$/ });
    await row.waitFor();
    const encodeId = Number(/\d+/.exec((await row.getAttribute('aria-label'))!)![0]);
    saved.encodeId = encodeId;

    // "Decode and compare" decodes, then opens Compare on its own.
    await page.getByRole('button', { name: `Decode and compare encode ${encodeId}` }).click();
    await page.getByRole('tab', { name: 'Compare', selected: true }).waitFor({ timeout: JOB_TIMEOUT });
    await page.getByLabel('Compare frame readout').waitFor();
    await tab('Jobs & exports');
    await page.getByRole('link', { name: `Download mp4 of encode ${encodeId}` }).waitFor();

    // A second encode, cancelled while it runs. At 256x160 an encode takes a few seconds, so on a loaded machine
    // it may finish before the click lands: then another one is started (at most three tries).
    const seen = new Set([encodeJob]);
    let cancelled: { values: number[]; state: string } | null = null;
    for (let attempt = 0; attempt < 3 && cancelled?.state !== 'cancelled'; attempt++) {
      await page.getByRole('region', { name: 'Encode', exact: true }).getByRole('button', { name: 'Encode this video' }).click();
      await page.locator('[role="listitem"][aria-label^="Encode job "]').nth(seen.size).waitFor();
      const labels = await page.locator('[role="listitem"][aria-label^="Encode job "]').evaluateAll((ls) => ls.map((l) => l.getAttribute('aria-label')!));
      const job = labels.find((l) => !seen.has(l))!;
      seen.add(job);
      // Cancelled once its pipeline is under way (past the start), so the worker has something to abort.
      const running = await followJob(job, ['running', 'done'], JOB_TIMEOUT, 1);
      if (running.state === 'done') continue;
      console.log(`${job} cancelled at ${running.values[running.values.length - 1]} % (try ${attempt + 1})`);
      await page.getByRole('button', { name: `Cancel ${job}` }).click();
      cancelled = await followJob(job, ['cancelled', 'done'], 60_000);
    }
    expect(cancelled?.state).toBe('cancelled');
    await shot('jobs');
  }, 2 * JOB_TIMEOUT + 120_000);

  step('downloads the .m3c and the mp4; the .m3c decodes and the mp4 plays as H.264', async () => {
    const id = saved.encodeId!;
    const download = async (name: string): Promise<string> => {
      const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name }).click()]);
      const file = path.join(work, 'downloads', dl.suggestedFilename());
      await dl.saveAs(file);
      expect(statSync(file).size).toBeGreaterThan(0);
      return file;
    };
    const m3c = await download(`Download .m3c of encode ${id}`);
    const mp4 = await download(`Download mp4 of encode ${id}`);
    expect(m3c).toMatch(/\.m3c$/);
    expect(mp4).toMatch(/\.mp4$/);

    const exported = await probeVideo(mp4);
    expect(exported).toEqual({ codec: 'h264', frames: FRAMES, width: WIDTH, height: HEIGHT });
    const decoded = await decodeWithCli(m3c, path.join(work, 'downloads', 'cli-decoded.mp4'));
    expect(decoded).toMatchObject({ frames: FRAMES, width: WIDTH, height: HEIGHT });
    expect((await probeVideo(path.join(work, 'downloads', 'cli-decoded.mp4'))).codec).toBe('h264');
    console.log(`downloads: ${path.basename(m3c)} ${statSync(m3c).size} bytes, ${path.basename(mp4)} ${statSync(mp4).size} bytes`);
  }, 180_000);

  step('compares original and reconstruction', async () => {
    await page.getByRole('button', { name: `Compare encode ${saved.encodeId}` }).click();
    await page.getByRole('tab', { name: 'Compare', selected: true }).waitFor();
    await page.getByRole('img', { name: 'PSNR per frame (dB) plot' }).waitFor();
    await page.getByRole('img', { name: 'MS-SSIM per frame plot' }).waitFor();
    // Both players have decoded a frame (HAVE_CURRENT_DATA): the media routes serve the videos under the page's CSP.
    for (const name of ['Original video', 'Reconstructed video']) {
      const video = page.locator(`video[aria-label="${name}"]`);
      await expect.poll(() => video.evaluate((v) => (v as unknown as { readyState: number }).readyState), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    }
    await shot('compare');
    // Keys: → steps both players a frame; Space plays and pauses both.
    const readout = page.getByLabel('Compare frame readout');
    await page.keyboard.press('ArrowRight');
    await readout.filter({ hasText: /^Frame 1 / }).waitFor();
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Pause both videos' }).waitFor();
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Play both videos' }).waitFor();
    // The wipe view: the original is clipped at the line, dragged to a quarter of the width.
    await page.getByRole('button', { name: 'Wipe', exact: true }).click();
    const wipe = page.getByRole('group', { name: 'Wipe between original and reconstruction' });
    const box = (await wipe.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 4, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => page.locator('video[aria-label="Original video"]').evaluate((v) => (v as unknown as { style: { clipPath: string } }).style.clipPath)).toMatch(/^inset\(0(px)? 75% 0(px)? 0(px)?\)$/);
    await shot('compare-wipe');
    await page.getByRole('button', { name: 'Zoom', exact: true }).click();
    await page.getByRole('button', { name: 'Zoom 4x' }).click();
    await expect.poll(() => page.locator('video[aria-label="Original video"]').evaluate((v) => (v as unknown as { getBoundingClientRect(): { width: number } }).getBoundingClientRect().width)).toBe(WIDTH * 4);
    await page.getByRole('button', { name: 'Side by side' }).click();

    // The R-D chart: this encode as a point, then the classical anchor searched as a job and drawn as its envelope.
    const chart = page.getByRole('img', { name: 'Rate and quality chart (PSNR (dB))' });
    await expect.poll(() => chart.locator('[data-point="encode"]').count()).toBe(1);
    await page.getByRole('button', { name: 'Search the classical anchor' }).click();
    await page.getByRole('progressbar', { name: 'Anchor search progress' }).waitFor();
    await expect.poll(() => chart.locator('[data-point="anchor"]').count(), { timeout: JOB_TIMEOUT }).toBeGreaterThan(1);
    await page.getByLabel('Rate and quality legend').filter({ hasText: /24 trials on the first \d+ s/ }).waitFor();
    await shot('compare-rd');
  }, JOB_TIMEOUT + 60_000);

  step('a reload comes back to the project, video and section it showed', async () => {
    await page.reload();
    await page.getByLabel('Open project and video').filter({ hasText: `${PROJECT} · bikes.mp4` }).waitFor();
    expect(await page.getByRole('tab', { name: 'Compare', exact: true }).getAttribute('aria-selected')).toBe('true');
  });

  step('re-encodes with new texts beside the old encode, exports its .m3c and mp4 in one action, clears finished jobs', async () => {
    const id = saved.encodeId!;
    // A new text for the first keyframe (the Dialogue step above edits through the UI; this one goes through the API).
    const [project] = await studio.api<{ id: number; name: string }[]>('listProjects');
    const detail = await studio.api<{ sources: { id: number }[] }>('openProject', { projectId: project.id });
    await studio.api('setDescription', { sourceId: detail.sources[0].id, itemKind: 'keyframe', itemIndex: 0, frameIndex: 0, text: 'Two cyclists wait at a red light on a wide city street.' });
    await tab('Jobs & exports');
    await page.getByRole('button', { name: `Re-encode encode ${id} with these texts` }).click();
    const retextJob = (await page.locator('[role="listitem"][aria-label^="Re-encode texts job "]').first().getAttribute('aria-label'))!;
    await followJob(retextJob, ['done']);
    // The new encode is listed right below the one it came from: same keyframes, other text bits.
    const labels = await page.getByRole('table', { name: 'Encodes' }).getByRole('row').evaluateAll((rs) => rs.map((r) => r.getAttribute('aria-label')));
    const next = labels[labels.indexOf(`Encode ${id}`) + 1]!;
    const newId = Number(/\d+/.exec(next)![0]);
    expect(newId).toBeGreaterThan(id);
    const newRow = page.getByRole('row', { name: next });
    await newRow.getByText(`texts re-encoded from encode ${id}`, { exact: false }).waitFor();
    const cells = async (encode: number): Promise<string[]> => page.getByRole('row', { name: `Encode ${encode}` }).getByRole('cell').allTextContents();
    const [oldCells, newCells] = [await cells(id), await cells(newId)];
    expect(newCells[7]).toBe(oldCells[7]);
    expect(newCells[4]).not.toBe(oldCells[4]);
    console.log(`re-encoded texts: encode ${id} ${oldCells[3]} (texts ${oldCells[4]}) -> encode ${newId} ${newCells[3]} (texts ${newCells[4]})`);

    // Export both: it has no mp4 yet, so the studio decodes it first, then offers both files by name and place.
    await page.getByRole('button', { name: `Export .m3c and mp4 of encode ${newId}` }).click();
    await page.getByRole('status', { name: `Export of encode ${newId}` }).filter({ hasText: `Decoding encode ${newId} first` }).waitFor();
    const downloads = page.getByRole('region', { name: `Downloads of encode ${newId}` });
    await downloads.waitFor({ timeout: JOB_TIMEOUT });
    await downloads.getByText(/the project keeps it in this project's encodes folder as source-\d+-\w+\.m3c/).waitFor();
    await shot('jobs-export');
    const files: string[] = [];
    for (const name of [`bikes-encode-${newId}.m3c`, `bikes-encode-${newId}.recon.mp4`]) {
      const [dl] = await Promise.all([page.waitForEvent('download'), downloads.getByRole('link', { name: `Download ${name}` }).click()]);
      expect(dl.suggestedFilename()).toBe(name);
      const file = path.join(work, 'downloads', name);
      await dl.saveAs(file);
      files.push(file);
    }
    expect(await probeVideo(files[1])).toEqual({ codec: 'h264', frames: FRAMES, width: WIDTH, height: HEIGHT });
    expect(await decodeWithCli(files[0], path.join(work, 'downloads', 'retext-decoded.mp4'))).toMatchObject({ frames: FRAMES, width: WIDTH, height: HEIGHT });

    // Clear finished: the ended jobs leave the list.
    await page.getByRole('button', { name: 'Clear finished jobs' }).click();
    await expect.poll(() => page.getByRole('listitem', { name: retextJob, exact: true }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Clear finished jobs' }).isDisabled()).toBe(true);
  }, 2 * JOB_TIMEOUT);

  step('finds everything again after the server restarts', async () => {
    const before = await studio.api<{ id: number; name: string }[]>('listProjects');
    // Leave the page first: videos still loading from a server that is killed would log network errors.
    await page.goto('about:blank');
    await studio.kill();
    studio = await startStudio(projectsDir, [path.dirname(BIKES)]);
    await page.goto(studio.url);

    // A new server is a new origin (another port): nothing to restore there, the Projects list shows.
    await tab('Projects');
    await page.getByRole('button', { name: `Open project ${PROJECT}` }).click();
    expect(await studio.api<unknown[]>('listProjects')).toEqual(before);
    await page.getByRole('button', { name: 'Open video bikes.mp4' }).filter({ hasText: `${FRAMES} frames analysed` }).waitFor();
    await page.getByRole('row', { name: `Encode ${saved.encodeId}` }).waitFor();
    // bikes.mp4 is 2.35:1, the working size 1.6:1: its fit (crop until changed) says what cropping costs and
    // previews a frame at the working size as it will be coded (issue 12, point 7).
    const fit = page.getByRole('region', { name: 'Fit of bikes.mp4' });
    await fit.getByRole('button', { name: 'Crop bikes.mp4', pressed: true }).waitFor();
    await fit.getByRole('status').filter({ hasText: 'This video is 2.35:1, the working size is 1.6:1: cropping drops 32% of the width.' }).waitFor();
    await expect.poll(() => fit.getByRole('img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), { timeout: 30_000 }).toBe(WIDTH);
    await shot('projects');

    await tab('Timeline');
    await count().filter({ hasText: String(saved.keyframeCount) }).waitFor();
    expect(await page.getByRole('slider', { name: 'Threshold D_th' }).getAttribute('aria-valuenow')).toBe(String(saved.threshold));
    expect(await markerFrames('added')).toEqual([saved.addedFrame]);
    expect(await markerFrames('auto')).toEqual(saved.autoKeyframes);
    // Main recomputes the saved selection from the stored signals: the same keyframes as the renderer shows.
    const projectId = (await studio.api<{ id: number; name: string }[]>('listProjects')).find((p) => p.name === PROJECT)!.id;
    const { sources } = await studio.api<{ sources: { id: number }[] }>('openProject', { projectId });
    const selection = await studio.api<{ params: { threshold: number; overrides?: { add: number[]; remove: number[] } }; keyframes: number[] }>('getSelection', { sourceId: sources[0]!.id });
    expect(selection.params.threshold).toBe(saved.threshold);
    expect(selection.params.overrides).toEqual({ add: [saved.addedFrame], remove: [] });
    expect(selection.keyframes).toEqual([...saved.autoKeyframes!, saved.addedFrame!].sort((a, b) => a - b));
    await goToFrame(saved.addedFrame!);

    await tab('Dialogue');
    await page.getByRole('button', { name: 'Keyframe description' }).click();
    const editor = page.getByRole('textbox', { name: 'Description text' });
    await expect.poll(() => editor.inputValue(), { timeout: 30_000 }).toBe(DESCRIPTION);
    const descriptions = await studio.api<{ itemKind: string; frameIndex: number; text: string; origin: string; bits: number }[]>('listDescriptions', { sourceId: sources[0]!.id });
    expect(descriptions).toContainEqual(expect.objectContaining({ itemKind: 'keyframe', frameIndex: saved.addedFrame, text: DESCRIPTION, origin: 'user', bits: saved.descriptionBits }));
    await page.getByLabel('Description size').filter({ hasText: `${saved.descriptionBits} bits` }).waitFor();

    await tab('Jobs & exports');
    await page.getByRole('row', { name: `Encode ${saved.encodeId}` }).waitFor();
    await page.getByRole('link', { name: `Download .m3c of encode ${saved.encodeId}` }).waitFor();
    await page.getByRole('link', { name: `Download mp4 of encode ${saved.encodeId}` }).waitFor();

    expect(pageErrors).toEqual([]);
    expect(consoleErrors, consoleErrors.join("\n")).toEqual([]);
    console.log(`screenshots in ${SCREENSHOTS_DIR}`);
  }, 180_000);

  step('draws a region on a keyframe, re-encodes with it and finds the gain inside it in Compare', async () => {
    // A second video in the project, imported by path like the first: carphone.mp4, 32 frames at 8 fps.
    await tab('Projects');
    await page.getByRole('textbox', { name: 'Video file path' }).fill(CARPHONE);
    await page.getByRole('button', { name: 'Import video from path' }).click();
    await page.getByRole('tab', { name: 'Timeline', selected: true }).waitFor();
    await page.getByLabel('Current frame', { exact: true }).filter({ hasText: 'of 31' }).waitFor({ timeout: JOB_TIMEOUT });
    await count().waitFor({ timeout: JOB_TIMEOUT });
    const projectId = (await studio.api<{ id: number; name: string }[]>('listProjects')).find((p) => p.name === PROJECT)!.id;
    const { sources } = await studio.api<{ sources: { id: number; name: string }[] }>('openProject', { projectId });
    const sourceId = sources.find((x) => x.name === 'carphone.mp4')!.id;
    type Region = { frames: [number, number]; box: [number, number, number, number]; track: string };
    const regions = (): Promise<Region[]> => studio.api<Region[]>('listRegions', { sourceId });
    expect(await regions()).toEqual([]);

    // Frame 0 (always a keyframe) on the Timeline: drag over the centre half-width x half-height of the picture.
    await tab('Timeline');
    await goToFrame(0);
    const view = page.getByRole('application', { name: 'Regions on frame 0: drag to draw a box' });
    const img = view.getByRole('img', { name: 'Preview of frame 0' });
    await expect.poll(() => img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.getByText(/^Loading frame \d+…$/).waitFor({ state: 'hidden' });
    // The picture's place on the page: the preview is drawn with object-fit: contain in a box capped in height,
    // so it may be letterboxed inside its element. Measured once the layout has settled: a clean-clone CI run drew
    // the box about 116 px lower than aimed, the page having moved between this measurement and the drag.
    const settled = async (): Promise<{ x: number; y: number; width: number; height: number }> => {
      let last = (await img.boundingBox())!;
      for (let stable = 0, tries = 0; stable < 3 && tries < 50; tries++) {
        await page.waitForTimeout(200);
        const now = (await img.boundingBox())!;
        stable = Math.abs(now.x - last.x) + Math.abs(now.y - last.y) + Math.abs(now.width - last.width) + Math.abs(now.height - last.height) < 0.5 ? stable + 1 : 0;
        last = now;
      }
      return last;
    };
    const el = await settled();
    const { fit, nw, nh } = await img.evaluate((e) => {
      const i = e as unknown as { naturalWidth: number; naturalHeight: number };
      const g = globalThis as unknown as { getComputedStyle(x: unknown): { objectFit: string } };
      return { fit: g.getComputedStyle(e).objectFit, nw: i.naturalWidth, nh: i.naturalHeight };
    });
    const scale = fit === 'contain' ? Math.min(el.width / nw, el.height / nh) : NaN;
    const pic = Number.isFinite(scale)
      ? { x: el.x + (el.width - nw * scale) / 2, y: el.y + (el.height - nh * scale) / 2, width: nw * scale, height: nh * scale }
      : el;
    console.log(`frame view: element ${el.width.toFixed(0)}x${el.height.toFixed(0)} px (object-fit ${fit}), picture ${pic.width.toFixed(0)}x${pic.height.toFixed(0)} px`);
    await page.mouse.move(pic.x + pic.width / 4, pic.y + pic.height / 4);
    // Still where it was measured when the drag starts.
    expect(await img.boundingBox()).toEqual(el);
    await page.mouse.down();
    await page.mouse.move(pic.x + (3 * pic.width) / 4, pic.y + (3 * pic.height) / 4, { steps: 8 });
    await page.mouse.up();

    // Stored, then tracked through keyframe 0's clip: the rows cover frames 0 .. the clip's last frame.
    const markers = (await markerFrames()).filter((k) => k > 0);
    const clipLast = (markers.length > 0 ? Math.min(...markers) : 32) - 1;
    await expect.poll(async () => (await regions()).reduce((m, r) => Math.max(m, r.frames[1]), -1), { timeout: 60_000 }).toBe(clipLast);
    const stored = await regions();
    console.log(`region drawn on frame 0: box ${stored[0]!.box.map((v) => v.toFixed(3)).join(', ')}, tracked as ${stored.length} regions over frames 0..${clipLast}`);
    expect(new Set(stored.map((r) => r.track)).size).toBe(1);
    const first = stored.find((r) => r.frames[0] === 0)!;
    first.box.forEach((v, i) => expect(Math.abs(v - [0.25, 0.25, 0.5, 0.5][i]!), `box[${i}] = ${v}`).toBeLessThan(0.02));
    await view.getByRole('button', { name: 'Region region, weight 1' }).waitFor();
    await page.getByRole('group', { name: 'Regions of interest' }).filter({ hasText: /^1 region here$/ }).waitFor();
    await shot('timeline-roi');

    // Re-encode under control: the same encode twice from the Encode panel (the defaults), once with "Use them"
    // unticked and once with the region, so the two differ only by the region.
    const encodeIds = async (): Promise<number[]> =>
      (await page.getByRole('table', { name: 'Encodes' }).getByRole('row', { name: /^Encode \d+$/ }).evaluateAll((rs) => rs.map((r) => r.getAttribute('aria-label')!))).map((l) => Number(/\d+/.exec(l)![0]));
    await tab('Jobs & exports');
    const panel = page.getByRole('region', { name: 'Encode', exact: true });
    await panel.getByLabel('Regions used by the encode').filter({ hasText: `Regions of interest: ${stored.length} region${stored.length === 1 ? '' : 's'} (1 box) will steer the encode.` }).waitFor();
    const jobs = page.locator('[role="listitem"][aria-label^="Encode job "]');
    const encodeOnce = async (useRegions: boolean): Promise<number> => {
      const use = panel.getByRole('checkbox', { name: 'Use the regions of interest' });
      if ((await use.isChecked()) !== useRegions) await use.click();
      if (!useRegions) await panel.getByLabel('Regions used by the encode').filter({ hasText: 'not used by this encode' }).waitFor();
      const oldIds = await encodeIds();
      const oldJobs = new Set(await jobs.evaluateAll((ls) => ls.map((l) => l.getAttribute('aria-label')!)));
      await panel.getByRole('button', { name: 'Encode this video' }).click();
      await jobs.nth(oldJobs.size).waitFor();
      const job = (await jobs.evaluateAll((ls) => ls.map((l) => l.getAttribute('aria-label')!))).find((l) => !oldJobs.has(l))!;
      await followJob(job, ['done']);
      await expect.poll(async () => (await encodeIds()).length).toBe(oldIds.length + 1);
      return (await encodeIds()).find((id) => !oldIds.includes(id))!;
    };
    const plainId = await encodeOnce(false);
    const newId = await encodeOnce(true);
    type Guide = { width: number; height: number; fps: number; crf: number };
    const encodes = await studio.api<{ id: number; bytes: number | null; params?: { roi?: { regions: unknown[] } }; guided?: Guide | null }[]>('listEncodes', { projectId });
    const guide = (g: Guide | null | undefined): string => (g ? `guide ${g.width}x${g.height} at ${g.fps} fps, CRF ${g.crf}` : 'no guide');
    const [plainEnc, newEnc] = [encodes.find((e) => e.id === plainId)!, encodes.find((e) => e.id === newId)!];
    expect(newEnc.params?.roi?.regions).toHaveLength(stored.length);
    expect(plainEnc.params?.roi).toBeUndefined();
    // No more bytes than without the region (5% slack; the guide's final encoder may undershoot, which only costs us).
    expect(newEnc.bytes! / plainEnc.bytes!).toBeLessThanOrEqual(1.05);

    /** Compare's PSNR-Y inside and outside the regions, once it shows them for this encode. */
    const figures = async (usedText: string): Promise<{ inside: number; outside: number }> => {
      const line = page.getByLabel('PSNR-Y inside and outside the regions', { exact: true }).filter({ hasText: usedText });
      await line.waitFor({ timeout: JOB_TIMEOUT });
      const read = async (name: string): Promise<number> => Number(await line.getByLabel(name, { exact: true }).textContent());
      return { inside: await read('PSNR-Y inside the regions'), outside: await read('PSNR-Y outside the regions') };
    };
    const playersReady = async (names: readonly string[]): Promise<void> => {
      for (const name of names) {
        const video = page.locator(`video[aria-label="${name}"]`);
        await expect.poll(() => video.evaluate((v) => (v as unknown as { readyState: number }).readyState), { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
      }
    };

    // Both decoded ("Decode and compare" opens Compare on each).
    for (const id of [plainId, newId]) {
      await tab('Jobs & exports');
      await page.getByRole('button', { name: `Decode and compare encode ${id}` }).click();
      await page.getByRole('tab', { name: 'Compare', selected: true }).waitFor({ timeout: JOB_TIMEOUT });
    }
    const withRoi = await figures('(used by this encode)');
    await page.getByLabel('Compare frame readout').filter({ hasText: /^Frame 0 / }).waitFor();
    for (const name of ['Regions on the original', 'Regions on the reconstruction']) {
      await expect.poll(() => page.getByRole('group', { name, exact: true }).locator('[data-region-outline="hand"]').count()).toBe(1);
    }
    await playersReady(['Original video', 'Reconstructed video']);

    // Old against new: the encode without the region on the left, the region outlined on both, the gain inside.
    await page.getByRole('combobox', { name: 'Compare against' }).click();
    await page.getByRole('option', { name: new RegExp(`^Encode ${plainId} `) }).click();
    const gainText = page.getByLabel('Gain inside the regions', { exact: true });
    await gainText.waitFor({ timeout: JOB_TIMEOUT });
    const gain = Number((await gainText.textContent())!.replace('+', ''));
    const plainInside = Number(await page.getByLabel(`PSNR-Y inside the regions, encode ${plainId}`, { exact: true }).textContent());
    const plainOutside = Number(await page.getByLabel(`PSNR-Y outside the regions, encode ${plainId}`, { exact: true }).textContent());
    await expect.poll(() => page.locator('video[aria-label="Against video"]').count()).toBe(1);
    await playersReady(['Against video', 'Reconstructed video']);
    await shot('compare-roi');
    console.log(
      `ROI gain on carphone at ${WIDTH}x${HEIGHT}: encode ${newId} (with the region, ${newEnc.bytes} bytes, ${guide(newEnc.guided)}) inside ${withRoi.inside.toFixed(2)} dB, outside ${withRoi.outside.toFixed(2)} dB; ` +
        `encode ${plainId} (without, ${plainEnc.bytes} bytes, ${guide(plainEnc.guided)}) inside ${plainInside.toFixed(2)} dB, outside ${plainOutside.toFixed(2)} dB; gain inside ${gain.toFixed(2)} dB`,
    );
    // Compare's gain is the difference of the two figures it shows, measured on the same regions.
    expect(gain).toBeCloseTo(withRoi.inside - plainInside, 1);
    expect(Number.isFinite(gain)).toBe(true);
    // The sign of the gain is the codec's result, not the studio's behaviour: it is reported (docs/roi.md, the
    // issue's note), not asserted. Measured 2026-12-03 on the build machine: -0.56 dB inside the tracked face box
    // (1398 vs 1490 bytes): the foveated guide does not yet gain on a box tracked through a clip.

    expect(pageErrors).toEqual([]);
    expect(consoleErrors, consoleErrors.join("\n")).toEqual([]);
  }, 2 * JOB_TIMEOUT + 120_000);
});
