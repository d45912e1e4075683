// What the driver and the load generator child process tell each other (JSON over the IPC channel).
import type { Crossing } from './sample-schedule';

export interface GeneratorOptions {
  /** The system under test, by name (systems.ts): its inputTopic and payload shape the samples. */
  system: string;
  host: string;
  port: number;
  assetCount: number;
  /** Target samples per second, all assets together. */
  rate: number;
  warmupMs: number;
  durationMs: number;
  crossEveryMs: number;
  threshold: number;
}

export type GeneratorMessage =
  | { type: 'connected' }
  /** Sent when the measured interval starts and ends: samples sent so far and the generator's clock. */
  | { type: 'phase'; phase: 'measure-start' | 'measure-end'; sent: number; time: number }
  | {
      type: 'done';
      sent: number;
      start: number;
      end: number;
      /** Every crossing sample sent, warm-up included. */
      crossings: Crossing[];
      /** Longest pause between two sending slices, ms (the generator's own stalls). */
      maxGapMs: number;
      /** Samples that were due by the end but not sent (the generator or the input broker fell behind). */
      behind: number;
    }
  | { type: 'error'; message: string };

export function isGeneratorMessage(value: unknown): value is GeneratorMessage {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
