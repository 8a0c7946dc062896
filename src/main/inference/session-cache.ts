import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { InferenceSession, type Tensor } from 'onnxruntime-node';
import { M3cError, throwIfAborted } from '../../shared/engine/errors.ts';
import {
  cudaAvailability,
  firstChoice,
  resolvePreference,
  type ExecutionProviderName,
  type ExecutionProviderPreference,
} from './execution-provider.ts';
import { checkModelBytes, modelPath, type ModelEntry, type ModelManifest, type TensorSpec } from './manifest.ts';

export type Feeds = Readonly<Record<string, Tensor>>;
export type Outputs = Record<string, Tensor>;

export interface SessionCacheOptions {
  /** Default 'cpu'; the M3C_EP environment variable overrides it. */
  readonly executionProvider?: ExecutionProviderPreference;
  /** Environment to read M3C_EP from (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Receives one-line notices, e.g. a fallback from CUDA to CPU (default: console.warn). */
  readonly onNotice?: (message: string) => void;
}

function describeSpec(dtype: string, shape: readonly (number | string)[]): string {
  return `${dtype} [${shape.join(',')}]`;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0].trim();
}

/** Checks one feed against the manifest: ONNX Runtime's own errors are multi-line and name no slot. */
function checkFeed(slot: string, spec: TensorSpec, tensor: Tensor | undefined): void {
  if (!tensor) throw new M3cError('model', `model slot "${slot}" needs input "${spec.name}" (${describeSpec(spec.dtype, spec.shape)})`);
  const fits =
    tensor.type === spec.dtype &&
    tensor.dims.length === spec.shape.length &&
    spec.shape.every((d, i) => typeof d === 'string' || d === tensor.dims[i]);
  if (!fits) {
    throw new M3cError(
      'model',
      `model slot "${slot}" input "${spec.name}" must be ${describeSpec(spec.dtype, spec.shape)}, got ${describeSpec(tensor.type, tensor.dims)}`,
    );
  }
}

/** The file must implement exactly the interface its manifest entry declares, or the pack hash would lie. */
function checkSessionInterface(manifest: ModelManifest, model: ModelEntry, session: InferenceSession): void {
  const sides: [string, readonly TensorSpec[], readonly InferenceSession.ValueMetadata[]][] = [
    ['inputs', model.inputs, session.inputMetadata],
    ['outputs', model.outputs, session.outputMetadata],
  ];
  for (const [side, specs, actual] of sides) {
    const declared = specs.map((s) => `${s.name}: ${describeSpec(s.dtype, s.shape)}`).join('; ');
    const found = actual.map((m) => (m.isTensor ? `${m.name}: ${describeSpec(m.type, m.shape)}` : `${m.name}: non-tensor`)).join('; ');
    if (declared !== found) {
      throw new M3cError(
        'model',
        `model file ${modelPath(manifest, model)} (slot "${model.slot}") has ${side} ${found} but the manifest declares ${declared}: reinstall model pack ${manifest.packId}`,
      );
    }
  }
}

/**
 * Creates one ONNX Runtime session per model slot on first use and keeps it. Concurrent first uses of
 * a slot share one creation; a failed creation is forgotten so a later call can retry.
 */
export class SessionCache {
  readonly manifest: ModelManifest;
  readonly preference: ExecutionProviderPreference;
  private readonly notify: (message: string) => void;
  private readonly noticesGiven = new Set<string>();
  private readonly pending = new Map<string, Promise<InferenceSession>>();
  private readonly created = new Map<string, InferenceSession>();
  private readonly providers = new Map<string, ExecutionProviderName>();
  private cudaFailed = false;
  private disposed = false;

  constructor(manifest: ModelManifest, options: SessionCacheOptions = {}) {
    this.manifest = manifest;
    this.preference = resolvePreference(options.executionProvider, options.env);
    this.notify = options.onNotice ?? ((m) => console.warn(`m3c: ${m}`));
  }

  /** Each distinct notice once per cache, not once per slot. */
  private onNotice(message: string): void {
    if (this.noticesGiven.has(message)) return;
    this.noticesGiven.add(message);
    this.notify(message);
  }

  /** Whether the slot's session exists yet (it is created by the first `session` or `run` call). */
  isLoaded(slot: string): boolean {
    return this.created.has(slot);
  }

  /** The execution provider the slot's session runs on, once created. */
  providerOf(slot: string): ExecutionProviderName | undefined {
    return this.providers.get(slot);
  }

  model(slot: string): ModelEntry {
    const model = this.manifest.models.find((m) => m.slot === slot);
    if (!model) {
      throw new M3cError('model', `model pack ${this.manifest.packId} has no model for slot "${slot}": install a pack that provides it`);
    }
    return model;
  }

  session(slot: string): Promise<InferenceSession> {
    if (this.disposed) return Promise.reject(new M3cError('internal', 'the model session cache was disposed'));
    let p = this.pending.get(slot);
    if (!p) {
      p = this.create(slot);
      this.pending.set(slot, p);
      const created = p;
      created.catch(() => {
        if (this.pending.get(slot) === created) this.pending.delete(slot);
      });
    }
    return p;
  }

  async run(slot: string, feeds: Feeds, signal?: AbortSignal): Promise<Outputs> {
    throwIfAborted(signal);
    const model = this.model(slot);
    for (const spec of model.inputs) checkFeed(slot, spec, feeds[spec.name]);
    const unknown = Object.keys(feeds).filter((name) => !model.inputs.some((s) => s.name === name));
    if (unknown.length > 0) {
      throw new M3cError('model', `model slot "${slot}" has no input named ${unknown.map((n) => `"${n}"`).join(', ')}`);
    }
    const session = await this.session(slot);
    throwIfAborted(signal);
    let result: InferenceSession.ReturnType;
    try {
      result = await session.run(feeds);
    } catch (e) {
      throw new M3cError('model', `model slot "${slot}" failed to run: ${firstLine(e)}`, { cause: e });
    }
    const outputs: Outputs = {};
    for (const [name, value] of Object.entries(result)) outputs[name] = value as Tensor;
    return outputs;
  }

  /** Releases every session, waiting for creations in flight; the cache cannot be used afterwards. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const sessions = await Promise.allSettled([...this.pending.values()]);
    this.pending.clear();
    this.created.clear();
    await Promise.all(sessions.map((s) => (s.status === 'fulfilled' ? s.value.release() : undefined)));
  }

  private async create(slot: string): Promise<InferenceSession> {
    const model = this.model(slot);
    const file = modelPath(this.manifest, model);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(file);
    } catch (e) {
      throw new M3cError('model', `model file ${file} (slot "${slot}") cannot be read (${firstLine(e)}): reinstall model pack ${this.manifest.packId}`, {
        cause: e,
      });
    }
    // Hash the exact bytes handed to ONNX Runtime: the file may have changed since the manifest was loaded.
    checkModelBytes(this.manifest, model, createHash('sha256').update(bytes).digest('hex'));
    const { session, provider } = await this.createOnProvider(slot, bytes);
    try {
      checkSessionInterface(this.manifest, model, session);
    } catch (e) {
      await session.release();
      throw e;
    }
    if (this.disposed) {
      await session.release();
      throw new M3cError('internal', 'the model session cache was disposed');
    }
    this.created.set(slot, session);
    this.providers.set(slot, provider);
    return session;
  }

  private async createOnProvider(slot: string, bytes: Uint8Array): Promise<{ session: InferenceSession; provider: ExecutionProviderName }> {
    const choice = this.cudaFailed ? { provider: 'cpu' as const } : firstChoice(this.preference, cudaAvailability());
    if (choice.notice) this.onNotice(choice.notice);
    if (choice.provider === 'cuda') {
      try {
        // CPU listed second takes the operators CUDA lacks.
        return { session: await InferenceSession.create(bytes, { executionProviders: ['cuda', 'cpu'] }), provider: 'cuda' };
      } catch (e) {
        this.cudaFailed = true;
        this.onNotice(`CUDA execution provider could not start (${firstLine(e)}); running models on CPU`);
      }
    }
    try {
      return { session: await InferenceSession.create(bytes, { executionProviders: ['cpu'] }), provider: 'cpu' };
    } catch (e) {
      throw new M3cError('model', `model slot "${slot}" could not be loaded: ${firstLine(e)}: reinstall model pack ${this.manifest.packId}`, {
        cause: e,
      });
    }
  }
}
