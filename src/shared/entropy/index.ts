export {
  AdaptiveModel,
  BinaryModel,
  ContextModels,
  StaticModel,
  normalizeCounts,
  BIT_PROB_BITS,
  MAX_ALPHABET,
  MAX_COUNT,
  MAX_TOTAL_FREQ,
} from './models.ts';
export type { AdaptiveModelOptions, BinaryModelOptions, FrequencyModel } from './models.ts';
export { RangeDecoder, RangeEncoder, MAX_BITS, MAX_UINT } from './range-coder.ts';
export { decodeTokenMap, encodeTokenMap, MAX_TOKEN_MAP_CELLS } from './token-map.ts';
export type { TokenMapDecodeResult, TokenMapOptions } from './token-map.ts';
