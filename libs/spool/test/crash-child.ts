// Forked by crash.spec.ts: opens the spool in argv[2] and appends (and acknowledges some) records as fast as it can,
// telling the parent over IPC about every append and every ack that resolved, until the parent SIGKILLs it. It never
// closes the spool: the parent checks what a kill at an arbitrary moment leaves behind.
import { Spool } from '../src';
import { CrashChildMessage, crashRecordSize, payloadFor } from './helpers';

const [dir, round] = process.argv.slice(2);
const WINDOW = 32;

function report(message: CrashChildMessage): void {
  process.send!(message);
}

async function main(): Promise<void> {
  // The default classes and policies: events fsynced on every append, telemetry every second.
  const spool = await Spool.open({ dir, segmentBytes: 256 * 1024 });
  report({ type: 'ready' });
  const inFlight = new Set<Promise<void>>();
  for (let n = 0; ; n++) {
    const cls = n % 3 === 0 ? 'event' : 'telemetry';
    const id = `${cls}-${round}-${n}`;
    const p: Promise<void> = spool
      .append(cls, id, payloadFor(id, crashRecordSize(n)))
      .then(() => {
        report({ type: 'appended', id });
        // Acknowledge some records, not in append order (each one a little after its append resolved). The parent
        // knows the rule: these are the only records that may be missing after the kill.
        if (n % 7 === 3) return spool.ack([id]).then(() => report({ type: 'acked', id }));
        return undefined;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= WINDOW) await Promise.race(inFlight);
  }
}

main().catch((error: unknown) => {
  console.error('crash-child failed', error);
  process.exit(1);
});
