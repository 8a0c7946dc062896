import type { Migration } from './migration.ts';

/**
 * The decode of a finished encode and its comparison with the source, which before this step lived in
 * `encode-<id>.compare.json` files beside the encode (the studio moves those in when it opens a folder).
 * One row per encode: decoding again replaces it, as it replaces the reconstruction file. Per-frame PSNR and
 * MS-SSIM are little-endian float64 arrays of `frames` values (a BLOB keeps PSNR's Infinity for identical
 * frames, which JSON cannot). recon_path is the reconstruction's path relative to the project's folder.
 */
const migration: Migration = {
  version: 4,
  name: 'decodes',
  sql: `
CREATE TABLE decodes (
  id          INTEGER PRIMARY KEY,
  encode_id   INTEGER NOT NULL UNIQUE REFERENCES encodes(id) ON DELETE CASCADE,
  frames      INTEGER NOT NULL CHECK (frames >= 0),
  psnr        BLOB    NOT NULL CHECK (length(psnr) = 8 * frames),
  msssim      BLOB    NOT NULL CHECK (length(msssim) = 8 * frames),
  mean_psnr   REAL    NOT NULL,
  mean_msssim REAL    NOT NULL,
  recon_path  TEXT    NOT NULL CHECK (length(recon_path) > 0),
  created_at  INTEGER NOT NULL
);
`,
};

export default migration;
