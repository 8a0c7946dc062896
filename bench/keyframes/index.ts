/**
 * The keyframe codec benchmark (`m3c bench keyframes`, docs/keyframes-bench.md): what the command and
 * the tests use. definitions.ts: rows, constants, result shapes; images.ts: the Kodak and clip
 * images; equal-bytes.ts: AV1 at ours's bytes; panels.ts: the side-by-side pictures; run.ts: the
 * measurement; report.ts: terminal summary, Markdown and JSON.
 */
export * from './definitions.ts';
export { benchKeyframes } from './run.ts';
export { averagesText, renderBenchReport, writeBenchReport } from './report.ts';
export { encodeNearBytes, type NearBytesResult } from './equal-bytes.ts';
