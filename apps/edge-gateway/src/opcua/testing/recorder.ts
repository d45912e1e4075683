// A sink and a logger that remember what they were given, and a way to wait until something arrived. Test code only.
import type { Sample } from '@pss/triggers';
import type { InputRejectCause, Logger, SampleSink } from '../../sources/types';

export interface Rejection {
  cause: InputRejectCause;
  detail: string;
  source: string;
}

export interface LogEntry {
  level: 'info' | 'warn' | 'error' | 'debug';
  obj: object;
  msg?: string;
}

export class RecordingSink implements SampleSink {
  readonly samples: (Sample & { source: string; receivedAt: number })[] = [];
  readonly rejections: Rejection[] = [];

  sample(sample: Sample, source: string): void {
    this.samples.push({ ...sample, source, receivedAt: Date.now() });
  }

  reject(cause: InputRejectCause, detail: string, source: string): void {
    this.rejections.push({ cause, detail, source });
  }

  /** Samples of one asset/part/status received at or after `since` (epoch ms of receipt). */
  of(asset: string, part: string, status: string, since = 0): Sample[] {
    return this.samples.filter((s) => s.asset === asset && s.part === part && s.status === status && s.receivedAt >= since);
  }
}

export class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];

  info(obj: object, msg?: string): void {
    this.entries.push({ level: 'info', obj, msg });
  }
  warn(obj: object, msg?: string): void {
    this.entries.push({ level: 'warn', obj, msg });
  }
  error(obj: object, msg?: string): void {
    this.entries.push({ level: 'error', obj, msg });
  }
  debug(obj: object, msg?: string): void {
    this.entries.push({ level: 'debug', obj, msg });
  }

  errors(): LogEntry[] {
    return this.entries.filter((e) => e.level === 'error');
  }

  /** Everything, one entry a line, for a failing assertion's message. */
  dump(): string {
    return this.entries.map((e) => `${e.level} ${e.msg ?? ''} ${JSON.stringify(e.obj)}`).join('\n');
  }
}

/** Polls `check` every 50 ms until it returns true; fails with `describe()` after timeoutMs. */
export async function until(check: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
