// Timings of the pipeline's background work. The defaults are what production runs; the app may provide
// PIPELINE_OPTIONS to change them (tests shorten the re-send period so that a re-send is observable quickly).

export const PIPELINE_OPTIONS = Symbol('PIPELINE_OPTIONS');

export interface PipelineOptions {
  /** How often the batch scheduler attaches open events and looks for batches to claim (ms). */
  schedulerTickMs: number;
  /** A claimed batch whose instance did not finish it within this time may be taken over (ms). 0 = derived. */
  batchLeaseMs: number;
  /** How often unacknowledged close commands are re-sent to gateways that are not known to be offline (ms). */
  closeResendMs: number;
  /** A failed (infeasible) batch's events wait this long before they join a new batch (ms). */
  failedBatchRetryMs: number;
  /** How often work orders left `planned` (created, not dispatched: a crash in between) are dispatched (ms). */
  dispatchSweepMs: number;
  /** Webhook: attempts per change, and the first back-off (doubled after every failure). */
  webhookAttempts: number;
  webhookBackoffMs: number;
  webhookTimeoutMs: number;
  /** Whether the background loops run at all (a test may drive the services by hand). */
  background: boolean;
}

export const DEFAULT_PIPELINE_OPTIONS: PipelineOptions = {
  schedulerTickMs: 250,
  batchLeaseMs: 0,
  closeResendMs: 30_000,
  failedBatchRetryMs: 10_000,
  dispatchSweepMs: 5_000,
  webhookAttempts: 6,
  webhookBackoffMs: 500,
  webhookTimeoutMs: 5_000,
  background: true,
};

export function pipelineOptions(partial: Partial<PipelineOptions> | null | undefined): PipelineOptions {
  return { ...DEFAULT_PIPELINE_OPTIONS, ...(partial ?? {}) };
}

/** The lease of a batch claim: long enough for the optimizer's time limit with a wide margin. */
export function batchLeaseMs(options: PipelineOptions, optimizerTimeLimitMs: number): number {
  return options.batchLeaseMs > 0 ? options.batchLeaseMs : Math.max(30_000, optimizerTimeLimitMs * 4 + 10_000);
}
