/**
 * Issue 13: the built renderer page carries its own CSP meta tag (Electron loads it from file://, where no
 * response header ever arrives), equal to the union of the Electron and web studio policies.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { WEB_CSP } from '../../../src/main/server/index.ts';
import { ensureRendererBuilt } from '../../e2e/harness.ts';
import { REPO_ROOT } from '../../helpers/media.ts';

function directives(policy: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out.set(name, new Set(sources));
  }
  return out;
}

/** ELECTRON_CSP without importing window.ts (which imports `electron`). */
async function electronCsp(): Promise<string> {
  const src = readFileSync(path.join(REPO_ROOT, 'src/main/app/window.ts'), 'utf8');
  const body = /ELECTRON_CSP = \[([\s\S]*?)\]\.join/.exec(src)![1];
  return [...body.matchAll(/["`]([^"`]+)["`]/g)].map((m) => m[1].replace('${MEDIA_SCHEME}', 'm3c-media')).join('; ');
}

describe('renderer CSP meta tag', () => {
  let html: string;

  beforeAll(async () => {
    await ensureRendererBuilt();
    html = readFileSync(path.join(REPO_ROOT, 'dist/renderer/index.html'), 'utf8');
  }, 300_000);

  it('the built index.html carries one CSP meta tag, before any script', () => {
    const tags = [...html.matchAll(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/g)];
    expect(tags).toHaveLength(1);
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<script'));
    // Vite emits only external scripts, which script-src 'self' allows.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it('equals the union of the Electron and web policies (frame-ancestors left to the headers), and is strict', async () => {
    const meta = directives(/http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)![1]);
    const electron = directives(await electronCsp());
    const web = directives(WEB_CSP);
    expect(meta.has('frame-ancestors')).toBe(false);
    for (const name of new Set([...electron.keys(), ...web.keys()])) {
      if (name === 'frame-ancestors') continue;
      const union = name === 'form-action' ? new Set(["'none'"]) : new Set([...(electron.get(name) ?? []), ...(web.get(name) ?? [])]);
      expect([...(meta.get(name) ?? [])].sort(), name).toEqual([...union].sort());
    }
    expect([...meta.get('script-src')!]).toEqual(["'self'"]);
    expect([...meta.get('object-src')!]).toEqual(["'none'"]);
    expect(meta.get('connect-src')).toEqual(new Set(["'self'", 'm3c-media:', 'ws://127.0.0.1:*', 'ws://localhost:*']));
    expect(html).not.toContain('unsafe-eval');
  });
});
