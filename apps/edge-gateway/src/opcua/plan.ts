// How an endpoint's bindings become subscriptions and CreateMonitoredItems calls. Pure: no node-opcua.
import type { OpcUaBinding } from '../config/types';

/**
 * A queue longer than this buys nothing a gateway needs: it would only hold sub-10 ms samples of a 1 s publishing
 * interval. The server drops the oldest when it is full (discardOldest) and flags the next value as overflowed.
 */
export const MAX_QUEUE_SIZE = 100;

/**
 * The server-side queue of a monitored item, so that no sample is lost between two publishes: a value sampled
 * every `samplingIntervalMs` changes at most publishing/sampling times per publishing interval, plus one because
 * the sampling and publishing timers drift against each other (with 1 s sampling and a 1 s publishing interval,
 * two samples sometimes fall into one interval; a queue of 1 would keep only the newer of them).
 */
export function queueSizeFor(samplingIntervalMs: number, publishingIntervalMs: number): number {
  // Sampling interval 0 means "as fast as the server can" (exception-based): give it the largest queue.
  if (!(samplingIntervalMs > 0)) return MAX_QUEUE_SIZE;
  return Math.min(MAX_QUEUE_SIZE, Math.max(2, Math.ceil(publishingIntervalMs / samplingIntervalMs) + 1));
}

/** One CreateMonitoredItems call: items that share their monitoring parameters. */
export interface ItemChunk {
  samplingIntervalMs: number;
  queueSize: number;
  bindings: OpcUaBinding[];
}

/** One subscription and the calls that fill it. */
export interface SubscriptionPlan {
  chunks: ItemChunk[];
  items: number;
}

export interface PlanLimits {
  publishingIntervalMs: number;
  maxItemsPerSubscription: number;
  maxItemsPerCreateCall: number;
}

/**
 * Splits bindings into subscriptions of at most maxItemsPerSubscription items and those into calls of at most
 * maxItemsPerCreateCall items with one sampling interval each (a monitored item group carries one set of
 * parameters). Bindings are ordered by sampling interval first, so that each interval makes as few calls as it can.
 */
export function planSubscriptions(bindings: readonly OpcUaBinding[], limits: PlanLimits): SubscriptionPlan[] {
  const perSubscription = Math.max(1, Math.floor(limits.maxItemsPerSubscription));
  const perCall = Math.max(1, Math.floor(limits.maxItemsPerCreateCall));
  // Array.prototype.sort is stable: bindings of one interval keep their configured order.
  const sorted = [...bindings].sort((a, b) => a.samplingIntervalMs - b.samplingIntervalMs);
  const plans: SubscriptionPlan[] = [];
  for (let start = 0; start < sorted.length; start += perSubscription) {
    const slice = sorted.slice(start, start + perSubscription);
    const chunks: ItemChunk[] = [];
    let current: ItemChunk | null = null;
    for (const binding of slice) {
      if (current === null || current.samplingIntervalMs !== binding.samplingIntervalMs || current.bindings.length >= perCall) {
        current = {
          samplingIntervalMs: binding.samplingIntervalMs,
          queueSize: queueSizeFor(binding.samplingIntervalMs, limits.publishingIntervalMs),
          bindings: [],
        };
        chunks.push(current);
      }
      current.bindings.push(binding);
    }
    plans.push({ chunks, items: slice.length });
  }
  return plans;
}
