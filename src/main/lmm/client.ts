/**
 * OpenAI-compatible chat-completions client (Ollama, llama.cpp server, vLLM, LM Studio all speak it).
 * Every failure surfaces as one M3cError('lmm') naming the base URL; cancellation as M3cError('cancelled').
 */
import { M3cError, cancelled } from '../../shared/engine/errors.ts';
import { HINTS, type LmmWording } from './wording.ts';
import { Semaphore, sleep } from '../util/semaphore.ts';

export const DEFAULT_BASE_URL = 'http://127.0.0.1:11434/v1';
export const DEFAULT_MODEL = 'qwen2.5vl:7b';
/** Default idle timeout per request (`--lmm-timeout`, the studio's setting). */
export const DEFAULT_TIMEOUT_MS = 300_000;
/** Default overall deadline of one request, every attempt and backoff included (`--lmm-deadline`). */
export const DEFAULT_DEADLINE_MS = 900_000;

export type ContentPart =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'image_url'; readonly image_url: { readonly url: string } };

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string | readonly ContentPart[];
}

/** Sampling settings sent with every request; they are part of the answer-cache key. */
export interface LmmSettings {
  readonly temperature: number;
  /** Sent only when set; servers that ignore it still answer. */
  readonly seed?: number;
  readonly maxTokens: number;
}

export interface LmmClientOptions {
  readonly baseUrl?: string;
  readonly model?: string;
  readonly apiKey?: string;
  /**
   * Idle timeout: longest wait, in ms, for the server's next bytes (the whole answer when not streaming).
   * In a stream, SSE comments (keep-alives such as `: ping`) are not progress and do not re-arm it.
   */
  readonly timeoutMs?: number;
  /**
   * Overall deadline, in ms, of one request from its first attempt on: attempts, backoffs and a server
   * that keeps trickling bytes are all bounded by it. Default DEFAULT_DEADLINE_MS.
   */
  readonly deadlineMs?: number;
  /** Extra attempts after a 429, a 5xx or a dropped connection. */
  readonly retries?: number;
  /** First backoff delay; doubles on each retry. */
  readonly retryBaseMs?: number;
  /** Cap on any single backoff delay, Retry-After included. */
  readonly maxRetryDelayMs?: number;
  /** Requests in flight at once against this server. */
  readonly concurrency?: number;
  readonly stream?: boolean;
  /** Bytes of one response body read at most before giving up on it. */
  readonly maxResponseBytes?: number;
  readonly temperature?: number;
  readonly seed?: number;
  readonly maxTokens?: number;
  /** Whose words the hints in error messages use: the command line's flags (default) or the studio's Settings. */
  readonly wording?: LmmWording;
}

export interface ChatResult {
  readonly text: string;
  /** Model id the server reported (falls back to the requested one). */
  readonly model: string;
  readonly finishReason: string | null;
  readonly durationMs: number;
  readonly attempts: number;
}

export interface ModelList {
  readonly baseUrl: string;
  readonly models: readonly string[];
  readonly durationMs: number;
}

const MiB = 1024 * 1024;

/** What one attempt gets: its own abort signal (user abort, idle timeout, deadline) and the timeout's re-arm hook. */
interface AttemptContext {
  readonly signal: AbortSignal;
  readonly onBytes: () => void;
}

/** When the current request must be over (performance.now() time). */
interface Deadline {
  readonly at: number;
}

/** A failed attempt, before it is known whether it will be retried. */
class AttemptError extends Error {
  constructor(
    readonly kind: 'http' | 'network' | 'timeout' | 'deadline' | 'protocol',
    message: string,
    readonly retryable: boolean,
    readonly extra: { status?: number; retryAfterMs?: number; networkCode?: string } = {},
  ) {
    super(message);
  }
}

/** Collapses server-provided text to one short line so error messages stay one line. */
function oneLine(text: string, max = 160): string {
  const s = text.replace(/\s+/g, ' ').trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function networkCode(e: unknown): string | undefined {
  const seen = new Set<unknown>();
  const stack: unknown[] = [e];
  while (stack.length > 0) {
    const cur = stack.pop();
    if (cur === null || typeof cur !== 'object' || seen.has(cur)) continue;
    seen.add(cur);
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    stack.push((cur as { cause?: unknown }).cause);
    const errors = (cur as { errors?: unknown }).errors;
    if (Array.isArray(errors)) stack.push(...errors);
  }
  return undefined;
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED']);

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Reads a body chunk by chunk with an idle timeout and a byte cap, so nothing is buffered unboundedly. */
class BodyReader {
  private bytes = 0;
  /** False for an SSE stream, whose reader decides what counts as progress (data, not comments). */
  progressOnBytes = true;
  constructor(
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    private readonly maxBytes: number,
    readonly onProgress: () => void,
  ) {}

  async next(): Promise<Uint8Array | null> {
    const { done, value } = await this.reader.read();
    if (done) return null;
    this.bytes += value.length;
    if (this.bytes > this.maxBytes) {
      await this.reader.cancel().catch(() => undefined);
      throw new AttemptError('protocol', `sent more than ${formatBytes(this.maxBytes)} for one answer (stopped reading)`, false);
    }
    if (this.progressOnBytes) this.onProgress();
    return value;
  }

  async text(): Promise<string> {
    const decoder = new TextDecoder();
    let out = '';
    for (let chunk = await this.next(); chunk; chunk = await this.next()) out += decoder.decode(chunk, { stream: true });
    return out + decoder.decode();
  }
}

function formatBytes(n: number): string {
  return n >= MiB ? `${+(n / MiB).toFixed(1)} MiB` : `${n} bytes`;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new AttemptError('protocol', `sent malformed JSON in ${what} (${oneLine((e as Error).message, 80)})`, false);
  }
}

function errorMessageOf(body: unknown): string | undefined {
  if (body && typeof body === 'object' && 'error' in body) {
    const err = (body as { error: unknown }).error;
    if (typeof err === 'string') return err;
    if (err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string') {
      return (err as { message: string }).message;
    }
  }
  return undefined;
}

export class LmmClient {
  readonly baseUrl: string;
  readonly model: string;
  readonly settings: LmmSettings;
  readonly stream: boolean;
  private readonly apiKey: string | undefined;
  private readonly timeoutMs: number;
  private readonly deadlineMs: number;
  private readonly retries: number;
  private readonly retryBaseMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly maxResponseBytes: number;
  private readonly semaphore: Semaphore;
  private readonly wording: LmmWording;

  constructor(options: LmmClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.wording = options.wording ?? 'cli';
    try {
      const u = new URL(this.baseUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http');
    } catch {
      const hint = this.wording === 'studio' ? `set an http(s) address such as ${DEFAULT_BASE_URL} in Settings` : `pass an http(s) URL such as ${DEFAULT_BASE_URL}`;
      throw new M3cError('usage', `invalid LMM URL "${options.baseUrl}": ${hint}`);
    }
    this.model = options.model ?? DEFAULT_MODEL;
    this.apiKey = options.apiKey || undefined;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.retries = options.retries ?? 3;
    this.retryBaseMs = options.retryBaseMs ?? 1000;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 60_000;
    this.maxResponseBytes = options.maxResponseBytes ?? 4 * MiB;
    this.stream = options.stream ?? true;
    this.semaphore = new Semaphore(options.concurrency ?? 2);
    this.settings = {
      temperature: options.temperature ?? 0,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      maxTokens: options.maxTokens ?? 1024,
    };
  }

  /** One chat completion: the whole conversation so far in, the assistant's next answer out. */
  async chat(messages: readonly ChatMessage[], signal?: AbortSignal): Promise<ChatResult> {
    const body = JSON.stringify({
      model: this.model,
      messages,
      stream: this.stream,
      temperature: this.settings.temperature,
      max_tokens: this.settings.maxTokens,
      ...(this.settings.seed !== undefined ? { seed: this.settings.seed } : {}),
    });
    const started = performance.now();
    const { value, attempts } = await this.withRetries(signal, (ctx) => this.chatOnce(body, ctx));
    return { ...value, durationMs: Math.round(performance.now() - started), attempts };
  }

  /** GET {baseUrl}/models: the ids the server offers (for the settings screen and `--model` checks). */
  async listModels(signal?: AbortSignal): Promise<ModelList> {
    const started = performance.now();
    const { value } = await this.withRetries(signal, async (ctx) => {
      const res = await this.request('GET', '/models', undefined, ctx);
      const json = parseJson(await res.body.text(), 'the model list');
      const data = (json as { data?: unknown })?.data;
      if (!Array.isArray(data)) throw new AttemptError('protocol', 'answered GET /models without a "data" array', false);
      return data.map((m) => String((m as { id?: unknown })?.id ?? '')).filter((id) => id.length > 0);
    });
    return { baseUrl: this.baseUrl, models: value, durationMs: Math.round(performance.now() - started) };
  }

  private async withRetries<T>(
    signal: AbortSignal | undefined,
    attempt: (ctx: AttemptContext) => Promise<T>,
  ): Promise<{ value: T; attempts: number }> {
    // The deadline starts with the first attempt: waiting for this client's own concurrency slot does not count.
    let deadline: Deadline | undefined;
    for (let n = 1; ; n++) {
      const release = await this.semaphore.acquire(signal);
      deadline ??= { at: performance.now() + this.deadlineMs };
      let failure: AttemptError;
      try {
        if (performance.now() >= deadline.at) throw this.deadlineError();
        return { value: await this.guarded(attempt, signal, deadline), attempts: n };
      } catch (e) {
        if (!(e instanceof AttemptError)) throw e;
        failure = e;
      } finally {
        release();
      }
      if (!failure.retryable || n > this.retries) throw this.toM3cError(failure, n);
      const backoff = Math.min(this.maxRetryDelayMs, failure.extra.retryAfterMs ?? this.retryBaseMs * 2 ** (n - 1));
      // A backoff that would end past the deadline is not waited out.
      if (performance.now() + backoff >= deadline.at) throw this.toM3cError(this.deadlineError(failure), n);
      await sleep(backoff, signal);
    }
  }

  private deadlineError(last?: AttemptError): AttemptError {
    const after = last ? ` (last attempt: ${last.message})` : '';
    return new AttemptError('deadline', `did not finish within the ${+(this.deadlineMs / 1000).toFixed(3)} s deadline${after}`, false);
  }

  /** Runs one attempt under an idle timeout, mapping aborts and socket errors to AttemptError / cancelled. */
  private async guarded<T>(
    attempt: (ctx: AttemptContext) => Promise<T>,
    signal: AbortSignal | undefined,
    deadline: Deadline,
  ): Promise<T> {
    if (signal?.aborted) throw cancelled();
    const controller = new AbortController();
    let timedOut = false;
    let pastDeadline = false;
    let timer: NodeJS.Timeout | undefined;
    const deadlineTimer = setTimeout(() => {
      pastDeadline = true;
      controller.abort();
    }, Math.max(0, deadline.at - performance.now()));
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, this.timeoutMs);
    };
    const onAbort = (): void => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    arm();
    try {
      return await attempt({ signal: controller.signal, onBytes: arm });
    } catch (e) {
      if (signal?.aborted) throw cancelled();
      if (pastDeadline) throw this.deadlineError();
      if (timedOut) {
        throw new AttemptError('timeout', `did not answer within ${+(this.timeoutMs / 1000).toFixed(3)} s`, false);
      }
      if (e instanceof AttemptError || e instanceof M3cError) throw e;
      const code = networkCode(e) ?? 'unknown';
      if (code === 'ECONNREFUSED') throw new AttemptError('network', 'connection refused', false, { networkCode: code });
      if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
        throw new AttemptError('network', `host not found (${code})`, false, { networkCode: code });
      }
      const retryable = RESET_CODES.has(code);
      throw new AttemptError('network', `connection failed (${code}: ${oneLine((e as Error).message, 80)})`, retryable, {
        networkCode: code,
      });
    } finally {
      clearTimeout(timer);
      clearTimeout(deadlineTimer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    body: string | undefined,
    ctx: AttemptContext,
  ): Promise<{ contentType: string; body: BodyReader }> {
    const headers: Record<string, string> = { accept: 'application/json, text/event-stream' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers, body, signal: ctx.signal });
    if (!res.body) throw new AttemptError('protocol', `answered HTTP ${res.status} without a body`, false);
    if (res.ok) {
      return {
        contentType: res.headers.get('content-type') ?? '',
        body: new BodyReader(res.body.getReader(), this.maxResponseBytes, ctx.onBytes),
      };
    }
    // Error bodies are read only far enough for a one-line reason.
    let detail = '';
    try {
      const raw = await new BodyReader(res.body.getReader(), 64 * 1024, ctx.onBytes).text();
      detail = oneLine(errorMessageOf(safeJson(raw)) ?? raw);
    } catch (e) {
      if (!(e instanceof AttemptError)) throw e;
    }
    const status = res.status;
    const retryable = status === 429 || status >= 500;
    throw new AttemptError('http', `HTTP ${status}${detail ? `: ${detail}` : ''}`, retryable, {
      status,
      retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
    });
  }

  private async chatOnce(body: string, ctx: AttemptContext): Promise<Omit<ChatResult, 'durationMs' | 'attempts'>> {
    const res = await this.request('POST', '/chat/completions', body, ctx);
    if (res.contentType.includes('text/event-stream')) {
      // In a stream only events are progress: a comment every second must not keep a silent model alive.
      res.body.progressOnBytes = false;
      return this.readStream(res.body);
    }
    // Servers may ignore `stream: true` and send one JSON document; accept either.
    const json = parseJson(await res.body.text(), 'the chat answer');
    const serverError = errorMessageOf(json);
    if (serverError) throw new AttemptError('protocol', `answered with an error: ${oneLine(serverError)}`, false);
    const choice = (json as { choices?: Array<{ message?: { content?: unknown }; finish_reason?: unknown }> })?.choices?.[0];
    const content = choice?.message?.content;
    if (typeof content !== 'string') {
      throw new AttemptError('protocol', 'answered without choices[0].message.content', false);
    }
    return {
      text: content,
      model: modelOf(json) ?? this.model,
      finishReason: typeof choice?.finish_reason === 'string' ? choice.finish_reason : null,
    };
  }

  private async readStream(body: BodyReader): Promise<Omit<ChatResult, 'durationMs' | 'attempts'>> {
    const decoder = new TextDecoder();
    let buffered = '';
    let text = '';
    let model: string | undefined;
    let finishReason: string | null = null;
    let dataLines: string[] = [];

    // Returns true on [DONE].
    const dispatch = (): boolean => {
      if (dataLines.length === 0) return false;
      const data = dataLines.join('\n');
      dataLines = [];
      if (data.trim() === '[DONE]') return true;
      const event = parseJson(data, 'a stream event');
      const serverError = errorMessageOf(event);
      if (serverError) throw new AttemptError('protocol', `reported an error mid-stream: ${oneLine(serverError)}`, false);
      model ??= modelOf(event);
      const choice = (event as { choices?: Array<{ delta?: { content?: unknown }; finish_reason?: unknown }> })?.choices?.[0];
      const piece = choice?.delta?.content;
      if (typeof piece === 'string') text += piece;
      if (typeof choice?.finish_reason === 'string') finishReason = choice.finish_reason;
      return false;
    };

    for (let chunk = await body.next(); chunk; chunk = await body.next()) {
      buffered += decoder.decode(chunk, { stream: true });
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).replace(/\r$/, '');
        buffered = buffered.slice(nl + 1);
        if (line !== '' && !line.startsWith(':')) body.onProgress();
        if (line === '') {
          if (dispatch()) return { text, model: model ?? this.model, finishReason };
        } else if (line.startsWith('data:')) {
          dataLines.push(line.slice(5).replace(/^ /, ''));
        }
        // Other SSE fields (event:, id:, retry:) and comments carry nothing for chat completions.
      }
    }
    buffered += decoder.decode();
    if (buffered.startsWith('data:')) dataLines.push(buffered.slice(5).replace(/^ /, ''));
    if (dispatch()) return { text, model: model ?? this.model, finishReason };
    throw new AttemptError(
      'protocol',
      `ended the stream before [DONE] (truncated after ${text.length} characters${finishReason ? `, finish_reason ${finishReason}` : ''})`,
      false,
    );
  }

  private toM3cError(failure: AttemptError, attempts: number): M3cError {
    const at = this.wording === 'studio' ? `the LMM server at ${this.baseUrl}` : `the LMM at ${this.baseUrl}`;
    const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
    const { status, networkCode: code } = failure.extra;
    const error = (text: string, hint: keyof typeof HINTS): M3cError => new M3cError('lmm', `${text}: ${HINTS[hint][this.wording]}`);
    switch (failure.kind) {
      case 'network':
        if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') return error(`cannot reach ${at} (${failure.message})`, 'unreachable');
        // The socket-level detail means something to a developer reading the CLI's output, not to a studio user.
        return error(`${at} dropped the connection${tries}${this.wording === 'studio' ? '' : ` (${failure.message})`}`, 'dropped');
      case 'timeout':
        return error(`${at} ${failure.message}`, 'timeout');
      case 'deadline':
        return error(`${at} ${failure.message}`, 'deadline');
      case 'http':
        if (status === 429) return error(`${at} is rate-limiting${tries} (${failure.message})`, 'busy');
        if (status === 401 || status === 403) return error(`${at} refused the credentials (${failure.message})`, 'credentials');
        if (status !== undefined && status >= 500) return error(`${at} failed${tries} (${failure.message})`, 'server');
        return error(`${at} rejected the request (${failure.message})`, 'rejected');
      case 'protocol':
        return error(`${at} ${failure.message}`, 'protocol');
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function modelOf(json: unknown): string | undefined {
  const m = (json as { model?: unknown } | null)?.model;
  return typeof m === 'string' && m.length > 0 ? m : undefined;
}
