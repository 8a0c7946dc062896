/**
 * The learned keyframe codec (paper section II-C): our own autoencoder + post-encoder + 256-entry VQ
 * on the encoder side; codebook lookup -> upsampling to z^ -> a flow-matching latent denoiser
 * (<= 8 Euler steps from seeded noise, conditioned on z^ and a text embedding) -> the autoencoder's
 * decoder on the decoder side. The models come from a model pack (training/export.py) through the
 * SessionCache; slots per token grid g ("coarse": 1/16 of the picture, "fine": 1/8):
 * kf-encoder-g, kf-tokens-g, kf-denoiser-g, kf-decoder-g, kf-token-prior-g.
 *
 * Payload: 1 header byte, high nibble the format version (1), low nibble the grid code (0 coarse,
 * 1 fine), then the token map coded by src/shared/entropy/token-map.ts with the pack's learned integer
 * prior (no floats in the entropy path). The token map's size follows from the geometry: the frame is
 * padded (edge pixels repeated) to a multiple of 16 (PAD_MULTIPLE), so 512x320 coarse is 32x20 tokens.
 *
 * Decoding is deterministic: the starting noise is a pure function of the decode seed (noise.ts) and
 * the same payload, seed and pack give the same pixels.
 */
import type { Geometry, RgbFrame } from '../../../shared/engine/frame.ts';
import { makeFrame } from '../../../shared/engine/frame.ts';
import type { KeyframeCodec, KeyframeDecodeOptions, KeyframeEncodeOptions } from '../../../shared/engine/interfaces.ts';
import { M3cError, throwIfAborted } from '../../../shared/engine/errors.ts';
import { decodeTokenMap, encodeTokenMap } from '../../../shared/entropy/index.ts';
import { loadManifest, SessionCache, Tensor, type ModelManifest, type SessionCacheOptions } from '../../inference/index.ts';
import { gaussianNoise } from './noise.ts';
import { toPlanar } from '../../inference/planar.ts';

export const LEARNED_CODEC_ID = 'learned-vq-v1';
export type TokenGrid = 'coarse' | 'fine';
/** Index = grid code in the payload header. */
export const TOKEN_GRIDS: readonly TokenGrid[] = ['coarse', 'fine'];
export const GRID_STRIDE: Readonly<Record<TokenGrid, number>> = { coarse: 16, fine: 8 };
export const LATENT_STRIDE = 8;
/**
 * Pictures are padded (edge pixels repeated) to a multiple of this on every grid, not only of the grid
 * stride: the denoiser's U-Net halves the 1/8 latent once, so the latent's sides must be even.
 */
export const PAD_MULTIPLE = 2 * LATENT_STRIDE;
export const CODEBOOK_SIZE = 256;
export const MAX_DENOISER_STEPS = 8;
export const DEFAULT_DENOISER_STEPS = 4;
/**
 * Width of the denoiser's text-embedding input. Today's models are trained with zeros there and the
 * codec feeds zeros; a text-conditioned model keeps the graph interface and this codec then only needs
 * a text encoder producing this vector from KeyframeDecodeOptions.text.
 */
export const TEXT_EMBEDDING_DIM = 64;

const FORMAT_VERSION = 1;
const HEADER_BYTES = 1;

export function learnedSlots(grid: TokenGrid): { encoder: string; tokens: string; denoiser: string; decoder: string; prior: string } {
  return {
    encoder: `kf-encoder-${grid}`,
    tokens: `kf-tokens-${grid}`,
    denoiser: `kf-denoiser-${grid}`,
    decoder: `kf-decoder-${grid}`,
    prior: `kf-token-prior-${grid}`,
  };
}

/** The grids whose five models the pack provides, coarse first. */
export function availableGrids(manifest: ModelManifest): TokenGrid[] {
  const slots = new Set(manifest.models.map((m) => m.slot));
  return TOKEN_GRIDS.filter((g) => Object.values(learnedSlots(g)).every((s) => slots.has(s)));
}

export interface LearnedCodecOptions {
  /** Grids to use (default: every grid the pack provides). The encoder tries the finest first. */
  readonly grids?: readonly TokenGrid[];
  /** Euler steps of the denoiser, 0..8 (default 4); 0 decodes z^ directly ("without diffusion"). */
  readonly denoiserSteps?: number;
}

interface Padded {
  readonly width: number;
  readonly height: number;
}

function paddedSize(width: number, height: number, grid: TokenGrid): Padded {
  const m = Math.max(GRID_STRIDE[grid], PAD_MULTIPLE);
  return { width: Math.ceil(width / m) * m, height: Math.ceil(height / m) * m };
}

function fromPlanar(planar: Float32Array, pad: Padded, width: number, height: number): RgbFrame {
  const frame = makeFrame(width, height);
  const plane = pad.width * pad.height;
  const q = (v: number): number => Math.min(255, Math.max(0, Math.round(v * 255)));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = y * pad.width + x;
      const d = (y * width + x) * 3;
      frame.data[d] = q(planar[s]);
      frame.data[d + 1] = q(planar[plane + s]);
      frame.data[d + 2] = q(planar[2 * plane + s]);
    }
  }
  return frame;
}

function floatData(t: Tensor, what: string): Float32Array {
  if (t.type !== 'float32') throw new M3cError('model', `${what} returned ${t.type}, expected float32`);
  return t.data as Float32Array;
}

export function parseLearnedHeader(payload: Uint8Array): { grid: TokenGrid } {
  if (payload.length < HEADER_BYTES) throw new M3cError('corrupt-bitstream', 'learned keyframe payload is empty');
  const version = payload[0] >> 4;
  if (version !== FORMAT_VERSION) {
    throw new M3cError('corrupt-bitstream', `keyframe payload has format version ${version}; ${LEARNED_CODEC_ID} reads version ${FORMAT_VERSION}`);
  }
  const grid = TOKEN_GRIDS[payload[0] & 0x0f];
  if (grid === undefined) throw new M3cError('corrupt-bitstream', `keyframe payload has unknown token grid code ${payload[0] & 0x0f}`);
  return { grid };
}

export class LearnedKeyframeCodec implements KeyframeCodec {
  readonly id = LEARNED_CODEC_ID;
  readonly grids: readonly TokenGrid[];
  readonly denoiserSteps: number;
  private readonly cache: SessionCache;
  private readonly priors = new Map<TokenGrid, Promise<number[]>>();

  /** Refuses (M3cError 'model') a pack without the models of the requested grids. */
  constructor(cache: SessionCache, options: LearnedCodecOptions = {}) {
    const present = availableGrids(cache.manifest);
    const wanted = options.grids ?? present;
    const missing = TOKEN_GRIDS.filter((g) => wanted.includes(g) && !present.includes(g));
    if (wanted.length === 0 || missing.length > 0) {
      const which = missing.length > 0 ? missing : TOKEN_GRIDS;
      throw new M3cError(
        'model',
        `model pack ${cache.manifest.packId} lacks the learned keyframe codec models (${which.map((g) => Object.values(learnedSlots(g)).join(', ')).join('; ')}): install a pack that provides them or use the classical codec`,
      );
    }
    const steps = options.denoiserSteps ?? DEFAULT_DENOISER_STEPS;
    if (!Number.isInteger(steps) || steps < 0 || steps > MAX_DENOISER_STEPS) {
      throw new M3cError('usage', `denoiser steps ${steps} must be an integer in 0..${MAX_DENOISER_STEPS}`);
    }
    this.cache = cache;
    this.grids = TOKEN_GRIDS.filter((g) => wanted.includes(g));
    this.denoiserSteps = steps;
  }

  /** Loads the pack in `dir` (default resources/models); M3cError('model') when it or its models are absent. */
  static open(dir?: string, options: LearnedCodecOptions & SessionCacheOptions = {}): LearnedKeyframeCodec {
    return new LearnedKeyframeCodec(new SessionCache(loadManifest(dir), options), options);
  }

  async encode(frame: RgbFrame, options: KeyframeEncodeOptions): Promise<Uint8Array> {
    throwIfAborted(options.signal);
    // Finest first: it spends more bytes, so it is used only where it fits the budget.
    const order = [...this.grids].reverse();
    let payload: Uint8Array | undefined;
    for (const grid of order) {
      payload = await this.encodeGrid(frame, grid, options.signal);
      if (payload.length <= options.budgetBytes) break;
    }
    return payload as Uint8Array;
  }

  async decode(payload: Uint8Array, geometry: Geometry, options: KeyframeDecodeOptions): Promise<RgbFrame> {
    throwIfAborted(options.signal);
    const { grid } = parseLearnedHeader(payload);
    if (!this.grids.includes(grid)) {
      throw new M3cError('model', `this keyframe uses the ${grid} token grid, whose models this codec does not load: install a pack that provides ${learnedSlots(grid).encoder}`);
    }
    const slots = learnedSlots(grid);
    const pad = paddedSize(geometry.width, geometry.height, grid);
    const cols = pad.width / GRID_STRIDE[grid];
    const rows = pad.height / GRID_STRIDE[grid];
    const decoded = decodeTokenMap(payload.subarray(HEADER_BYTES), cols, rows, { alphabetSize: CODEBOOK_SIZE, prior: await this.prior(grid, options.signal) });
    if (!decoded.ok) throw new M3cError('corrupt-bitstream', `learned keyframe: ${decoded.message}`);
    const tokens = new BigInt64Array(decoded.tokens.length);
    for (let i = 0; i < tokens.length; i++) tokens[i] = BigInt(decoded.tokens[i]);
    const zhatOut = await this.cache.run(slots.tokens, { tokens: new Tensor('int64', tokens, [1, rows, cols]) }, options.signal);
    const zhat = zhatOut.zhat;
    let latent = zhat;
    if (this.denoiserSteps > 0) {
      const text = new Tensor('float32', new Float32Array(TEXT_EMBEDDING_DIM), [1, TEXT_EMBEDDING_DIM]);
      let x: Tensor = new Tensor('float32', gaussianNoise(options.seed, zhat.size), zhat.dims);
      const dt = new Tensor('float32', Float32Array.of(1 / this.denoiserSteps), [1]);
      for (let k = 0; k < this.denoiserSteps; k++) {
        const t = new Tensor('float32', Float32Array.of(k / this.denoiserSteps), [1]);
        x = (await this.cache.run(slots.denoiser, { x, cond: zhat, t, dt, text }, options.signal)).x_next;
      }
      latent = x;
    }
    const rgb = (await this.cache.run(slots.decoder, { latent }, options.signal)).rgb;
    if (rgb.dims[2] !== pad.height || rgb.dims[3] !== pad.width) {
      throw new M3cError('model', `${slots.decoder} returned ${rgb.dims.join('x')}, expected 1x3x${pad.height}x${pad.width}`);
    }
    return fromPlanar(floatData(rgb, slots.decoder), pad, geometry.width, geometry.height);
  }

  async dispose(): Promise<void> {
    await this.cache.dispose();
  }

  private async encodeGrid(frame: RgbFrame, grid: TokenGrid, signal?: AbortSignal): Promise<Uint8Array> {
    const slots = learnedSlots(grid);
    const pad = paddedSize(frame.width, frame.height, grid);
    const rgb = new Tensor('float32', toPlanar(frame, pad), [1, 3, pad.height, pad.width]);
    const out = (await this.cache.run(slots.encoder, { rgb }, signal)).tokens;
    const cols = pad.width / GRID_STRIDE[grid];
    const rows = pad.height / GRID_STRIDE[grid];
    if (out.type !== 'int64' || out.size !== rows * cols) {
      throw new M3cError('model', `${slots.encoder} returned ${out.type} ${out.dims.join('x')}, expected int64 1x${rows}x${cols}`);
    }
    const data = out.data as BigInt64Array;
    const tokens = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) {
      const v = Number(data[i]);
      if (v < 0 || v >= CODEBOOK_SIZE) throw new M3cError('model', `${slots.encoder} returned token ${v} outside 0..${CODEBOOK_SIZE - 1}`);
      tokens[i] = v;
    }
    const coded = encodeTokenMap(tokens, cols, rows, { alphabetSize: CODEBOOK_SIZE, prior: await this.prior(grid, signal) });
    const payload = new Uint8Array(HEADER_BYTES + coded.length);
    payload[0] = (FORMAT_VERSION << 4) | TOKEN_GRIDS.indexOf(grid);
    payload.set(coded, HEADER_BYTES);
    return payload;
  }

  /** The learned integer counts of the token-map coder, read once from the pack's lookup-table model. */
  private prior(grid: TokenGrid, signal?: AbortSignal): Promise<number[]> {
    let p = this.priors.get(grid);
    if (!p) {
      const slot = learnedSlots(grid).prior;
      const symbols = new BigInt64Array(CODEBOOK_SIZE);
      for (let i = 0; i < CODEBOOK_SIZE; i++) symbols[i] = BigInt(i);
      p = this.cache.run(slot, { symbol: new Tensor('int64', symbols, [CODEBOOK_SIZE]) }, signal).then((out) => {
        const counts = out.count;
        if (counts.type !== 'int32' || counts.size !== CODEBOOK_SIZE) {
          throw new M3cError('model', `${slot} returned ${counts.type} [${counts.dims.join(',')}], expected int32 [${CODEBOOK_SIZE}]`);
        }
        const table = Array.from(counts.data as Int32Array);
        if (table.some((c) => c < 1)) throw new M3cError('model', `${slot} holds a count below 1: reinstall model pack ${this.cache.manifest.packId}`);
        return table;
      });
      const pending = p;
      // A failed read (e.g. cancelled) must not poison later calls.
      pending.catch(() => {
        if (this.priors.get(grid) === pending) this.priors.delete(grid);
      });
      this.priors.set(grid, p);
    }
    return p;
  }
}
