export { locateFfmpeg, type FfmpegLocation, type LocateOptions } from './locate.ts';
export { runFfmpeg, type RunFfmpegOptions } from './job.ts';
export { parseProgressLine, ProgressTracker, type Progress, type ProgressUpdate } from './progress.ts';
export { probe, displaySize, sourceInputArgs, sourceInputOptions, SOURCE_DEMUXERS, SUPPORTED_CONTAINERS, type ProbeInfo } from './probe.ts';
export { decodeFrames, readVideoFrames, expectedFrameCount, type DecodeOptions } from './decode.ts';
export { encodeMp4, DEFAULT_CRF, DEFAULT_PRESET, type EncodeOptions } from './encode.ts';
export { SCALER_FLAGS, fitFilters, type Fit } from './geometry.ts';
export { readImage, encodePng } from './image.ts';
export { pickFrames, type PickedFrame } from './pick-frames.ts';
