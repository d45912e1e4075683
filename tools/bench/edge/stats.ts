// From the crossings the generator sent and the events the collector received to the numbers of one run.
import { ReceivedEvent, matchKey } from './collector';
import type { Crossing } from './sample-schedule';

export interface EventMatch {
  arrivedAt: number;
  /** The event's time minus its crossing sample's time: 0 when the system carried the sample time over. */
  timeShiftMs: number;
}

/**
 * Ties each crossing to its event: same asset, event time within toleranceMs of the crossing's (half the crossing
 * period: an asset's crossings are a period apart at least), each crossing and each event used once, the closest
 * pairs first (an exact match is never displaced). A system may stamp an event with a time of its own near the
 * sample's (an engine clock): it is still that crossing's event. Keys of the result are matchKey(crossing);
 * `unmatched` are events no crossing claimed.
 */
export function matchEvents(
  crossings: readonly Crossing[],
  events: readonly ReceivedEvent[],
  toleranceMs: number,
): { byCrossing: Map<string, EventMatch>; unmatched: ReceivedEvent[] } {
  const eventsByAsset = new Map<string, ReceivedEvent[]>();
  for (const event of events) {
    const list = eventsByAsset.get(event.asset);
    if (list) list.push(event);
    else eventsByAsset.set(event.asset, [event]);
  }
  const pairs: { crossing: Crossing; event: ReceivedEvent; distance: number }[] = [];
  for (const crossing of crossings) {
    for (const event of eventsByAsset.get(crossing.asset) ?? []) {
      const distance = Math.abs(event.time - crossing.time);
      if (distance <= toleranceMs) pairs.push({ crossing, event, distance });
    }
  }
  pairs.sort((a, b) => a.distance - b.distance || a.crossing.time - b.crossing.time);
  const usedEvents = new Set<ReceivedEvent>();
  const byCrossing = new Map<string, EventMatch>();
  for (const { crossing, event } of pairs) {
    const key = matchKey(crossing);
    if (usedEvents.has(event) || byCrossing.has(key)) continue;
    usedEvents.add(event);
    byCrossing.set(key, { arrivedAt: event.arrivedAt, timeShiftMs: event.time - crossing.time });
  }
  return { byCrossing, unmatched: events.filter((e) => !usedEvents.has(e)) };
}

export interface EventSummary {
  /** Crossings sent within the measured interval: each must produce one event. */
  expected: number;
  received: number;
  /** Expected but not received by the end of the drain (lost, or later than that). */
  lost: number;
  /**
   * Latency percentiles over the expected events, ms (receive time − sample send time), a missing event counting as
   * Infinity: with 2 % of the events missing, p99 is unbounded, not the p99 of the others. NaN when none expected.
   */
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /**
   * The worst latency of the events expected in the last `tailMs` of the interval, ms: how far behind the system is
   * when the load stops. Infinity when one of them never arrived; NaN when none was expected there.
   */
  finalLagMs: number;
  /** Received events whose time is not their sample's (see matchEvents), and the largest such difference, ms. */
  shifted: number;
  maxShiftMs: number;
}

/** Nearest-rank percentile of an ascending array (p in 0..100); NaN for an empty one. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarizeEvents(
  crossings: readonly Crossing[],
  matches: ReadonlyMap<string, EventMatch>,
  window: { start: number; end: number },
  tailMs: number,
): EventSummary {
  const latencies: number[] = [];
  let expected = 0;
  let finalLagMs = NaN;
  let shifted = 0;
  let maxShiftMs = 0;
  for (const crossing of crossings) {
    if (crossing.time < window.start || crossing.time >= window.end) continue;
    expected++;
    const match = matches.get(matchKey(crossing));
    const latency = match === undefined ? Infinity : match.arrivedAt - crossing.time;
    latencies.push(latency);
    if (match !== undefined) {
      if (match.timeShiftMs !== 0) shifted++;
      maxShiftMs = Math.max(maxShiftMs, Math.abs(match.timeShiftMs));
    }
    if (crossing.time >= window.end - tailMs) finalLagMs = Number.isNaN(finalLagMs) ? latency : Math.max(finalLagMs, latency);
  }
  latencies.sort((a, b) => a - b);
  const received = latencies.filter(Number.isFinite).length;
  return {
    expected,
    received,
    lost: expected - received,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies.length > 0 ? latencies[latencies.length - 1] : NaN,
    finalLagMs,
    shifted,
    maxShiftMs,
  };
}

/** Median ignoring NaN (NaN when nothing is left; Infinity counts as large); mean of the two middle ones for an even count. */
export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
