// The on-disk record frame. A segment file is nothing but frames back to back:
//
//   frame  = magic u32 BE ('SPL1') | length u32 LE | crc u32 LE | body (length bytes)
//   body   = version u8 (1) | classLen u8 | idLen u16 LE | seq u64 LE | enqueuedAt u64 LE | class | id | payload
//   crc    = CRC-32 over the 4 length bytes, then the body
//
// The CRC covers the length too, so a bit flip in the length cannot silently re-frame the rest of the file. The magic
// is not needed to read a healthy file; it lets recovery find the next frame after a corrupted one (resync) without
// trying a CRC at every byte offset. `seq` is stored in every record (not derived from its position) so that skipping
// a corrupted record never shifts the identity of the ones after it, which the persisted ack cursor refers to.
import { crc32 } from './crc32';

export const FRAME_MAGIC = 0x53504c31;
const MAGIC_BYTES = Buffer.from([0x53, 0x50, 0x4c, 0x31]);
export const FRAME_HEADER_BYTES = 12;
export const BODY_FIXED_BYTES = 20;
export const FORMAT_VERSION = 1;
/** Ids are event ids (the protocol allows 512 characters); 1 KiB of UTF-8 leaves room and keeps the header small. */
export const MAX_ID_BYTES = 1024;
export const MAX_CLASS_BYTES = 32;
const TWO_32 = 0x1_0000_0000;

export interface RecordHeader {
  cls: string;
  /** Per-class sequence number, strictly increasing in a class's log. */
  seq: number;
  enqueuedAt: number;
  id: string;
}

export interface DecodedRecord extends RecordHeader {
  /** A view into the buffer that was decoded (copy it to keep it beyond that buffer's life). */
  payload: Uint8Array;
}

/** Bytes a record takes on disk, frame included. */
export function frameBytes(clsBytes: number, idBytes: number, payloadBytes: number): number {
  return FRAME_HEADER_BYTES + BODY_FIXED_BYTES + clsBytes + idBytes + payloadBytes;
}

/** Bytes a record of this class, id and payload size takes on disk (what counts against maxBytes). */
export function recordBytes(cls: string, id: string, payloadBytes: number): number {
  return frameBytes(Buffer.byteLength(cls, 'utf8'), Buffer.byteLength(id, 'utf8'), payloadBytes);
}

export function encodeFrame(cls: string, seq: number, enqueuedAt: number, id: string, payload: Uint8Array): Buffer {
  const clsBytes = Buffer.byteLength(cls, 'utf8');
  const idBytes = Buffer.byteLength(id, 'utf8');
  const bodyBytes = BODY_FIXED_BYTES + clsBytes + idBytes + payload.length;
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + bodyBytes);
  frame.writeUInt32BE(FRAME_MAGIC, 0);
  frame.writeUInt32LE(bodyBytes, 4);
  let p = FRAME_HEADER_BYTES;
  frame[p++] = FORMAT_VERSION;
  frame[p++] = clsBytes;
  p = frame.writeUInt16LE(idBytes, p);
  p = writeUint64(frame, seq, p);
  p = writeUint64(frame, enqueuedAt, p);
  p += frame.write(cls, p, 'utf8');
  p += frame.write(id, p, 'utf8');
  frame.set(payload, p);
  frame.writeUInt32LE(crc32(frame.subarray(FRAME_HEADER_BYTES), crc32(frame.subarray(4, 8))), 8);
  return frame;
}

export type DecodeResult = { ok: true; record: DecodedRecord; end: number } | { ok: false; reason: 'short' | 'magic' | 'crc' | 'header' };

/** Decodes the frame starting at `offset`; `end` is where the next one starts. Never throws on bad input. */
export function decodeFrameAt(buf: Buffer, offset: number): DecodeResult {
  if (buf.length - offset < FRAME_HEADER_BYTES) return { ok: false, reason: 'short' };
  if (buf.readUInt32BE(offset) !== FRAME_MAGIC) return { ok: false, reason: 'magic' };
  const bodyBytes = buf.readUInt32LE(offset + 4);
  const start = offset + FRAME_HEADER_BYTES;
  const end = start + bodyBytes;
  if (bodyBytes < BODY_FIXED_BYTES + 2 || end > buf.length) return { ok: false, reason: 'short' };
  const expected = buf.readUInt32LE(offset + 8);
  if (crc32(buf.subarray(start, end), crc32(buf.subarray(offset + 4, offset + 8))) !== expected) return { ok: false, reason: 'crc' };
  // A matching CRC over a malformed body means a writer bug or a future format, not line noise: still refuse it.
  if (buf[start] !== FORMAT_VERSION) return { ok: false, reason: 'header' };
  const clsBytes = buf[start + 1];
  const idBytes = buf.readUInt16LE(start + 2);
  const seq = readUint64(buf, start + 4);
  const enqueuedAt = readUint64(buf, start + 12);
  const clsAt = start + BODY_FIXED_BYTES;
  const idAt = clsAt + clsBytes;
  const payloadAt = idAt + idBytes;
  if (clsBytes < 1 || idBytes < 1 || payloadAt > end || seq === undefined || enqueuedAt === undefined) return { ok: false, reason: 'header' };
  const record: DecodedRecord = {
    cls: buf.toString('utf8', clsAt, idAt),
    seq,
    enqueuedAt,
    id: buf.toString('utf8', idAt, payloadAt),
    payload: buf.subarray(payloadAt, end),
  };
  return { ok: true, record, end };
}

export interface ScannedFrame {
  record: DecodedRecord;
  offset: number;
  bytes: number;
}

export interface ScanResult {
  frames: ScannedFrame[];
  /** Length of the file once its torn tail is cut off; everything before it is frames or skipped corrupt regions. */
  validEnd: number;
  /** Bytes after the last good frame with no good frame behind them: a write cut short (or damage at the end). */
  truncatedBytes: number;
  /** Damaged stretches between good frames, each skipped as one record. */
  corruptRegions: number;
  corruptBytes: number;
}

/**
 * Reads every intact frame of a segment. A damaged frame followed by an intact one is a corrupt region (skipped,
 * counted); a damaged stretch that runs to the end of the file is a torn tail (reported for truncation). Damage can
 * never hide a later intact record: after a bad frame the scan resyncs on the next magic whose frame checks out.
 */
export function scanFrames(buf: Buffer): ScanResult {
  const frames: ScannedFrame[] = [];
  let corruptRegions = 0;
  let corruptBytes = 0;
  let p = 0;
  while (p < buf.length) {
    const r = decodeFrameAt(buf, p);
    if (r.ok) {
      frames.push({ record: r.record, offset: p, bytes: r.end - p });
      p = r.end;
      continue;
    }
    const next = findNextFrame(buf, p + 1);
    if (next < 0) break;
    corruptRegions++;
    corruptBytes += next - p;
    p = next;
  }
  return { frames, validEnd: p, truncatedBytes: buf.length - p, corruptRegions, corruptBytes };
}

function findNextFrame(buf: Buffer, from: number): number {
  for (let at = buf.indexOf(MAGIC_BYTES, from); at >= 0; at = buf.indexOf(MAGIC_BYTES, at + 1)) {
    if (decodeFrameAt(buf, at).ok) return at;
  }
  return -1;
}

// u64 as two u32 halves: sequence numbers and epoch milliseconds stay below 2^53, and this avoids a BigInt per record.
function writeUint64(buf: Buffer, value: number, offset: number): number {
  buf.writeUInt32LE(value % TWO_32, offset);
  buf.writeUInt32LE(Math.floor(value / TWO_32), offset + 4);
  return offset + 8;
}

function readUint64(buf: Buffer, offset: number): number | undefined {
  const value = buf.readUInt32LE(offset + 4) * TWO_32 + buf.readUInt32LE(offset);
  return Number.isSafeInteger(value) ? value : undefined;
}
