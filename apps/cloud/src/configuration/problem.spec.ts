import { ConfigurationProblem, evaluateConfiguration, readConfigurationProblem } from '@pss/model';
import { StoredTriggerEvent, WorkOrder } from '../persistence';
import { HOUR, MODEL_ID, elevatorModel } from '../triggers/testing/fixtures';
import { ganttOf, occurrencesOf, RunStats } from './plan';
import { buildProblem } from './problem';
import { applyObserved } from './reliabilities';

const ORIGIN = 1_772_439_300_000;
const model = elevatorModel();

function event(eventId: string, asset: string, trigger: string, windowStart: number, deadline: number): StoredTriggerEvent {
  return {
    tenant: 'acme',
    eventId,
    gateway: 'gw-site-1',
    asset,
    trigger,
    firedAt: windowStart,
    windowStart,
    deadline,
    values: {},
    windowValues: null,
    source: 'edge',
    receivedAt: windowStart,
    state: 'open',
    batchId: null,
    plannedRun: null,
    closedAt: null,
  };
}

function activeOrder(id: string, resources: string[], startAt: number, endAt: number): WorkOrder {
  return {
    tenant: 'acme',
    id,
    runId: '00000000-0000-0000-0000-000000000000',
    eventId: 'earlier',
    modelId: MODEL_ID,
    asset: 'elevator-09',
    trigger: 'ss.brake',
    activity: 'sa.brake.adjust',
    occurrence: 0,
    startAt,
    endAt,
    resources,
    state: 'in_progress',
    version: 3,
    note: null,
    createdAt: startAt,
    updatedAt: startAt,
    startedAt: startAt,
    finishedAt: null,
  };
}

function build(events: StoredTriggerEvent[], activeOrders: WorkOrder[] = []) {
  return buildProblem({ name: 'batch', modelId: MODEL_ID, modelVersion: 1, model, unitMs: HOUR, events, activeOrders, originMs: ORIGIN, overrides: [] });
}

/** The problem read back as the optimizer gets it, and the witness checked by the model's evaluator. */
function checked(problem: ConfigurationProblem): ConfigurationProblem {
  const read = readConfigurationProblem(JSON.parse(JSON.stringify(problem)));
  if (!read.ok) throw new Error(read.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  return read.value;
}

describe('buildProblem', () => {
  it('converts windows to the model time unit from the batch origin', () => {
    const built = build([event('e1', 'elevator-01', 'ss.traction', ORIGIN + 2 * HOUR, ORIGIN + 50 * HOUR)]);
    expect(built.problem.triggered).toEqual([{ asset: 'elevator-01', trigger: 'ss.traction', at: 0, start: 2, deadline: 50 }]);
    expect(built.context).toMatchObject({ originMs: ORIGIN, timeUnit: 'h', unitMs: HOUR, modelId: MODEL_ID });
    expect(built.context.events[0]).toMatchObject({ eventId: 'e1', start: 2, end: 50, overdue: false, late: false });
    expect(evaluateConfiguration(checked(built.problem), built.witness).feasible).toBe(true);
  });

  it('starts a window that opened before the origin at the origin', () => {
    const built = build([event('e1', 'elevator-01', 'ss.doors', ORIGIN - 3 * HOUR, ORIGIN + 9 * HOUR)]);
    expect(built.problem.triggered[0]).toMatchObject({ start: 0, deadline: 9 });
  });

  it('staggers flows that cannot all be staffed at once (no waiting inside a flow)', () => {
    // sa.doors.inspect can be done by pr.li or pr.wang only: two door services start at once, the third later.
    const built = build([1, 2, 3].map((n) => event(`e${n}`, `elevator-0${n}`, 'ss.doors', ORIGIN, ORIGIN + 12 * HOUR)));
    const starts = built.problem.triggered.map((t) => t.start).sort((a, b) => a - b);
    expect(starts.slice(0, 2)).toEqual([0, 0]);
    expect(starts[2]).toBeGreaterThan(0);
    expect(starts[2]).toBeLessThan(12);
    const evaluation = evaluateConfiguration(checked(built.problem), built.witness);
    expect(evaluation.violations).toEqual([]);
  });

  it('keeps resources of open work orders busy, and an overrunning order one more planned duration', () => {
    const orders = [activeOrder('wo-1', ['pr.li', 'pr.wang'], ORIGIN - HOUR, ORIGIN + HOUR), activeOrder('wo-2', ['pr.zhang'], ORIGIN - 3 * HOUR, ORIGIN - HOUR)];
    const built = build([event('e1', 'elevator-01', 'ss.doors', ORIGIN, ORIGIN + 12 * HOUR)], orders);
    expect(built.problem.busy).toEqual([
      { resource: 'pr.li', from: 0, to: 1 },
      { resource: 'pr.wang', from: 0, to: 1 },
      { resource: 'pr.zhang', from: 0, to: 2 },
    ]);
    // Both door inspectors are busy for the first hour: the door service starts right after.
    expect(built.problem.triggered[0].start).toBeCloseTo(1, 5);
    expect(evaluateConfiguration(checked(built.problem), built.witness).feasible).toBe(true);
  });

  it('plans an overdue event as early as it can be staffed, flagged, with its deadline moved to that end', () => {
    const built = build([event('late', 'elevator-01', 'ss.brake', ORIGIN - 10 * HOUR, ORIGIN - 2 * HOUR)]);
    const row = built.context.events[0];
    expect(row).toMatchObject({ overdue: true, late: true, start: 0 });
    expect(built.problem.triggered[0].deadline).toBeGreaterThan(0);
    expect(evaluateConfiguration(checked(built.problem), built.witness).feasible).toBe(true);
  });

  it('leaves out a flow that no alternative can ever staff, with the reason', () => {
    const thin = { ...model, assignable: model.assignable.filter((a) => a.activity !== 'sa.doors.inspect') };
    const built = buildProblem({ name: 'b', modelId: MODEL_ID, modelVersion: 1, model: thin, unitMs: HOUR, events: [event('e1', 'elevator-01', 'ss.doors', ORIGIN, ORIGIN + 12 * HOUR)], activeOrders: [], originMs: ORIGIN, overrides: [] });
    expect(built.problem.triggered).toEqual([]);
    expect(built.unstaffable).toEqual([{ eventId: 'e1', reason: expect.stringContaining('activity "sa.doors.inspect" needs 1 of kr.lift-tech, the model assigns 0') }]);
  });
});

describe('applyObserved', () => {
  it('replaces r_a and theta where finished work orders say something, and nothing else', () => {
    const { model: next, overrides } = applyObserved(model, {
      activities: [
        { activity: 'sa.doors.inspect', completed: 3, completedInTime: 2, failed: 1, executed: 4, reliability: 0.5, meanDurationMs: 1000 },
        { activity: 'sa.doors.test', completed: 0, completedInTime: 0, failed: 0, executed: 0, reliability: null, meanDurationMs: null },
      ],
      resources: [
        { resource: 'pr.li', activity: 'sa.doors.inspect', inTime: 1, total: 4, theta: 0.25 },
        { resource: 'er.kit-1', activity: 'sa.traction.inspect', inTime: 1, total: 2, theta: 0.5 },
      ],
      resourceTotals: [
        { resource: 'pr.li', inTime: 1, total: 4, theta: 0.25 },
        { resource: 'er.kit-1', inTime: 1, total: 2, theta: 0.5 },
      ],
    });
    const activity = (id: string) => next.activities.find((a) => a.id === id)!;
    const theta = (r: string, a: string) => next.assignable.find((e) => e.resource === r && e.activity === a)!.theta;
    expect(activity('sa.doors.inspect').reliability).toBe(0.5);
    expect(activity('sa.doors.test').reliability).toBe(0.98);
    // Personnel: per activity. Equipment: its total, on every activity it serves.
    expect(theta('pr.li', 'sa.doors.inspect')).toBe(0.25);
    expect(theta('pr.li', 'sa.doors.adjust')).toBe(0.94);
    expect(theta('er.kit-1', 'sa.traction.inspect')).toBe(0.5);
    expect(theta('er.kit-1', 'sa.controller.diagnose')).toBe(0.5);
    expect(overrides).toContainEqual({ kind: 'activity', activity: 'sa.doors.inspect', model: 0.97, observed: 0.5, basis: 4 });
    expect(overrides.filter((o) => o.resource === 'er.kit-1')).toHaveLength(model.assignable.filter((e) => e.resource === 'er.kit-1').length);
    // The model itself is not changed.
    expect(model.activities.find((a) => a.id === 'sa.doors.inspect')!.reliability).toBe(0.97);
  });
});

describe('plan', () => {
  it('turns a solution back into epoch ms work orders, one per non-virtual occurrence, per event', () => {
    const built = build([event('e1', 'elevator-01', 'ss.traction', ORIGIN + HOUR, ORIGIN + 49 * HOUR)]);
    const stats: RunStats = { optimizer: null, plan: built.context, virtualActivities: [], deferred: [] };
    const solution = { objectives: { time: 0, cost: 0, reliability: 1 }, occurrences: built.witness };
    const rows = ganttOf(solution, stats);
    expect(rows[0]).toMatchObject({ eventId: 'e1', asset: 'elevator-01', activity: 'sa.traction.inspect', start: ORIGIN + HOUR, end: ORIGIN + 1.5 * HOUR });
    const { occurrences, withoutWork } = occurrencesOf(solution, stats);
    expect(occurrences).toHaveLength(built.witness.length);
    expect(occurrences.every((o) => o.eventId === 'e1' && o.resources.length > 0)).toBe(true);
    expect(withoutWork).toEqual([]);
  });
});
