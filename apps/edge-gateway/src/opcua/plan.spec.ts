// Bindings -> subscriptions and CreateMonitoredItems calls.
import type { OpcUaBinding } from '../config/types';
import { MAX_QUEUE_SIZE, planSubscriptions, queueSizeFor } from './plan';

function bindings(n: number, samplingIntervalMs: (i: number) => number): OpcUaBinding[] {
  return Array.from({ length: n }, (_, i) => ({ asset: `a${i}`, part: 'p', status: 's', endpoint: 'e', nodeId: `ns=1;i=${i}`, samplingIntervalMs: samplingIntervalMs(i) }));
}

describe('queueSizeFor', () => {
  test('holds every sample of a publishing interval, plus one for the timers drifting apart', () => {
    expect(queueSizeFor(1000, 1000)).toBe(2);
    expect(queueSizeFor(5000, 1000)).toBe(2);
    expect(queueSizeFor(250, 1000)).toBe(5);
    expect(queueSizeFor(100, 250)).toBe(4);
    expect(queueSizeFor(1, 1000)).toBe(MAX_QUEUE_SIZE);
    expect(queueSizeFor(0, 1000)).toBe(MAX_QUEUE_SIZE);
  });
});

describe('planSubscriptions', () => {
  const limits = { publishingIntervalMs: 1000, maxItemsPerSubscription: 5000, maxItemsPerCreateCall: 1000 };

  test('10,000 items at 1 s: two subscriptions of five calls of 1,000', () => {
    const plans = planSubscriptions(bindings(10_000, () => 1000), limits);
    expect(plans.map((p) => p.items)).toEqual([5000, 5000]);
    expect(plans.map((p) => p.chunks.map((c) => c.bindings.length))).toEqual([
      [1000, 1000, 1000, 1000, 1000],
      [1000, 1000, 1000, 1000, 1000],
    ]);
    expect(plans[0].chunks[0]).toMatchObject({ samplingIntervalMs: 1000, queueSize: 2 });
    expect(plans[1].chunks[4].bindings[999].nodeId).toBe('ns=1;i=9999');
  });

  test('a call carries one sampling interval; every binding is planned exactly once', () => {
    const all = bindings(25, (i) => (i % 3 === 0 ? 100 : 1000));
    const plans = planSubscriptions(all, { publishingIntervalMs: 500, maxItemsPerSubscription: 10, maxItemsPerCreateCall: 4 });
    expect(plans.map((p) => p.items)).toEqual([10, 10, 5]);
    for (const plan of plans) {
      expect(plan.chunks.reduce((n, c) => n + c.bindings.length, 0)).toBe(plan.items);
      for (const chunk of plan.chunks) {
        expect(chunk.bindings.length).toBeLessThanOrEqual(4);
        expect(chunk.bindings.every((b) => b.samplingIntervalMs === chunk.samplingIntervalMs)).toBe(true);
        expect(chunk.queueSize).toBe(queueSizeFor(chunk.samplingIntervalMs, 500));
      }
    }
    const planned = plans.flatMap((p) => p.chunks.flatMap((c) => c.bindings));
    expect(new Set(planned)).toEqual(new Set(all));
    expect(planned).toHaveLength(all.length);
    // The faster items come first, in their configured order.
    expect(planned.slice(0, 9).map((b) => b.nodeId)).toEqual(['ns=1;i=0', 'ns=1;i=3', 'ns=1;i=6', 'ns=1;i=9', 'ns=1;i=12', 'ns=1;i=15', 'ns=1;i=18', 'ns=1;i=21', 'ns=1;i=24']);
  });

  test('no bindings, no subscriptions', () => {
    expect(planSubscriptions([], limits)).toEqual([]);
  });
});
