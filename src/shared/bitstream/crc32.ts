/** CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of every `.m3c` section. */

const TABLE = buildTable();

function buildTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * CRC-32 of `data` as an unsigned 32-bit integer; crc32("123456789") = 0xCBF43926.
 * Passing the CRC of preceding bytes as `previous` continues it: crc32(b, crc32(a)) = crc32(a ++ b).
 */
export function crc32(data: Uint8Array, previous = 0): number {
  let c = ~previous;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
