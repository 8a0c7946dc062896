export type { FrameSignals, FrameSignalsInit } from './signals.ts';
export { makeFrameSignals, serialiseFrameSignals, deserialiseFrameSignals } from './signals.ts';
export { flowFieldToGrid, FlowComposer } from './flow-grid.ts';
export type { SelectionStrategy, KeyframeOverrides, SelectionParams, SelectionTrace, SelectionResult } from './select.ts';
export { selectKeyframes, DEFAULT_SELECTION } from './select.ts';
export type { BitrateEstimate } from './bitrate.ts';
export { estimateBitrate } from './bitrate.ts';
