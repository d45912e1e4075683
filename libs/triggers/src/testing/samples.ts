// Sample builders for tests and the benchmark.
import { Sample } from '../engine';

/** A sample from a status reference: sample('car-1', 'p.a.x', 1000, 7) (part = all but the last key). */
export function sample(asset: string, ref: string, time: number, value: number): Sample {
  const dot = ref.lastIndexOf('.');
  return { asset, part: ref.slice(0, dot), status: ref.slice(dot + 1), time, value };
}

export const SECOND = 1000;
export const MINUTE = 60_000;
export const HOUR = 3_600_000;
