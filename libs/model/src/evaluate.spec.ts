// The library does no I/O; the tests read the shared example files themselves.
import { readFileSync } from 'fs';
import { join } from 'path';
import { ConfigurationProblem, ObjectiveContext, Occurrence, activityImportance, evaluateConfiguration, formatIssue, readConfigurationProblem } from './index';
import { Json, workshopModel } from './testing/arbitraries';

/** A file of examples/ (at the repository root), parsed as JSON. */
const example = (path: string): unknown => JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'examples', path), 'utf8'));

interface FrontFile {
  solutions: { objectives: { time: number; cost: number; reliability: number }; occurrences: Occurrence[] }[];
}

function loadProblem(raw: unknown): ConfigurationProblem {
  const r = readConfigurationProblem(raw);
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
  return r.value;
}

function workshop(triggered: Json, extra: { [key: string]: Json } = {}): ConfigurationProblem {
  return loadProblem({ kind: 'ConfigurationProblem', model: workshopModel(), triggered, ...extra });
}

/** An occurrence of asset X. */
const occ = (trigger: string, activity: string, start: number, end: number, resources: string[] = [], asset = 'X'): Occurrence => ({ asset, trigger, activity, start, end, resources });

const TRIGGERED: Json = [
  { asset: 'X', trigger: 'ss.a', start: 0, deadline: 10 },
  { asset: 'X', trigger: 'ss.b', start: 0, deadline: 5 },
];

/** ss.a takes a1 then a2, ss.b takes b1: feasible. */
const FEASIBLE: Occurrence[] = [occ('ss.a', 'a1', 0, 2, ['m1']), occ('ss.a', 'a2', 2, 3, ['m1', 'e1']), occ('ss.b', 'b1', 0, 1, ['m2'])];

const relClose = (got: number, want: number) => expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));

describe('evaluateConfiguration: the conformance fronts', () => {
  const cases: [string, unknown, FrontFile][] = ['c1-two-flows', 'c2-fleet'].map((name) => [
    name,
    example(`conformance/${name}.json`),
    example(`conformance/${name}.front.json`) as FrontFile,
  ]);
  it.each(cases)('%s: every solution is feasible and its objectives are reproduced (rel. 1e-9)', (_name, raw, front) => {
    const problem = loadProblem(raw);
    expect(front.solutions.length).toBeGreaterThan(0);
    for (const solution of front.solutions) {
      const evaluation = evaluateConfiguration(problem, solution.occurrences);
      expect(evaluation.violations).toEqual([]);
      expect(evaluation.feasible).toBe(true);
      relClose(evaluation.objectives.time, solution.objectives.time);
      relClose(evaluation.objectives.cost, solution.objectives.cost);
      relClose(evaluation.objectives.reliability, solution.objectives.reliability);
    }
  });
});

describe('evaluateConfiguration: objectives', () => {
  it('computes T, C and the importance-weighted R of a feasible solution', () => {
    const problem = workshop(TRIGGERED);
    const evaluation = evaluateConfiguration(problem, FEASIBLE);
    expect(evaluation).toMatchObject({ feasible: true, violations: [] });
    expect(evaluation.objectives.time).toBe(2 + 1 + 1);
    // c_a + t_a · Σ costRate: 100 + 2·10, 50 + 1·(10 + 5), 10 + 1·20
    expect(evaluation.objectives.cost).toBe(120 + 65 + 30);
    const I = activityImportance(problem.model);
    expect(I.a1).toBe(1);
    expect(I.b1).toBe(1);
    expect(I.a2).toBeGreaterThan(0);
    expect(I.a2).toBeLessThan(1);
    const R = { a1: 0.9, a2: 0.95 * 0.9, b1: 0.75 };
    relClose(evaluation.objectives.reliability, (I.a1 * R.a1 + I.a2 * R.a2 + I.b1 * R.b1) / (I.a1 + I.a2 + I.b1));
  });

  it('uses the plain mean of R_o with reliabilityObjective: mean', () => {
    const problem = workshop(TRIGGERED, { reliabilityObjective: 'mean' });
    relClose(evaluateConfiguration(problem, FEASIBLE).objectives.reliability, (0.9 + 0.95 * 0.9 + 0.75) / 3);
  });

  it('uses r_a for an activity without demands', () => {
    const problem = workshop([{ asset: 'X', trigger: 'ss.a', start: 0, deadline: 10 }], { reliabilityObjective: 'mean' });
    const evaluation = evaluateConfiguration(problem, [occ('ss.a', 'a1', 0, 2, ['m1']), occ('ss.a', 'a3', 2, 5)]);
    expect(evaluation.feasible).toBe(true);
    relClose(evaluation.objectives.reliability, (0.9 + 0.7) / 2);
    expect(evaluation.objectives.cost).toBe(100 + 2 * 10 + 30);
  });

  it('weights R_o by the given importance, and falls back to the mean when all weights are 0', () => {
    const problem = workshop(TRIGGERED);
    const weighted = evaluateConfiguration(problem, FEASIBLE, new ObjectiveContext(problem, { a1: 1, a2: 0.5, b1: 0 }));
    relClose(weighted.objectives.reliability, (1 * 0.9 + 0.5 * 0.855) / 1.5);
    const zero = evaluateConfiguration(problem, FEASIBLE, new ObjectiveContext(problem, {}));
    relClose(zero.objectives.reliability, (0.9 + 0.855 + 0.75) / 3);
  });

  it('gives T = C = 0 and R = 1 when no non-virtual activity occurs', () => {
    const problem = workshop([{ asset: 'X', trigger: 'ss.b', start: 0, deadline: 5 }]);
    expect(evaluateConfiguration(problem, [])).toEqual({ feasible: true, violations: [], objectives: { time: 0, cost: 0, reliability: 1 } });
    // Listing the virtual activity (without resources) is allowed and changes nothing.
    expect(evaluateConfiguration(problem, [occ('ss.b', 'v', 0, 0)])).toEqual({ feasible: true, violations: [], objectives: { time: 0, cost: 0, reliability: 1 } });
    expect(new ObjectiveContext(problem).objectives([])).toEqual({ time: 0, cost: 0, reliability: 1 });
    expect(evaluateConfiguration(workshop([]), [])).toEqual({ feasible: true, violations: [], objectives: { time: 0, cost: 0, reliability: 1 } });
  });

  it('occurrenceReliability: the product of the thetas, or r_a without demands', () => {
    const problem = workshop(TRIGGERED);
    const ctx = new ObjectiveContext(problem);
    const activity = (id: string) => problem.model.activities.find((a) => a.id === id)!;
    expect(ctx.occurrenceReliability({ activity: activity('w1'), resources: ['m1', 'm3'] })).toBeCloseTo(0.9 * 0.7, 15);
    expect(ctx.occurrenceReliability({ activity: activity('a3'), resources: [] })).toBe(0.7);
    expect(ctx.thetaOf('m3', 'a1')).toBeUndefined();
    expect(ctx.rateOf('e1')).toBe(5);
  });
});

describe('evaluateConfiguration: constraint violations, each with its rule', () => {
  const violations = (problem: ConfigurationProblem, occurrences: Occurrence[]) => evaluateConfiguration(problem, occurrences).violations;

  it('A8: a flow that ends after its deadline', () => {
    const problem = workshop([{ asset: 'X', trigger: 'ss.a', start: 0, deadline: 4 }]);
    const result = evaluateConfiguration(problem, [occ('ss.a', 'a1', 0, 2, ['m1']), occ('ss.a', 'a3', 2, 5)]);
    expect(result.feasible).toBe(false);
    expect(result.violations).toEqual([{ rule: 'A8', path: 'X/ss.a', message: 'ends at 5, after its deadline 4' }]);
    // the objectives are still computed
    expect(result.objectives.time).toBe(5);
  });

  it('A9: the wrong number of resources of a kind', () => {
    expect(violations(workshop(TRIGGERED), [occ('ss.a', 'a1', 0, 2, ['m1']), occ('ss.a', 'a2', 2, 3, ['m1']), occ('ss.b', 'b1', 0, 1, ['m2'])])).toEqual([
      { rule: 'A9', path: 'occurrences[1].resources', message: 'a2 needs 1 × kE, got 0' },
    ]);
    const problem = workshop([{ asset: 'X', trigger: 'ss.c', start: 0, deadline: 10 }]);
    expect(violations(problem, [occ('ss.c', 'z', 0, 0, ['m1']), occ('ss.c', 'w1', 0, 1.5, ['m2', 'm3', 'm1'])])).toEqual([
      { rule: 'A9', path: 'occurrences[1].resources', message: 'w1 needs 2 × kM, got 3' },
    ]);
  });

  it('A9: a resource of the wrong kind', () => {
    expect(violations(workshop(TRIGGERED), [occ('ss.a', 'a1', 0, 2, ['e1']), occ('ss.a', 'a3', 2, 5), occ('ss.b', 'v', 0, 0)])).toEqual([
      { rule: 'A9', path: 'occurrences[0].resources[0]', message: 'e1 is not assignable to a1' },
      { rule: 'A9', path: 'occurrences[0].resources', message: 'a1 needs 1 × kM, got 0' },
      { rule: 'A9', path: 'occurrences[0].resources', message: 'a1 demands no kE, got 1' },
    ]);
  });

  it('A9: a resource of the right kind that is not assignable to the activity', () => {
    expect(violations(workshop(TRIGGERED), [occ('ss.a', 'a1', 0, 2, ['m3']), occ('ss.a', 'a3', 2, 5), occ('ss.b', 'v', 0, 0)])).toEqual([
      { rule: 'A9', path: 'occurrences[0].resources[0]', message: 'm3 is not assignable to a1' },
    ]);
  });

  it('A9: the same resource twice in one occurrence, an unknown resource, resources on a virtual activity', () => {
    const problem = workshop([
      { asset: 'X', trigger: 'ss.c', start: 0, deadline: 10 },
      { asset: 'X', trigger: 'ss.b', start: 0, deadline: 5 },
    ]);
    expect(violations(problem, [occ('ss.c', 'z', 0, 0, ['m1']), occ('ss.c', 'w1', 0, 1.5, ['m2', 'm2']), occ('ss.b', 'v', 0, 0, ['m3'])])).toEqual([
      { rule: 'A9', path: 'occurrences[1].resources[1]', message: 'm2 is listed twice' },
      { rule: 'A9', path: 'occurrences[2].resources', message: 'virtual activity v takes no resources' },
    ]);
    expect(violations(problem, [occ('ss.c', 'z', 0, 0, ['ghost']), occ('ss.c', 'w1', 0, 1.5, ['m2', 'm3']), occ('ss.b', 'v', 0, 0)])).toEqual([
      { rule: 'A9', path: 'occurrences[0].resources[0]', message: 'unknown resource "ghost"' },
      { rule: 'A9', path: 'occurrences[0].resources', message: 'z needs 1 × kM, got 0' },
    ]);
  });

  it('A10: one resource in two overlapping occurrences', () => {
    const result = violations(workshop(TRIGGERED), [occ('ss.a', 'a1', 0, 2, ['m1']), occ('ss.a', 'a3', 2, 5), occ('ss.b', 'b1', 0, 1, ['m1'])]);
    expect(result).toEqual([{ rule: 'A10', path: 'occurrences[2]', message: 'm1 is already working on occurrences[0] during [0, 1)' }]);
  });

  it('A10: one resource in occurrences of two assets', () => {
    const problem = workshop([
      { asset: 'X', trigger: 'ss.a', start: 0, deadline: 10 },
      { asset: 'Y', trigger: 'ss.a', start: 1, deadline: 10 },
    ]);
    const result = violations(problem, [occ('ss.a', 'a1', 0, 2, ['m1']), occ('ss.a', 'a3', 2, 5), occ('ss.a', 'a1', 1, 3, ['m1'], 'Y'), occ('ss.a', 'a3', 3, 6, [], 'Y')]);
    expect(result).toEqual([{ rule: 'A10', path: 'occurrences[2]', message: 'm1 is already working on occurrences[0] during [1, 2)' }]);
  });

  it('A10: a resource given to an occurrence while it is busy', () => {
    const problem = workshop(TRIGGERED, { busy: [{ resource: 'm1', from: 1, to: 1.5 }] });
    expect(violations(problem, [occ('ss.a', 'a1', 0, 2, ['m1']), occ('ss.a', 'a3', 2, 5), occ('ss.b', 'v', 0, 0)])).toEqual([
      { rule: 'A10', path: 'occurrences[0]', message: 'm1 is busy during [1, 1.5)' },
    ]);
  });

  it('touching intervals [0,2) and [2,3) do not overlap, neither between occurrences nor with busy intervals', () => {
    const problem = workshop(
      [
        { asset: 'X', trigger: 'ss.a', start: 0, deadline: 10 },
        { asset: 'X', trigger: 'ss.b', start: 2, deadline: 5 },
      ],
      { busy: [{ resource: 'm1', from: 3, to: 4 }, { resource: 'm2', from: 2, to: 3 }] },
    );
    // a1 [0,2) and b1 [2,3) share m1; m1 is busy from 3, m2 (on a1) from 2.
    expect(evaluateConfiguration(problem, [occ('ss.a', 'a1', 0, 2, ['m1']), occ('ss.a', 'a3', 2, 5), occ('ss.b', 'b1', 2, 3, ['m1'])]).feasible).toBe(true);
    expect(evaluateConfiguration(problem, [occ('ss.a', 'a1', 0, 2, ['m2']), occ('ss.a', 'a3', 2, 5), occ('ss.b', 'b1', 2, 3, ['m1'])]).feasible).toBe(true);
  });

  it('zero-length occurrences overlap nothing', () => {
    const problem = workshop(
      [
        { asset: 'X', trigger: 'ss.a', start: 0, deadline: 10 },
        { asset: 'X', trigger: 'ss.c', start: 1, deadline: 10 },
      ],
      { busy: [{ resource: 'm1', from: 0, to: 10 }] },
    );
    // z runs [1,1) on m1, inside a1 [0,2) on m2... and inside m1's busy interval.
    const result = evaluateConfiguration(problem, [occ('ss.a', 'a1', 0, 2, ['m2']), occ('ss.a', 'a3', 2, 5), occ('ss.c', 'z', 1, 1, ['m1']), occ('ss.c', 'w1', 1, 2.5, ['m3', 'm2'])]);
    // w1 [1, 2.5) on m2 does overlap a1 [0, 2) on m2: the only violation.
    expect(result.violations).toEqual([{ rule: 'A10', path: 'occurrences[3]', message: 'm2 is already working on occurrences[0] during [1, 2)' }]);
    const clean = evaluateConfiguration(problem, [occ('ss.a', 'a1', 0, 2, ['m2']), occ('ss.a', 'a3', 2, 5), occ('ss.c', 'z', 1, 1, ['m1']), occ('ss.c', 'w1', 1, 2.5, ['m3', 'm1'])]);
    expect(clean.violations).toEqual([{ rule: 'A10', path: 'occurrences[3]', message: 'm1 is busy during [0, 10)' }]);
  });

  it('structure: a set of activities that is not an alternative', () => {
    expect(violations(workshop(TRIGGERED), [occ('ss.a', 'a1', 0, 2, ['m1']), occ('ss.a', 'a2', 2, 3, ['m1', 'e1']), occ('ss.a', 'a3', 2, 5), occ('ss.b', 'v', 0, 0)])).toEqual([
      { rule: 'structure', path: 'X/ss.a', message: '{a1, a2, a3} is not an alternative of the flow (it has 2)' },
    ]);
    expect(violations(workshop(TRIGGERED), [occ('ss.a', 'a2', 0, 1, ['m1', 'e1']), occ('ss.b', 'v', 0, 0)])).toEqual([
      { rule: 'structure', path: 'X/ss.a', message: '{a2} is not an alternative of the flow (it has 2)' },
    ]);
  });

  it('structure: a triggered flow without any occurrence', () => {
    expect(violations(workshop(TRIGGERED), [occ('ss.b', 'b1', 0, 1, ['m2'])])).toEqual([{ rule: 'structure', path: 'X/ss.a', message: 'no activity is not an alternative of the flow (it has 2)' }]);
  });

  it('structure: an occurrence of a flow that is not triggered, or of an unknown activity', () => {
    expect(violations(workshop(TRIGGERED), [...FEASIBLE, occ('ss.c', 'z', 0, 0, ['m1']), occ('ss.a', 'a1', 0, 2, ['m2'], 'Y')])).toEqual([
      { rule: 'structure', path: 'occurrences[3]', message: 'flow X/ss.c is not triggered in this problem' },
      { rule: 'structure', path: 'occurrences[4]', message: 'flow Y/ss.a is not triggered in this problem' },
    ]);
    expect(violations(workshop(TRIGGERED), [...FEASIBLE, occ('ss.b', 'nope', 0, 1)])).toEqual([{ rule: 'structure', path: 'occurrences[3].activity', message: 'unknown activity "nope"' }]);
  });

  it('structure: an activity listed twice in one flow', () => {
    expect(violations(workshop(TRIGGERED), [...FEASIBLE, occ('ss.a', 'a1', 0, 2, ['m2'])])).toEqual([{ rule: 'structure', path: 'X/ss.a', message: 'activity a1 is listed twice' }]);
  });

  it("schedule: a start or end that differs from the no-wait schedule (the schedule's times are used)", () => {
    const occurrences = [occ('ss.a', 'a1', 0, 2, ['m1']), occ('ss.a', 'a2', 2.5, 3.5, ['m1', 'e1']), occ('ss.b', 'b1', 3, 4, ['m2'])];
    const result = evaluateConfiguration(workshop(TRIGGERED), occurrences);
    expect(result.violations).toEqual([
      { rule: 'schedule', path: 'occurrences[1]', message: 'a2 is scheduled [2, 3), not [2.5, 3.5)' },
      { rule: 'schedule', path: 'occurrences[2]', message: 'b1 is scheduled [0, 1), not [3, 4)' },
    ]);
    expect(result.objectives).toEqual(evaluateConfiguration(workshop(TRIGGERED), FEASIBLE).objectives);
    // A10 is judged on the schedule too: b1 really runs [0, 1) and m1 is on a1 then.
    const clash = evaluateConfiguration(workshop(TRIGGERED), [occ('ss.a', 'a1', 0, 2, ['m1']), occ('ss.a', 'a3', 2, 5), occ('ss.b', 'b1', 3, 4, ['m1'])]);
    expect(clash.violations.map((v) => v.rule).sort()).toEqual(['A10', 'schedule']);
  });

  it('reports several violations of different rules at once', () => {
    const problem = workshop([{ asset: 'X', trigger: 'ss.a', start: 0, deadline: 4 }], { busy: [{ resource: 'm2', from: 0, to: 1 }] });
    const result = evaluateConfiguration(problem, [occ('ss.a', 'a1', 0, 2, ['m2', 'm1']), occ('ss.a', 'a3', 2, 5)]);
    expect(result.feasible).toBe(false);
    expect(result.violations).toEqual([
      { rule: 'A8', path: 'X/ss.a', message: 'ends at 5, after its deadline 4' },
      { rule: 'A9', path: 'occurrences[0].resources', message: 'a1 needs 1 × kM, got 2' },
      { rule: 'A10', path: 'occurrences[0]', message: 'm2 is busy during [0, 1)' },
    ]);
  });
});
