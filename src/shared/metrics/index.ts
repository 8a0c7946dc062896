export type { Plane } from './luma.ts';
export { lumaBt601 } from './luma.ts';
export { PSNR_CAP_DB, capPsnr, psnrFromMse, mseRgb, psnrRgb, mseLuma, psnrLuma } from './psnr.ts';
export { MS_SSIM_WEIGHTS, ssim, ssimPlane, msSsim, msSsimPlane, msSsimScales, downsample2 } from './ssim.ts';
export {
  HF_SIGMA,
  GRADIENT_BINS,
  highFrequencyEnergy,
  highFrequencyEnergyRatio,
  gradientHistogram,
  gradientHistogramDistance,
} from './perception.ts';
