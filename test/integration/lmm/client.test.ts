import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { M3cError } from '../../../src/shared/engine/errors.ts';
import { LmmClient, type ChatMessage, type LmmClientOptions } from '../../../src/main/lmm/client.ts';
import { checkEndpoint } from '../../../src/main/lmm/describe.ts';
import { OpenAiTestDouble } from '../../helpers/openai-test-double.ts';

const HELLO: ChatMessage[] = [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }];

let double: OpenAiTestDouble;
beforeEach(async () => {
  double = await OpenAiTestDouble.start();
});
afterEach(async () => {
  await double.close();
});

function client(options: LmmClientOptions = {}): LmmClient {
  return new LmmClient({ baseUrl: double.baseUrl, retryBaseMs: 10, timeoutMs: 5000, ...options });
}

async function lmmError(p: Promise<unknown>): Promise<M3cError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(M3cError);
  return e as M3cError;
}

describe('LmmClient against the OpenAI test double', () => {
  it('streams an answer and sends model, temperature 0, seed, max_tokens and the API key', async () => {
    double.script({ kind: 'answer', text: 'a red bicycle leaning on a wall', chunkChars: 3 });
    const res = await client({ apiKey: 'sk-test', seed: 42, model: 'qwen2.5vl:7b' }).chat(HELLO);
    expect(res.text).toBe('a red bicycle leaning on a wall');
    expect(res.finishReason).toBe('stop');
    expect(res.attempts).toBe(1);
    const [req] = double.chatRequests;
    expect(req.headers.authorization).toBe('Bearer sk-test');
    expect(req.body).toMatchObject({ model: 'qwen2.5vl:7b', stream: true, temperature: 0, seed: 42, max_tokens: 1024 });
    expect(req.body.messages).toEqual(HELLO);
  });

  it('reads a non-streaming JSON answer and omits seed and Authorization when unset', async () => {
    double.script({ kind: 'answer', text: 'plain', model: 'served-model' });
    const res = await client({ stream: false }).chat(HELLO);
    expect(res).toMatchObject({ text: 'plain', model: 'served-model' });
    const [req] = double.chatRequests;
    expect(req.body.stream).toBe(false);
    expect('seed' in req.body).toBe(false);
    expect(req.headers.authorization).toBeUndefined();
  });

  it('names the URL when the server is not there (connection refused), without retrying', async () => {
    const url = double.baseUrl;
    await double.close();
    const started = Date.now();
    const e = await lmmError(new LmmClient({ baseUrl: url, retryBaseMs: 2000 }).chat(HELLO));
    expect(e.code).toBe('lmm');
    expect(e.message).toBe(`cannot reach the LMM at ${url} (connection refused): start Ollama or pass --lmm-url`);
    expect(Date.now() - started).toBeLessThan(1500);
    double = await OpenAiTestDouble.start();
  });

  it('times out a server that does not answer', async () => {
    double.script({ kind: 'hang' });
    const e = await lmmError(client({ timeoutMs: 200 }).chat(HELLO));
    expect(e.code).toBe('lmm');
    expect(e.message).toContain(`the LMM at ${double.baseUrl} did not answer within 0.2 s`);
  });

  it('retries HTTP 500 and then succeeds', async () => {
    double.script({ kind: 'status', status: 500 }, { kind: 'status', status: 503 }, { kind: 'answer', text: 'third time' });
    const res = await client().chat(HELLO);
    expect(res).toMatchObject({ text: 'third time', attempts: 3 });
    expect(double.chatRequests).toHaveLength(3);
  });

  it('gives up on persistent 5xx with the attempt count and the server reason', async () => {
    for (let i = 0; i < 3; i++) double.script({ kind: 'status', status: 500, body: { error: { message: 'CUDA out of\nmemory' } } });
    const e = await lmmError(client({ retries: 2 }).chat(HELLO));
    expect(e.message).toBe(`the LMM at ${double.baseUrl} failed after 3 attempts (HTTP 500: CUDA out of memory): check the server log`);
  });

  it('honours Retry-After on 429', async () => {
    double.script({ kind: 'status', status: 429, headers: { 'retry-after': '1' } }, { kind: 'answer', text: 'ok' });
    const started = Date.now();
    const res = await client({ retryBaseMs: 1 }).chat(HELLO);
    expect(res.text).toBe('ok');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('reports persistent rate limiting', async () => {
    double.script(...Array.from({ length: 2 }, () => ({ kind: 'status' as const, status: 429 })));
    const e = await lmmError(client({ retries: 1 }).chat(HELLO));
    expect(e.message).toMatch(/is rate-limiting after 2 attempts \(HTTP 429.*\): try later/);
  });

  it('does not retry other 4xx', async () => {
    double.script({ kind: 'status', status: 404, body: { error: { message: 'model "nope" not found, try pulling it first' } } });
    const e = await lmmError(client({ model: 'nope' }).chat(HELLO));
    expect(e.message).toBe(
      `the LMM at ${double.baseUrl} rejected the request (HTTP 404: model "nope" not found, try pulling it first): check --model and --lmm-url`,
    );
    expect(double.chatRequests).toHaveLength(1);
  });

  it('retries a connection reset', async () => {
    double.script({ kind: 'reset' }, { kind: 'answer', text: 'after reset' });
    expect((await client().chat(HELLO)).text).toBe('after reset');
  });

  it('reports malformed JSON, streaming and not', async () => {
    double.script({ kind: 'malformed' }, { kind: 'malformed' });
    const s = await lmmError(client().chat(HELLO));
    expect(s.message).toMatch(new RegExp(`^the LMM at ${double.baseUrl} sent malformed JSON in a stream event \\(.*\\): is it an OpenAI-compatible endpoint`));
    const j = await lmmError(client({ stream: false }).chat(HELLO));
    expect(j.message).toMatch(/sent malformed JSON in the chat answer/);
    expect(double.chatRequests).toHaveLength(2);
  });

  it('reports a truncated stream', async () => {
    double.script({ kind: 'truncate', text: 'half an ans' });
    const e = await lmmError(client().chat(HELLO));
    expect(e.code).toBe('lmm');
    expect(e.message).toContain('ended the stream before [DONE] (truncated after 11 characters)');
  });

  it('stops reading a 10 MB answer at the byte cap', async () => {
    double.script({ kind: 'huge', bytes: 10 * 1024 * 1024 }, { kind: 'huge', bytes: 10 * 1024 * 1024 });
    const before = process.memoryUsage().rss;
    const e = await lmmError(client().chat(HELLO));
    expect(e.message).toBe(
      `the LMM at ${double.baseUrl} sent more than 4 MiB for one answer (stopped reading): is it an OpenAI-compatible endpoint? check the server log`,
    );
    const j = await lmmError(client({ stream: false, maxResponseBytes: 1024 * 1024 }).chat(HELLO));
    expect(j.message).toContain('sent more than 1 MiB for one answer');
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('cancels mid-stream through the AbortSignal', async () => {
    double.script({ kind: 'answer', text: 'x'.repeat(400), chunkChars: 1, intervalMs: 10 });
    const controller = new AbortController();
    const started = Date.now();
    const p = client().chat(HELLO, controller.signal);
    setTimeout(() => controller.abort(), 150);
    const e = await lmmError(p);
    expect(e.code).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const server = http.createServer((req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      req.resume();
      setTimeout(() => {
        inFlight--;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ choices: [{ message: { content: 'ok' } }] }));
      }, 50);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    try {
      const c = new LmmClient({ baseUrl: url, concurrency: 2 });
      const answers = await Promise.all(Array.from({ length: 6 }, () => c.chat(HELLO)));
      expect(answers.map((a) => a.text)).toEqual(Array(6).fill('ok'));
      expect(peak).toBe(2);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('lists models for the settings screen and names the URL when unreachable', async () => {
    const list = await checkEndpoint(double.baseUrl);
    expect(list.models).toEqual(['qwen2.5vl:7b']);
    expect(double.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1/models' });
    const url = double.baseUrl;
    await double.close();
    const e = await lmmError(checkEndpoint(url));
    expect(e.message).toContain(`cannot reach the LMM at ${url} (connection refused)`);
    double = await OpenAiTestDouble.start();
  });

  it('rejects a URL that is not http(s)', () => {
    expect(() => new LmmClient({ baseUrl: 'ftp://x' })).toThrow(/invalid LMM URL "ftp:\/\/x"/);
  });
});
