/**
 * TEST DOUBLE of an OpenAI-compatible LMM server: a real HTTP server on 127.0.0.1 (random port) that
 * speaks the chat-completions protocol (SSE streaming and plain JSON) with scripted answers and
 * injected faults, and records every request. It stands in for Ollama / vLLM, which cannot run here.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Reply =
  /** A normal answer, streamed when the request asked for it, `chunkChars` characters per event, `intervalMs` apart. */
  | { kind: 'answer'; text: string; model?: string; chunkChars?: number; intervalMs?: number; delayMs?: number }
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Invalid JSON (as the whole body, or as one stream event). */
  | { kind: 'malformed' }
  /** Stream: some events, then the response ends without [DONE]. Plain: half a JSON document. */
  | { kind: 'truncate'; text: string }
  /** An answer of `bytes` characters. */
  | { kind: 'huge'; bytes: number }
  /** Accepts the request and never answers. */
  | { kind: 'hang' }
  /**
   * Stream that never ends: an SSE comment (`: keep-alive`) every `intervalMs`, or with `events`, an
   * empty-content data event every `intervalMs` (real progress without an answer).
   */
  | { kind: 'keepalive'; intervalMs: number; events?: boolean }
  /** Destroys the connection without a response. */
  | { kind: 'reset' };

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

/** Text of the last user message of a chat request (the current round's prompt). */
export function lastPrompt(body: { messages: Array<{ role: string; content: unknown }> }): string {
  const user = [...body.messages].reverse().find((m) => m.role === 'user');
  if (!user) return '';
  if (typeof user.content === 'string') return user.content;
  return (user.content as Array<{ type: string; text?: string }>).filter((p) => p.type === 'text').map((p) => p.text).join('\n');
}

/** Image data URLs attached to a message. */
export function imagesOf(message: { content: unknown }): string[] {
  if (typeof message.content === 'string') return [];
  return (message.content as Array<{ type: string; image_url?: { url: string } }>)
    .filter((p) => p.type === 'image_url')
    .map((p) => p.image_url!.url);
}

export type Responder = (request: RecordedRequest, n: number) => Reply;

export interface TestDoubleOptions {
  /** Answers requests once the script is used up; default: `answer <n>: <first words of the prompt>`. */
  readonly respond?: Responder;
  readonly models?: readonly string[];
}

export class OpenAiTestDouble {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: Reply[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  respond: Responder;

  private constructor(
    private readonly server: http.Server,
    readonly baseUrl: string,
    private readonly models: readonly string[],
    respond: Responder | undefined,
  ) {
    this.respond = respond ?? ((req, n) => ({ kind: 'answer', text: `answer ${n}: ${lastPrompt(req.body).split(/\s+/).slice(0, 6).join(' ')}` }));
  }

  static async start(options: TestDoubleOptions = {}): Promise<OpenAiTestDouble> {
    // The handler needs the instance, which needs the bound port: requests only arrive after both exist.
    const holder: { double?: OpenAiTestDouble } = {};
    const server = http.createServer((req, res) => void holder.double!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    holder.double = new OpenAiTestDouble(server, `http://127.0.0.1:${port}/v1`, options.models ?? ['qwen2.5vl:7b'], options.respond);
    return holder.double;
  }

  /** Replies used, in order, for the next chat requests before falling back to `respond`. */
  script(...replies: Reply[]): this {
    this.queue.push(...replies);
    return this;
  }

  get chatRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === '/v1/chat/completions');
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.on('error', () => undefined);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const record: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: raw ? JSON.parse(raw) : undefined,
    };
    this.requests.push(record);

    if (req.method === 'GET' && record.path === '/v1/models') {
      this.json(res, 200, { object: 'list', data: this.models.map((id) => ({ id, object: 'model', owned_by: 'test-double' })) });
      return;
    }
    if (req.method !== 'POST' || record.path !== '/v1/chat/completions') {
      this.json(res, 404, { error: { message: `no route ${req.method} ${record.path}` } });
      return;
    }
    const reply = this.queue.shift() ?? this.respond(record, this.chatRequests.length);
    this.reply(res, record, reply);
  }

  private json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  private reply(res: http.ServerResponse, req: RecordedRequest, reply: Reply): void {
    const stream = req.body?.stream === true;
    const model = req.body?.model ?? 'unknown';
    switch (reply.kind) {
      case 'status':
        this.json(res, reply.status, reply.body ?? { error: { message: `scripted HTTP ${reply.status}` } }, reply.headers);
        return;
      case 'reset':
        res.socket?.destroy();
        return;
      case 'hang':
        return;
      case 'keepalive': {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        const beat = (): void => {
          if (res.destroyed) return;
          res.write(reply.events ? sse(chunkEvent(model, '')) : ': keep-alive\n\n');
          this.later(reply.intervalMs, beat);
        };
        beat();
        return;
      }
      case 'malformed':
        if (stream) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.end('data: {"choices":[{"delta":{"content":"ok"}}]}\n\ndata: {"choices":[{"delta":{"content":\n\n');
        } else {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"choices":[{"message":{"content":"unterminated');
        }
        return;
      case 'truncate':
        if (stream) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.end(sse(chunkEvent(model, reply.text)));
        } else {
          const full = JSON.stringify(completion(model, reply.text));
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(full.slice(0, full.length >> 1));
        }
        return;
      case 'huge':
        this.sendAnswer(res, stream, model, 'x'.repeat(reply.bytes), 64 * 1024, 0);
        return;
      case 'answer': {
        const go = (): void => this.sendAnswer(res, stream, reply.model ?? model, reply.text, reply.chunkChars ?? 16, reply.intervalMs ?? 0);
        if (reply.delayMs) this.later(reply.delayMs, go);
        else go();
        return;
      }
    }
  }

  private sendAnswer(res: http.ServerResponse, stream: boolean, model: string, text: string, chunkChars: number, intervalMs: number): void {
    if (!stream) {
      this.json(res, 200, completion(model, text));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const pieces: string[] = [];
    for (let i = 0; i < text.length; i += chunkChars) pieces.push(text.slice(i, i + chunkChars));
    let i = 0;
    const step = (): void => {
      if (res.destroyed) return;
      if (i < pieces.length) {
        res.write(sse(chunkEvent(model, pieces[i++])));
        if (intervalMs > 0) this.later(intervalMs, step);
        else step();
        return;
      }
      res.write(sse({ ...chunkEvent(model, ''), choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
      res.end('data: [DONE]\n\n');
    };
    step();
  }
}

function sse(event: unknown): string {
  return `data: ${JSON.stringify(event)}\n\n`;
}

function chunkEvent(model: string, content: string): object {
  return { id: 'chatcmpl-double', object: 'chat.completion.chunk', model, choices: [{ index: 0, delta: { content }, finish_reason: null }] };
}

function completion(model: string, text: string): object {
  return {
    id: 'chatcmpl-double',
    object: 'chat.completion',
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  };
}
