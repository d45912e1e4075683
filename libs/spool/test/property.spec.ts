// Random sequences of append, ack, clean reopen and crash (reopen of a copy of the live directory), checked against a
// model after every step: what the spool delivers is exactly what was appended, minus what was acknowledged, minus what
// the disk bound dropped, in append order within each class, with drops taken oldest first from the lowest class.
import fc from 'fast-check';
import { FsyncPolicy, Spool, SpoolFullError } from '../src';
import { cleanupTempDirs, crashImage, payloadFor, tempDir } from './helpers';

afterAll(cleanupTempDirs);

type Cls = 'event' | 'telemetry';
const CLASSES: readonly Cls[] = ['event', 'telemetry'];
type Op =
  | { kind: 'append'; cls: Cls; sizes: number[] }
  | { kind: 'ack'; picks: number[]; unknown: boolean }
  | { kind: 'reopen' }
  | { kind: 'crash' };

const MAX_BYTES = 6 * 1024;
const MAX_PAYLOAD = 700;

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('append' as const), cls: fc.constantFrom<Cls>('event', 'telemetry'), sizes: fc.array(fc.nat(MAX_PAYLOAD), { minLength: 1, maxLength: 6 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('ack' as const), picks: fc.array(fc.nat(1000), { maxLength: 8 }), unknown: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'crash' as const }) },
);

const policyArb: fc.Arbitrary<FsyncPolicy> = fc.constantFrom<FsyncPolicy>('always', 'never', { intervalMs: 3 });

describe('spool against a model (property)', () => {
  jest.setTimeout(30_000);

  it('delivered = appended - acknowledged - dropped, in order per class, over appends, acks, reopens and crashes', async () => {
    await fc.assert(
      fc.asyncProperty(policyArb, policyArb, fc.integer({ min: 300, max: 1500 }), fc.array(opArb, { minLength: 1, maxLength: 25 }), async (eventPolicy, telemetryPolicy, segmentBytes, ops) => {
        const options = {
          classes: [
            { name: 'event' as const, fsync: eventPolicy },
            { name: 'telemetry' as const, fsync: telemetryPolicy },
          ],
          maxBytes: MAX_BYTES,
          segmentBytes,
        };
        let dir = tempDir('spool-prop');
        let spool = await Spool.open({ dir, ...options });
        const model: Record<Cls, string[]> = { event: [], telemetry: [] };
        const sizes = new Map<string, number>();
        let dropped: Record<Cls, number> = { event: 0, telemetry: 0 };
        let next = 0;
        try {
          for (const op of ops) {
            const before = spool.metrics.classes;
            if (op.kind === 'append') {
              const ids = op.sizes.map(() => `${op.cls}-${next++}`);
              ids.forEach((id, k) => sizes.set(id, op.sizes[k]));
              const results = await Promise.allSettled(ids.map((id) => spool.append(op.cls, id, payloadFor(id, sizes.get(id)!))));
              results.forEach((r, k) => {
                if (r.status === 'fulfilled') model[op.cls].push(ids[k]);
                // Only a lower class can be refused: events may always displace telemetry and older events.
                else expect(op.cls === 'telemetry' && r.reason instanceof SpoolFullError).toBe(true);
              });
            } else if (op.kind === 'ack') {
              const live = [...model.event, ...model.telemetry];
              const chosen = new Set(live.length > 0 ? op.picks.map((i) => live[i % live.length]) : []);
              const count = await spool.ack(op.unknown ? [...chosen, 'never-appended'] : [...chosen]);
              expect(count).toBe(chosen.size);
              for (const cls of CLASSES) model[cls] = model[cls].filter((id) => !chosen.has(id));
            } else {
              const image = op.kind === 'crash' ? crashImage(dir) : dir;
              await spool.close();
              dir = image;
              spool = await Spool.open({ dir, ...options });
              dropped = { event: 0, telemetry: 0 };
              for (const cls of CLASSES) expect(spool.metrics.classes[cls].recovered).toBe(model[cls].length);
            }

            const records = await spool.peek(100_000);
            expect(records.map((r) => r.class)).toEqual(records.map((r) => r.class).sort());
            const m = spool.metrics;
            expect(m.diskBytes).toBeLessThanOrEqual(MAX_BYTES);
            for (const cls of CLASSES) {
              const got = records.filter((r) => r.class === cls);
              const expected = model[cls];
              // What remains is the newest part of what should remain: drops only ever take the oldest records.
              expect(got.map((r) => r.id)).toEqual(expected.slice(expected.length - got.length));
              dropped[cls] += expected.length - got.length;
              model[cls] = got.map((r) => r.id);
              const c = m.classes[cls];
              expect(c.dropped).toBe(dropped[cls]);
              expect(c.depthRecords).toBe(got.length);
              expect(c.depthRecords).toBe(c.recovered + c.appended - c.acknowledged - c.dropped - c.corrupted - c.failed);
              for (const r of got) expect(Buffer.from(r.payload).equals(payloadFor(r.id, sizes.get(r.id)!))).toBe(true);
              for (let k = 1; k < got.length; k++) expect(got[k].seq).toBeGreaterThan(got[k - 1].seq);
            }
            // Drop order: events are dropped only when no telemetry is left, and appending telemetry never costs an event.
            const eventDrops = m.classes.event.dropped - (op.kind === 'reopen' || op.kind === 'crash' ? 0 : before.event.dropped);
            if (eventDrops > 0) expect(m.classes.telemetry.depthRecords).toBe(0);
            if (op.kind === 'append' && op.cls === 'telemetry') expect(eventDrops).toBe(0);
          }
        } finally {
          await spool.close();
        }
      }),
      { numRuns: 30 },
    );
  });
});
