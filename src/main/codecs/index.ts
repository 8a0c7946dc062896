export {
  ClassicalAv1KeyframeCodec,
  CLASSICAL_AV1_ID,
  CLASSICAL_DEFAULT_BUDGET,
  codedSize,
  parsePayloadHeader,
} from './classical-av1.ts';
