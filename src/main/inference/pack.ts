import { M3cError } from '../../shared/engine/errors.ts';
import { modelPackHash, packHashHex, type ModelManifest } from './manifest.ts';

export const PACK_HASH_BYTES = 8;

/**
 * Throws M3cError('model') unless the bitstream's pack (id and 8-byte hash, as written by the encoder)
 * is the installed one: decoding with other models would produce wrong frames without any error.
 */
export function assertSamePack(fileId: string, fileHash: Uint8Array, manifest: ModelManifest): void {
  if (fileHash.length !== PACK_HASH_BYTES) {
    throw new M3cError('corrupt-bitstream', `model pack hash has ${fileHash.length} bytes, expected ${PACK_HASH_BYTES}`);
  }
  const installed = modelPackHash(manifest);
  const fileHex = packHashHex(fileHash);
  const installedHex = packHashHex(installed);
  if (fileId === manifest.packId && fileHex === installedHex) return;
  // Same id with other contents: the id alone would not tell the user which pack to fetch.
  const wanted = fileId === manifest.packId ? `${fileId} (hash ${fileHex})` : fileId;
  throw new M3cError(
    'model',
    `this .m3c was made with model pack ${fileId} (hash ${fileHex}), installed is ${manifest.packId} (hash ${installedHex}): install pack ${wanted} to decode it`,
  );
}
