export { makePlane, lumaOf, rgbPlanesOf, frameOfRgbPlanes, meanAbsDiff, type Plane } from './plane.ts';
export { resizeArea, resizeBilinear, lumaArea } from './resize.ts';
export { gaussianKernel, gaussianBlur, blurInto } from './blur.ts';
export { buildPyramid } from './pyramid.ts';
export { sampleBilinear, warpPlane, warpPlaneInto, warpRgb } from './sample.ts';
export {
  makeFlowField,
  flowMagnitudeFraction,
  upsampleFlow,
  consistencyError,
  invertScaledFlow,
} from './flow-field.ts';
export { DenseFlowEstimator, type DenseFlowOptions } from './dense-flow.ts';
export { resizeRgbBicubic, resizeRgbArea, lumaBicubic } from './rgb-resize.ts';
export { yuv420pToRgb, yuv420pBytes } from './yuv.ts';
