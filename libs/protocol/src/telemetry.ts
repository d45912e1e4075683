// Cutting samples into batches that respect the limits, so a gateway never builds a batch the cloud would reject.
import { LIMITS } from './limits';
import { Downsampling, SCHEMAS, TelemetryBatch, TelemetrySample } from './types';

const encoder = new TextEncoder();

/**
 * Splits samples (in order) into batches of at most `maxSamples` samples and `maxBytes` encoded bytes, numbered
 * from `firstSeq`. Throws a RangeError for a single sample too large for any batch (an id of many kilobytes).
 */
export function batchSamples(
  header: { tenant: string; gateway: string; firstSeq: number; downsampling?: Downsampling },
  samples: readonly TelemetrySample[],
  limits: { maxSamples?: number; maxBytes?: number } = {},
): TelemetryBatch[] {
  const maxSamples = Math.min(limits.maxSamples ?? LIMITS.maxSamplesPerBatch, LIMITS.maxSamplesPerBatch);
  const maxBytes = Math.min(limits.maxBytes ?? LIMITS.maxPayloadBytes, LIMITS.maxPayloadBytes);
  const make = (seq: number, chunk: TelemetrySample[]): TelemetryBatch => ({
    schema: SCHEMAS.telemetryBatch,
    tenant: header.tenant,
    gateway: header.gateway,
    seq,
    samples: chunk,
    ...(header.downsampling && { downsampling: header.downsampling }),
  });
  // The batch with no samples plus, per sample, its JSON and a comma: exactly JSON.stringify's output size.
  const overhead = encoder.encode(JSON.stringify(make(Number.MAX_SAFE_INTEGER, []))).length;
  const batches: TelemetryBatch[] = [];
  let chunk: TelemetrySample[] = [];
  let bytes = overhead;
  for (const sample of samples) {
    const { asset, part, status, time, value } = sample;
    const size = encoder.encode(JSON.stringify({ asset, part, status, time, value })).length;
    const extra = chunk.length === 0 ? size : size + 1;
    if (overhead + size > maxBytes) throw new RangeError(`a telemetry sample of ${size} bytes cannot fit in a batch of ${maxBytes} bytes`);
    if (chunk.length >= maxSamples || bytes + extra > maxBytes) {
      batches.push(make(header.firstSeq + batches.length, chunk));
      chunk = [];
      bytes = overhead;
    }
    bytes += chunk.length === 0 ? size : size + 1;
    chunk.push(sample);
  }
  if (chunk.length > 0) batches.push(make(header.firstSeq + batches.length, chunk));
  return batches;
}
