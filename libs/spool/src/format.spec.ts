import fc from 'fast-check';
import { crc32, crc32Portable } from './crc32';
import { decodeFrameAt, encodeFrame, FRAME_HEADER_BYTES, recordBytes, scanFrames } from './format';

describe('crc32', () => {
  it('matches the standard check value, natively and portably', () => {
    const check = Buffer.from('123456789');
    expect(crc32(check)).toBe(0xcbf43926);
    expect(crc32Portable(check)).toBe(0xcbf43926);
    expect(crc32Portable(Buffer.alloc(0))).toBe(0);
  });

  it('agrees with the native implementation, also when continued in pieces', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(300), (data, cut) => {
        const at = Math.min(cut, data.length);
        const whole = crc32Portable(data);
        expect(crc32(data)).toBe(whole);
        expect(crc32Portable(data.subarray(at), crc32Portable(data.subarray(0, at)))).toBe(whole);
      }),
    );
  });
});

describe('record frames', () => {
  it('round-trips header and payload, and recordBytes predicts the size', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('event', 'telemetry'),
        fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }),
        fc.maxSafeNat(),
        fc.maxSafeNat(),
        fc.uint8Array({ maxLength: 200 }),
        (cls, id, seq, time, payload) => {
          const frame = encodeFrame(cls, seq, time, id, payload);
          expect(frame.length).toBe(recordBytes(cls, id, payload.length));
          const r = decodeFrameAt(frame, 0);
          if (!r.ok) throw new Error(`decode failed: ${r.reason}`);
          expect(r.end).toBe(frame.length);
          expect({ ...r.record, payload: Buffer.from(r.record.payload) }).toEqual({ cls, seq, enqueuedAt: time, id, payload: Buffer.from(payload) });
        },
      ),
    );
  });

  it('detects any single flipped bit', () => {
    const frame = encodeFrame('event', 7, 1_700_000_000_000, 'e-7', Buffer.from('payload bytes'));
    for (let bit = 0; bit < frame.length * 8; bit++) {
      const damaged = Buffer.from(frame);
      damaged[bit >> 3] ^= 1 << (bit & 7);
      expect(decodeFrameAt(damaged, 0).ok).toBe(false);
    }
  });

  it('reports a frame cut short as short, whatever the cut', () => {
    const frame = encodeFrame('event', 1, 2, 'id', Buffer.alloc(50, 7));
    for (let len = 0; len < frame.length; len++) {
      expect(decodeFrameAt(frame.subarray(0, len), 0)).toEqual({ ok: false, reason: 'short' });
    }
  });
});

describe('scanFrames', () => {
  const frames = [0, 1, 2, 3].map((seq) => encodeFrame('telemetry', seq, 1000 + seq, `t-${seq}`, Buffer.alloc(40 + seq, seq)));
  const file = Buffer.concat(frames);
  const starts = frames.map((_, i) => frames.slice(0, i).reduce((n, f) => n + f.length, 0));

  it('reads a clean segment completely', () => {
    const scan = scanFrames(file);
    expect(scan.frames.map((f) => f.record.seq)).toEqual([0, 1, 2, 3]);
    expect(scan).toMatchObject({ validEnd: file.length, truncatedBytes: 0, corruptRegions: 0 });
  });

  it('cuts a torn tail at the last intact frame, for every cut point', () => {
    for (let len = starts[3]; len < file.length; len++) {
      const scan = scanFrames(file.subarray(0, len));
      expect(scan.frames.map((f) => f.record.seq)).toEqual([0, 1, 2]);
      expect(scan.validEnd).toBe(starts[3]);
      expect(scan.truncatedBytes).toBe(len - starts[3]);
    }
  });

  it('treats zeros after the last frame (a preallocated or half-flushed tail) as torn', () => {
    const scan = scanFrames(Buffer.concat([file, Buffer.alloc(100)]));
    expect(scan.frames).toHaveLength(4);
    expect(scan.truncatedBytes).toBe(100);
  });

  it('skips a damaged frame in the middle and resyncs on the next one, wherever the damage is', () => {
    for (let at = starts[1]; at < starts[2]; at++) {
      const damaged = Buffer.from(file);
      damaged[at] ^= 0x10;
      const scan = scanFrames(damaged);
      expect(scan.frames.map((f) => f.record.seq)).toEqual([0, 2, 3]);
      expect(scan).toMatchObject({ corruptRegions: 1, corruptBytes: frames[1].length, truncatedBytes: 0, validEnd: file.length });
    }
  });

  it('survives a damaged length field that points past the end of the file', () => {
    const damaged = Buffer.from(file);
    damaged.writeUInt32LE(0x7fffffff, starts[1] + 4);
    expect(scanFrames(damaged).frames.map((f) => f.record.seq)).toEqual([0, 2, 3]);
  });

  it('never throws and never returns a frame that was not written, on arbitrary damage', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(file.length - 1), fc.integer({ min: 1, max: 255 })), { maxLength: 6 }), fc.nat(file.length), (flips, cut) => {
        const damaged = Buffer.from(file.subarray(0, Math.max(FRAME_HEADER_BYTES, cut)));
        for (const [at, mask] of flips) if (at < damaged.length) damaged[at] ^= mask;
        const scan = scanFrames(damaged);
        for (const f of scan.frames) expect(Buffer.from(damaged.subarray(f.offset, f.offset + f.bytes))).toEqual(frames[f.record.seq]);
        expect(scan.validEnd + scan.truncatedBytes).toBe(damaged.length);
      }),
    );
  });
});
