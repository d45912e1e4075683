// The library does no I/O; the tests read the shared example files themselves.
import { readFileSync } from 'fs';
import { join } from 'path';
import { PES_EPSILON, PesProblem, evaluatePes, formatIssue, pesObjectives, readPesProblem } from './index';
import { Json } from './testing/arbitraries';

/** A file of examples/ (at the repository root), parsed as JSON. */
const example = (path: string): unknown => JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'examples', path), 'utf8'));

function load(raw: unknown): PesProblem {
  const r = readPesProblem(raw);
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
  return r.value;
}

describe('evaluatePes: the elevator case (seed 003)', () => {
  const problem = load(example('elevator-pes.json'));

  it('has the seven published schemes', () => {
    expect(problem.publishedSchemes.map((s) => s.id)).toEqual(['A1', 'A2', 'A3', 'A4', 'A5', 'WS-equal', 'WS-0.3-0.1-0.6']);
  });

  it.each(problem.publishedSchemes.map((s) => [s.id, s] as const))('%s is feasible and reproduces the published objectives', (_id, scheme) => {
    const evaluation = evaluatePes(problem, scheme.instances);
    expect(evaluation.violations).toEqual([]);
    expect(evaluation.feasible).toBe(true);
    // the paper prints performance with 2 decimals
    expect(Math.abs(evaluation.objectives.performance - scheme.performance)).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(Math.abs(evaluation.objectives.cost - scheme.cost)).toBeLessThanOrEqual(1e-9);
    expect(Math.abs(evaluation.objectives.responseTime - scheme.responseTime)).toBeLessThanOrEqual(1e-9);
  });

  it('reports the elevator rules when a scheme breaks them', () => {
    const a3 = problem.publishedSchemes.find((s) => s.id === 'A3')!.instances;
    // A3 takes M152 and M172; swapping in M151 breaks "M151 excludes M172"
    const broken = a3.map((id) => (id === 'M152' ? 'M151' : id));
    expect(evaluatePes(problem, broken).violations).toEqual([{ rule: 'excludes', message: 'M151 excludes M172' }]);
    // M161 requires M1101
    const noM1101 = a3.map((id) => (id === 'M1101' ? 'M1102' : id));
    expect(evaluatePes(problem, noM1101).violations).toEqual([{ rule: 'requires', message: 'M161 requires M1101' }]);
  });
});

function small(): Json {
  return {
    kind: 'PesProblem',
    modules: [
      {
        id: 'M1',
        mandatory: true,
        instances: [
          { id: 'i11', cost: 4, responseTime: 2, performance: 3 },
          { id: 'i12', cost: 6, responseTime: 1, performance: 5 },
        ],
      },
      {
        id: 'M2',
        mandatory: false,
        instances: [
          { id: 'i21', cost: 1, responseTime: 1, performance: 1 },
          { id: 'i22', cost: 2, responseTime: 1.5, performance: 2 },
        ],
      },
      { id: 'M3', mandatory: false, instances: [{ id: 'i31', cost: 1.5, responseTime: 0.5, performance: 1 }] },
    ],
    rules: [
      { type: 'excludes', a: 'i11', b: 'i21' },
      { type: 'requires', a: 'i12', b: 'i31' },
      { type: 'inclusive', a: 'i22', b: 'i31' },
    ],
    limits: { profitMargin: 0.25, maxPrice: 12.5, maxResponseTime: 3.5 },
  };
}

describe('evaluatePes: objectives and each rule', () => {
  const problem = load(small());
  const rules = (ids: string[]) => evaluatePes(problem, ids).violations.map((v) => v.rule);

  it('sums performance, cost and response time of the chosen instances', () => {
    expect(evaluatePes(problem, ['i11'])).toEqual({ feasible: true, violations: [], objectives: { performance: 3, cost: 4, responseTime: 2 } });
    expect(evaluatePes(problem, ['i12', 'i22', 'i31']).objectives).toEqual({ performance: 8, cost: 9.5, responseTime: 3 });
    expect(pesObjectives([])).toEqual({ performance: 0, cost: 0, responseTime: 0 });
  });

  it('module: a mandatory module needs exactly one instance, an optional module takes at most one', () => {
    expect(evaluatePes(problem, []).violations).toEqual([{ rule: 'module', message: 'mandatory module M1 needs exactly one instance, got 0' }]);
    expect(evaluatePes(problem, ['i11', 'i12', 'i31']).violations).toContainEqual({ rule: 'module', message: 'mandatory module M1 needs exactly one instance, got 2' });
    expect(evaluatePes(problem, ['i11', 'i21', 'i22']).violations).toContainEqual({ rule: 'module', message: 'optional module M2 takes at most one instance, got 2' });
    expect(evaluatePes(problem, ['i11', 'i11']).violations).toEqual([{ rule: 'module', message: 'instance i11 is listed twice' }]);
  });

  it('unknown: an instance that no module has', () => {
    expect(evaluatePes(problem, ['i11', 'i99']).violations).toEqual([{ rule: 'unknown', message: 'unknown instance "i99"' }]);
  });

  it('excludes: not both', () => {
    expect(evaluatePes(problem, ['i11', 'i21']).violations).toEqual([{ rule: 'excludes', message: 'i11 excludes i21' }]);
    expect(rules(['i12', 'i21', 'i31'])).not.toContain('excludes');
  });

  it('requires: a selected means b selected (not the other way round)', () => {
    expect(evaluatePes(problem, ['i12']).violations).toEqual([{ rule: 'requires', message: 'i12 requires i31' }]);
    expect(rules(['i11', 'i31'])).toEqual(['inclusive']);
  });

  it('inclusive: both or neither', () => {
    expect(evaluatePes(problem, ['i11', 'i22']).violations).toEqual([{ rule: 'inclusive', message: 'i22 and i31 go together' }]);
    expect(evaluatePes(problem, ['i11', 'i31']).violations).toEqual([{ rule: 'inclusive', message: 'i22 and i31 go together' }]);
    expect(evaluatePes(problem, ['i12', 'i22', 'i31']).feasible).toBe(true);
  });

  it('price: cost · (1 + margin) must not exceed maxPrice', () => {
    // cost 6 + 2 + 1.5 = 9.5 → price 11.875 <= 12.5
    expect(evaluatePes(problem, ['i12', 'i22', 'i31']).feasible).toBe(true);
    const tight = load({ ...(small() as { [key: string]: Json }), limits: { profitMargin: 0.25, maxPrice: 10 } });
    expect(evaluatePes(tight, ['i11']).feasible).toBe(true); // 4 × 1.25 = 5
    expect(evaluatePes(tight, ['i12', 'i22', 'i31']).violations).toEqual([{ rule: 'price', message: 'price 11.875 (cost 9.5 × 1.25) exceeds 10' }]);
    // exactly at the limit is allowed
    const exact = load({ ...(small() as { [key: string]: Json }), limits: { profitMargin: 0.25, maxPrice: 11.875 } });
    expect(evaluatePes(exact, ['i12', 'i22', 'i31']).feasible).toBe(true);
  });

  it('responseTime: the summed response time must not exceed maxResponseTime', () => {
    expect(evaluatePes(problem, ['i11', 'i22', 'i31']).violations).toEqual([{ rule: 'responseTime', message: 'response time 4 exceeds 3.5' }]);
    expect(evaluatePes(problem, ['i11', 'i22']).violations.map((v) => v.rule)).toEqual(['inclusive']); // 3.5 is allowed
  });

  it('compares limits with a slack of PES_EPSILON for float sums', () => {
    const limits = { profitMargin: 0, maxPrice: 0.3, maxResponseTime: 0.3 };
    const p = load({
      kind: 'PesProblem',
      modules: [
        { id: 'A', instances: [{ id: 'a', cost: 0.1, responseTime: 0.1, performance: 1 }] },
        { id: 'B', instances: [{ id: 'b', cost: 0.2, responseTime: 0.2, performance: 1 }] },
      ],
      limits,
    });
    expect(0.1 + 0.2).toBeGreaterThan(0.3);
    expect(PES_EPSILON).toBe(1e-9);
    expect(evaluatePes(p, ['a', 'b']).feasible).toBe(true);
  });

  it('reports every violation at once', () => {
    expect(rules(['i11', 'i12', 'i21', 'i22', 'x'])).toEqual(['unknown', 'module', 'module', 'excludes', 'requires', 'inclusive', 'price', 'responseTime']);
  });

  it('has no limits to check without maxPrice and maxResponseTime', () => {
    const free = load({ ...(small() as { [key: string]: Json }), limits: { profitMargin: 3 } });
    expect(evaluatePes(free, ['i12', 'i22', 'i31']).feasible).toBe(true);
  });
});
