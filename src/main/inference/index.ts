export {
  canonicalJson,
  defaultModelsDir,
  loadManifest,
  MANIFEST_FILE,
  MANIFEST_SCHEMA,
  modelPackHash,
  modelPath,
  packHashHex,
  parseManifest,
  sha256File,
  type ModelEntry,
  type ModelManifest,
  type TensorDtype,
  type TensorSpec,
} from './manifest.ts';
export { assertSamePack, PACK_HASH_BYTES } from './pack.ts';
export {
  cudaAvailability,
  resolvePreference,
  type CudaAvailability,
  type ExecutionProviderName,
  type ExecutionProviderPreference,
} from './execution-provider.ts';
export { SessionCache, type Feeds, type Outputs, type SessionCacheOptions } from './session-cache.ts';
export { Tensor } from 'onnxruntime-node';
