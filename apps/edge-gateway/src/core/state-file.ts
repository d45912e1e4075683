// The gateway's durable state besides the spool: the trigger engine's snapshot (latches, windows, for() streaks) and
// the next telemetry batch number. Written atomically (temporary file, fsync, rename, fsync of the directory), so a
// crash leaves either the old or the new file, never a torn one.
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { EngineSnapshot } from '@pss/triggers';

export const STATE_FORMAT = 'pss-gateway-state/v1';

export interface GatewayState {
  format: typeof STATE_FORMAT;
  gateway: string;
  savedAt: number;
  /** The next telemetry batch's seq. */
  telemetrySeq: number;
  engine: EngineSnapshot;
}

export class StateFileError extends Error {
  constructor(readonly file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'StateFileError';
  }
}

/** Reads the state, or null when there is none yet. A damaged file is an error naming it (not silently reset). */
export async function readState(file: string): Promise<GatewayState | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StateFileError(file, `cannot read: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new StateFileError(file, `not valid JSON (${(e as Error).message}); move it away to start with an empty trigger state`);
  }
  const state = parsed as Partial<GatewayState>;
  if (typeof state !== 'object' || state === null || state.format !== STATE_FORMAT) {
    throw new StateFileError(file, `not a gateway state file (format should be ${STATE_FORMAT})`);
  }
  if (!Number.isInteger(state.telemetrySeq) || typeof state.engine !== 'object' || state.engine === null) {
    throw new StateFileError(file, 'telemetrySeq or engine is missing or malformed');
  }
  return state as GatewayState;
}

/** Writes the state atomically and durably. Concurrent calls are serialized by the caller (StateSaver). */
export async function writeState(file: string, state: GatewayState): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.state.${process.pid}.tmp`);
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(JSON.stringify(state));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

/**
 * Serializes saves: at most one write at a time, and a save requested while one runs is done once after it (with
 * the newest state), so bursts of firings cost two writes, not one each. `save()` resolves when a write that began
 * after the call has finished.
 */
export class StateSaver {
  private running: Promise<void> | null = null;
  private again: Promise<void> | null = null;

  constructor(
    private readonly file: string,
    private readonly compose: () => GatewayState,
  ) {}

  save(): Promise<void> {
    if (this.again) return this.again;
    if (!this.running) {
      this.running = this.write().finally(() => (this.running = null));
      return this.running;
    }
    const after = this.running.catch(() => undefined).then(() => {
      this.again = null;
      this.running = this.write().finally(() => (this.running = null));
      return this.running;
    });
    this.again = after;
    return after;
  }

  private write(): Promise<void> {
    return writeState(this.file, this.compose());
  }
}
