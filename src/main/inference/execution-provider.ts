import { listSupportedBackends } from 'onnxruntime-node';
import { M3cError } from '../../shared/engine/errors.ts';

/** What the caller asks for: CPU, CUDA (fall back to CPU with a notice), or CUDA only when this build bundles it. */
export type ExecutionProviderPreference = 'cpu' | 'cuda' | 'auto';
export type ExecutionProviderName = 'cpu' | 'cuda';

const PREFERENCES: readonly ExecutionProviderPreference[] = ['cpu', 'cuda', 'auto'];

/** M3C_EP, when set, overrides the caller's preference: it is the user's switch for an installed app. */
export function resolvePreference(
  requested: ExecutionProviderPreference | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ExecutionProviderPreference {
  const fromEnv = env.M3C_EP?.trim().toLowerCase();
  if (fromEnv) {
    if (!PREFERENCES.includes(fromEnv as ExecutionProviderPreference)) {
      throw new M3cError('usage', `M3C_EP=${env.M3C_EP} is not an execution provider: use cpu, cuda or auto`);
    }
    return fromEnv as ExecutionProviderPreference;
  }
  return requested ?? 'cpu';
}

export type CudaAvailability = 'bundled' | 'add-on' | 'absent';

/** How this onnxruntime-node build offers CUDA: in the package, as a separately installed add-on, or not at all. */
export function cudaAvailability(): CudaAvailability {
  const cuda = listSupportedBackends().find((b) => b.name === 'cuda');
  if (!cuda) return 'absent';
  return cuda.bundled ? 'bundled' : 'add-on';
}

/** The provider to try first, with a notice when that is not what the caller asked for. */
export function firstChoice(preference: ExecutionProviderPreference, cuda: CudaAvailability): { provider: ExecutionProviderName; notice?: string } {
  if (preference === 'cpu') return { provider: 'cpu' };
  if (preference === 'auto') return { provider: cuda === 'bundled' ? 'cuda' : 'cpu' };
  if (cuda === 'absent') {
    return { provider: 'cpu', notice: 'CUDA was requested but this onnxruntime-node build has no CUDA execution provider; running models on CPU' };
  }
  // 'add-on': the provider library may have been installed separately; only creating a session can tell.
  return { provider: 'cuda' };
}
