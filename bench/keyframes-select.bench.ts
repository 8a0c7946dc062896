/**
 * Micro-benchmark: re-selecting keyframes from stored signals, as the studio does on every slider move.
 * Budget: < 50 ms for 1,000 frames. Run: npx tsx bench/keyframes-select.bench.ts
 */
import { DEFAULT_SELECTION, makeFrameSignals, selectKeyframes } from '../src/shared/keyframes/index.ts';
import type { FrameSignals, SelectionParams } from '../src/shared/keyframes/index.ts';
import { APPEARANCE_DIM, DEFAULT_FLOW_GRID } from '../src/main/analysis/index.ts';

const FRAMES = 1000;
const BUDGET_MS = 50;

/** Deterministic pseudo-random signals: drifting embeddings with a scene change every ~90 frames, jittery flow. */
function syntheticSignals(frames: number): FrameSignals {
  let seed = 12345;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const dim = APPEARANCE_DIM;
  const { width: gw, height: gh } = DEFAULT_FLOW_GRID;
  const embeddings = new Float32Array(frames * dim);
  const flow = new Float32Array(frames * gw * gh * 2);
  const current = new Float32Array(dim);
  for (let n = 0; n < frames; n++) {
    const cut = n % 90 === 0;
    let norm = 0;
    for (let k = 0; k < dim; k++) {
      current[k] = cut ? rand() : Math.max(0, current[k] + (rand() - 0.5) * 0.02);
      norm += current[k] * current[k];
    }
    norm = Math.sqrt(norm);
    for (let k = 0; k < dim; k++) embeddings[n * dim + k] = current[k] / norm;
    if (n > 0) {
      const o = n * gw * gh * 2;
      for (let k = 0; k < gw * gh * 2; k++) flow[o + k] = (rand() - 0.45) * 0.01;
    }
  }
  return makeFrameSignals({
    frameWidth: 512, frameHeight: 320, embedderId: 'synthetic', flowId: 'synthetic',
    embeddingDim: dim, embeddings, gridWidth: gw, gridHeight: gh, flow,
  });
}

function time(signals: FrameSignals, params: SelectionParams, runs: number): { median: number; keyframes: number } {
  let keyframes = 0;
  for (let i = 0; i < 5; i++) keyframes = selectKeyframes(signals, params).keyframes.length;
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    // A new signals object each time: nothing cached, the cost of a first selection.
    const fresh = makeFrameSignals({ ...signals });
    const t = performance.now();
    selectKeyframes(fresh, params);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(runs / 2)], keyframes };
}

const signals = syntheticSignals(FRAMES);
const cases: [string, SelectionParams][] = [
  ['default (motion-semantic)', DEFAULT_SELECTION],
  ['semantic only', { ...DEFAULT_SELECTION, strategy: 'semantic' }],
  ['fixed every 16', { ...DEFAULT_SELECTION, strategy: 'fixed' }],
  ['no limits, high threshold', { ...DEFAULT_SELECTION, threshold: 100, maxClip: undefined, minClip: undefined }],
  ['with overrides', { ...DEFAULT_SELECTION, overrides: { add: [100, 333, 777], remove: [180, 270] } }],
];
console.log(`selectKeyframes on ${FRAMES} frames (embedding ${APPEARANCE_DIM} floats, flow grid ${DEFAULT_FLOW_GRID.width}x${DEFAULT_FLOW_GRID.height})`);
let worst = 0;
for (const [name, params] of cases) {
  const { median, keyframes } = time(signals, params, 21);
  worst = Math.max(worst, median);
  console.log(`  ${name.padEnd(28)} ${median.toFixed(2).padStart(7)} ms median   ${keyframes} keyframes`);
}
console.log(`worst median ${worst.toFixed(2)} ms; budget ${BUDGET_MS} ms: ${worst < BUDGET_MS ? 'within' : 'OVER'}`);
