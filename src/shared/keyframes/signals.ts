/**
 * Per-frame signals of one video, computed once by the analysis stage and stored (SQLite blob) so that
 * keyframe selection can be re-run with any parameters without touching the pixels again.
 *
 * Units of the flow grids: every vector is a displacement expressed as a FRACTION OF THE FRAME DIAGONAL
 * (0.01 = one hundredth of the diagonal, about 6 px at 512x320), which keeps thresholds independent of the
 * analysis resolution. Grid point (i, j) sits at the centre of cell i of `gridWidth` columns and cell j of
 * `gridHeight` rows; the vector there is the mean flow of that cell.
 */
import { M3cError } from '../engine/errors.ts';

export interface FrameSignals {
  readonly frameCount: number;
  /** Size of the frames that were analysed; only their aspect ratio matters to flow composition. */
  readonly frameWidth: number;
  readonly frameHeight: number;
  /** Identifier of the ImageEmbedder that produced `embeddings`. */
  readonly embedderId: string;
  /** Identifier of the FlowEstimator that produced `flow`. */
  readonly flowId: string;
  /** Length of one embedding vector. */
  readonly embeddingDim: number;
  /** frameCount * embeddingDim values; frame n's vector starts at n * embeddingDim and is L2-normalised. */
  readonly embeddings: Float32Array;
  readonly gridWidth: number;
  readonly gridHeight: number;
  /**
   * frameCount * gridWidth * gridHeight * 2 values: for frame n, the flow from frame n-1 to frame n, as (x, y)
   * pairs row-major over the grid, in fractions of the frame diagonal. Frame 0's field is all zeros.
   */
  readonly flow: Float32Array;
}

/** What the analysis provides; the frame count is derived from it. */
export type FrameSignalsInit = Omit<FrameSignals, 'frameCount'>;

/** Checks the sizes agree and derives the frame count; throws M3cError('internal') on inconsistent data. */
export function makeFrameSignals(init: FrameSignalsInit): FrameSignals {
  const bad = (what: string): M3cError => new M3cError('internal', `inconsistent frame signals: ${what}`);
  if (!(init.frameWidth > 0 && init.frameHeight > 0)) throw bad(`frame size ${init.frameWidth}x${init.frameHeight}`);
  if (!(Number.isInteger(init.embeddingDim) && init.embeddingDim > 0)) throw bad(`embedding dimension ${init.embeddingDim}`);
  if (!(Number.isInteger(init.gridWidth) && init.gridWidth > 0 && Number.isInteger(init.gridHeight) && init.gridHeight > 0)) {
    throw bad(`flow grid ${init.gridWidth}x${init.gridHeight}`);
  }
  if (init.embeddings.length % init.embeddingDim !== 0) throw bad('embeddings length is not a multiple of the dimension');
  const frameCount = init.embeddings.length / init.embeddingDim;
  const perFrame = init.gridWidth * init.gridHeight * 2;
  if (init.flow.length !== frameCount * perFrame) {
    throw bad(`flow holds ${init.flow.length} values, expected ${frameCount * perFrame} for ${frameCount} frames`);
  }
  return { ...init, frameCount };
}

const MAGIC = [0x4d, 0x33, 0x4b, 0x53]; // "M3KS"
const VERSION = 1;
const FIXED_HEADER = 32;

/**
 * Layout (little-endian): magic "M3KS", u8 version, 3 zero bytes, u32 frameCount, u32 frameWidth,
 * u32 frameHeight, u32 embeddingDim, u16 gridWidth, u16 gridHeight, u16 embedderId byte length,
 * u16 flowId byte length, the two ids (UTF-8), zero padding to a multiple of 4, the embeddings (f32),
 * then the flow (f32).
 */
export function serialiseFrameSignals(s: FrameSignals): Uint8Array {
  const enc = new TextEncoder();
  const embId = enc.encode(s.embedderId);
  const flowId = enc.encode(s.flowId);
  if (embId.length > 0xffff || flowId.length > 0xffff || s.gridWidth > 0xffff || s.gridHeight > 0xffff) {
    throw new M3cError('internal', 'frame signals too large to serialise');
  }
  const headerLen = align4(FIXED_HEADER + embId.length + flowId.length);
  const out = new Uint8Array(headerLen + 4 * (s.embeddings.length + s.flow.length));
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  dv.setUint8(4, VERSION);
  dv.setUint32(8, s.frameCount, true);
  dv.setUint32(12, s.frameWidth, true);
  dv.setUint32(16, s.frameHeight, true);
  dv.setUint32(20, s.embeddingDim, true);
  dv.setUint16(24, s.gridWidth, true);
  dv.setUint16(26, s.gridHeight, true);
  dv.setUint16(28, embId.length, true);
  dv.setUint16(30, flowId.length, true);
  out.set(embId, FIXED_HEADER);
  out.set(flowId, FIXED_HEADER + embId.length);
  let o = headerLen;
  for (let i = 0; i < s.embeddings.length; i++, o += 4) dv.setFloat32(o, s.embeddings[i], true);
  for (let i = 0; i < s.flow.length; i++, o += 4) dv.setFloat32(o, s.flow[i], true);
  return out;
}

/** Inverse of serialiseFrameSignals; throws M3cError('store') for bytes that are not a complete signals blob. */
export function deserialiseFrameSignals(bytes: Uint8Array): FrameSignals {
  const corrupt = (why: string): M3cError =>
    new M3cError('store', `stored keyframe signals are unreadable (${why}); re-run the analysis of this video`);
  if (bytes.length < FIXED_HEADER) throw corrupt('too short');
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) throw corrupt('bad magic');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint8(4);
  if (version !== VERSION) throw corrupt(`version ${version}, this build reads ${VERSION}`);
  const frameCount = dv.getUint32(8, true);
  const frameWidth = dv.getUint32(12, true);
  const frameHeight = dv.getUint32(16, true);
  const embeddingDim = dv.getUint32(20, true);
  const gridWidth = dv.getUint16(24, true);
  const gridHeight = dv.getUint16(26, true);
  const embLen = dv.getUint16(28, true);
  const flowLen = dv.getUint16(30, true);
  const headerLen = align4(FIXED_HEADER + embLen + flowLen);
  const nEmb = frameCount * embeddingDim;
  const nFlow = frameCount * gridWidth * gridHeight * 2;
  // Checked before allocating so a damaged header cannot request an unbounded buffer.
  if (bytes.length !== headerLen + 4 * (nEmb + nFlow)) throw corrupt('length does not match the header');
  const dec = new TextDecoder('utf-8', { fatal: true });
  let embedderId: string;
  let flowId: string;
  try {
    embedderId = dec.decode(bytes.subarray(FIXED_HEADER, FIXED_HEADER + embLen));
    flowId = dec.decode(bytes.subarray(FIXED_HEADER + embLen, FIXED_HEADER + embLen + flowLen));
  } catch {
    throw corrupt('ids are not UTF-8');
  }
  const embeddings = new Float32Array(nEmb);
  const flow = new Float32Array(nFlow);
  let o = headerLen;
  for (let i = 0; i < nEmb; i++, o += 4) embeddings[i] = dv.getFloat32(o, true);
  for (let i = 0; i < nFlow; i++, o += 4) flow[i] = dv.getFloat32(o, true);
  try {
    return makeFrameSignals({ frameWidth, frameHeight, embedderId, flowId, embeddingDim, embeddings, gridWidth, gridHeight, flow });
  } catch (e) {
    throw corrupt(e instanceof Error ? e.message : 'invalid header');
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
