// The next telemetry batch number, persisted on every batch: a gateway that restarts (even after SIGKILL) never
// reuses a seq, because the cloud reads a repeated (gateway, seq) as a duplicate and would drop the new batch.
// A synchronous 20-byte write and fdatasync per flush (once a second by default, a millisecond or so on a local
// disk), so that not even a power cut makes the numbering go back.
import { closeSync, fdatasyncSync, openSync, readFileSync, writeSync } from 'node:fs';

const WIDTH = 20;

export class TelemetrySeq {
  private constructor(
    private fd: number | null,
    private value: number,
  ) {}

  /** Opens the file; the next seq is the larger of the file's and `fallback` (the state snapshot's). */
  static async open(file: string, fallback: number): Promise<TelemetrySeq> {
    let saved = 0;
    try {
      const n = Number(readFileSync(file, 'utf8').trim());
      if (Number.isSafeInteger(n) && n >= 0) saved = n;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const fd = openSync(file, 'a+');
    closeSync(fd);
    const seq = new TelemetrySeq(openSync(file, 'r+'), Math.max(saved, fallback));
    seq.write();
    return seq;
  }

  get next(): number {
    return this.value;
  }

  /** Uses up `count` numbers (the batches just cut) and persists the new next value. */
  advance(count: number): void {
    this.value += count;
    this.write();
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private write(): void {
    if (this.fd === null) return;
    writeSync(this.fd, String(this.value).padStart(WIDTH, ' '), 0, 'utf8');
    fdatasyncSync(this.fd);
  }
}
