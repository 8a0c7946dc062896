export {
  LmmClient,
  DEFAULT_BASE_URL,
  DEFAULT_MODEL,
  DEFAULT_DEADLINE_MS,
  type ChatMessage,
  type ChatResult,
  type ContentPart,
  type LmmClientOptions,
  type LmmSettings,
  type ModelList,
} from './client.ts';
export {
  describeVideo,
  describeItem,
  checkEndpoint,
  clipFramesShown,
  keyframeTurns,
  clipTurns,
  DEFAULT_ROUNDS,
  DEFAULT_KEYFRAME_BUDGET_CHARS,
  DEFAULT_CLIP_BUDGET_CHARS,
  type DescribeOptions,
  type DescribeContext,
  type DescribeProgress,
  type DescribeVideoRequest,
  type DescribeVideoResult,
  type DescribeItemRequest,
  type Description,
  type FinishedDescription,
  type DialogueRounds,
  type FrameSource,
  type ItemDescription,
  type RegionsOutcome,
  type TextCoder,
} from './describe.ts';
export { parseRegionsAnswer, firstJsonValue, DEFAULT_MAX_REGIONS, type GroundedRegion } from './grounding.ts';
export { sampleClipFrames, DEFAULT_CLIP_SAMPLE_FRAMES } from '../../shared/dialogue/index.ts';
export { answerCacheKey, imageHash, type RoundResult, type RoundEvent, type SideResult, type Turn } from './dialogue.ts';
export {
  loadPromptSet,
  resolvePrompts,
  renderTemplate,
  itemKey,
  variablesFor,
  TEMPLATE_IDS,
  DEFAULT_PROMPTS_DIR,
  type PromptConfig,
  type PromptOverrides,
  type PromptSet,
  type TemplateId,
  type ItemKind,
} from './prompts.ts';
export { MemoryLmmRecords, type LmmRecords, type RoundRecord, type TranscriptStart, type TranscriptEnd } from './records.ts';
export { encodePng, pngDataUrl } from './png.ts';
