export { AppearanceEmbedder, appearanceDescriptor, APPEARANCE_DIM } from './appearance.ts';
export type { AnalyzeOptions } from './analyze.ts';
export { analyzeFrames, DEFAULT_FLOW_GRID } from './analyze.ts';
