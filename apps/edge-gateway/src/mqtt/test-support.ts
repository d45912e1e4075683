// Test code only (imported by the specs of this folder): a sink and a logger that record what they are given, and
// a poll for conditions that real brokers make true asynchronously.
import type { Sample } from '@pss/triggers';
import type { InputRejectCause, Logger, SampleSink } from '../sources/types';

export interface RecordedReject {
  cause: InputRejectCause;
  detail: string;
  source: string;
}

export class RecordingSink implements SampleSink {
  readonly samples: (Sample & { source: string })[] = [];
  readonly rejects: RecordedReject[] = [];

  sample(sample: Sample, source: string): void {
    this.samples.push({ ...sample, source });
  }

  reject(cause: InputRejectCause, detail: string, source: string): void {
    this.rejects.push({ cause, detail, source });
  }

  causes(): InputRejectCause[] {
    return this.rejects.map((r) => r.cause);
  }

  count(cause: InputRejectCause): number {
    return this.rejects.filter((r) => r.cause === cause).length;
  }

  clear(): void {
    this.samples.length = 0;
    this.rejects.length = 0;
  }
}

export interface LogLine {
  level: 'info' | 'warn' | 'error' | 'debug';
  obj: object;
  msg?: string;
}

export class RecordingLogger implements Logger {
  readonly lines: LogLine[] = [];
  info(obj: object, msg?: string): void {
    this.lines.push({ level: 'info', obj, msg });
  }
  warn(obj: object, msg?: string): void {
    this.lines.push({ level: 'warn', obj, msg });
  }
  error(obj: object, msg?: string): void {
    this.lines.push({ level: 'error', obj, msg });
  }
  debug(obj: object, msg?: string): void {
    this.lines.push({ level: 'debug', obj, msg });
  }
}

/** Polls until probe returns something other than undefined/false, or fails naming what it waited for. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
