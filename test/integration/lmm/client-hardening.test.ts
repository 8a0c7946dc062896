/**
 * Issue 13, case 6: a server that sends an SSE comment every second used to defeat the idle timeout
 * (still waiting after 240 s with a 10 s timeout). Real HTTP server: the OpenAI test double.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { M3cError } from '../../../src/shared/engine/errors.ts';
import { DEFAULT_DEADLINE_MS, DEFAULT_TIMEOUT_MS, LmmClient, type ChatMessage, type LmmClientOptions } from '../../../src/main/lmm/client.ts';
import { LMM_HELP, lmmOptionsFrom } from '../../../src/main/cli/lmm-options.ts';
import { OpenAiTestDouble } from '../../helpers/openai-test-double.ts';

const HELLO: ChatMessage[] = [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }];
/** Timers, the event loop of a busy 2-core CI machine. */
const SLACK_MS = 1500;

let double: OpenAiTestDouble;
beforeEach(async () => {
  double = await OpenAiTestDouble.start();
});
afterEach(async () => {
  await double.close();
});

function client(options: LmmClientOptions): LmmClient {
  return new LmmClient({ baseUrl: double.baseUrl, retryBaseMs: 10, ...options });
}

async function timedLmmError(p: Promise<unknown>): Promise<{ e: M3cError; ms: number }> {
  const started = performance.now();
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  const ms = performance.now() - started;
  expect(e).toBeInstanceOf(M3cError);
  expect((e as M3cError).code).toBe('lmm');
  expect((e as M3cError).message).not.toContain('\n');
  return { e: e as M3cError, ms };
}

describe('LMM client deadlines', () => {
  it('does not count SSE comments as progress: keep-alives forever hit the idle timeout', { timeout: 10_000 }, async () => {
    double.script({ kind: 'keepalive', intervalMs: 50 });
    const { e, ms } = await timedLmmError(client({ timeoutMs: 400, deadlineMs: 60_000 }).chat(HELLO));
    expect(e.message).toBe(`the LMM at ${double.baseUrl} did not answer within 0.4 s: raise --lmm-timeout or use a smaller model`);
    expect(ms).toBeLessThan(400 + SLACK_MS);
  });

  it('ends a stream of real events that never finishes at the overall deadline', { timeout: 10_000 }, async () => {
    double.script({ kind: 'keepalive', intervalMs: 50, events: true });
    const { e, ms } = await timedLmmError(client({ timeoutMs: 5000, deadlineMs: 800 }).chat(HELLO));
    expect(e.message).toBe(`the LMM at ${double.baseUrl} did not finish within the 0.8 s deadline: raise --lmm-deadline or use a smaller model`);
    expect(ms).toBeGreaterThanOrEqual(750);
    expect(ms).toBeLessThan(800 + SLACK_MS);
  });

  it('bounds retries and their backoff by the deadline too', { timeout: 10_000 }, async () => {
    double.respond = () => ({ kind: 'status', status: 503, headers: { 'retry-after': '30' } });
    const { e, ms } = await timedLmmError(client({ timeoutMs: 5000, deadlineMs: 600, retries: 5 }).chat(HELLO));
    expect(e.message).toContain('did not finish within the 0.6 s deadline (last attempt: HTTP 503');
    expect(e.message).toContain('raise --lmm-deadline');
    expect(ms).toBeLessThan(600 + SLACK_MS);
    expect(double.chatRequests).toHaveLength(1);
  });

  it('still answers normally within the deadline', async () => {
    double.script({ kind: 'answer', text: 'a fine answer', chunkChars: 2, intervalMs: 5 });
    const res = await client({ timeoutMs: 2000, deadlineMs: 5000 }).chat(HELLO);
    expect(res.text).toBe('a fine answer');
  });

  it('documents both limits in the CLI help from the constants and parses --lmm-deadline', () => {
    expect(DEFAULT_DEADLINE_MS).toBeGreaterThan(DEFAULT_TIMEOUT_MS);
    expect(LMM_HELP).toContain(`(default ${DEFAULT_TIMEOUT_MS / 1000})`);
    expect(LMM_HELP).toContain(`--lmm-deadline S`);
    expect(LMM_HELP).toContain(`(default ${DEFAULT_DEADLINE_MS / 1000})`);
    expect(lmmOptionsFrom({ 'lmm-deadline': '42' }).deadlineMs).toBe(42_000);
    expect(lmmOptionsFrom({}).deadlineMs).toBeUndefined();
  });
});
