// CRC-32 (IEEE 802.3, the polynomial of zlib, gzip and PNG) guards every spool record and the cursor file.
// Node >= 20.15 ships a native zlib.crc32; the workspace accepts any Node 20, so older releases fall back to a
// table-driven implementation with identical results (the spec checks both against known vectors).
import * as zlib from 'zlib';

const TABLE = ((): Uint32Array => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** Portable CRC-32; `previous` continues a running checksum, like zlib.crc32's second argument. */
export function crc32Portable(data: Uint8Array, previous = 0): number {
  let crc = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) crc = TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

// The type declarations always list zlib.crc32; at run time it is missing before Node 20.15.
const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

/** CRC-32 of `data`, continuing from `previous` (0 to start). */
export const crc32: (data: Uint8Array, previous?: number) => number =
  typeof native === 'function' ? (data, previous = 0) => native(data, previous) >>> 0 : crc32Portable;
