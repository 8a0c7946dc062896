export {
  availableGrids,
  CODEBOOK_SIZE,
  DEFAULT_DENOISER_STEPS,
  GRID_STRIDE,
  LATENT_STRIDE,
  LEARNED_CODEC_ID,
  LearnedKeyframeCodec,
  learnedSlots,
  MAX_DENOISER_STEPS,
  parseLearnedHeader,
  TEXT_EMBEDDING_DIM,
  TOKEN_GRIDS,
  type LearnedCodecOptions,
  type TokenGrid,
} from './learned-codec.ts';
export { gaussianNoise, Xoshiro128 } from './noise.ts';
