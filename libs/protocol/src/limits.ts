// Every bound the protocol enforces, in one place. Producers check them before publishing (encode refuses an
// oversized message), consumers check them again (decode rejects it): a bad peer cannot make a reader allocate
// without limit, and a producer learns about a limit in its own tests, not from a broker's silent drop.

export const LIMITS = {
  /**
   * Largest encoded payload, in bytes. 128 KiB fits the strictest managed brokers (AWS IoT Core caps a message
   * at 128 KB) and keeps a full telemetry batch in one TCP window or two.
   */
  maxPayloadBytes: 128 * 1024,
  /** Samples in one telemetry batch. 1000 samples of ~100 bytes stay well inside `maxPayloadBytes`. */
  maxSamplesPerBatch: 1000,
  /** Entries in a trigger event's `values` and, separately, its `windowValues`. */
  maxValuesPerEvent: 256,
  /** Resources on one work order. */
  maxResourcesPerWorkOrder: 64,
  /** Ids acknowledged by one ack message. */
  maxIdsPerAck: 1000,
  /** Topic segments (tenant, gateway, resource) and shared-subscription group names, in characters. */
  maxSegmentLength: 64,
  /** Entity ids inside payloads (asset, trigger, part, status, activity), in characters. */
  maxIdLength: 128,
  /** Message ids (trigger event ids, work order ids, gateway sessions): room for `eventIdFor`'s composite ids. */
  maxMessageIdLength: 512,
  /** Keys of `values` / `windowValues` (a status reference or a window-function call as written). */
  maxValueKeyLength: 256,
  /** Free text: notes on work orders and progress reports, software versions. */
  maxNoteLength: 2000,
  maxVersionLength: 64,
  /** Epoch milliseconds: the range of a JavaScript Date (±8.64e15), non-negative half. */
  maxTime: 8_640_000_000_000_000,
} as const;

export type Limits = typeof LIMITS;
