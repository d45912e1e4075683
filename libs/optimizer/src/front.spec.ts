// filterFront and the answer builders: dominated and near-duplicate vectors removed, distinct ones
// kept, a stable order.
import fc from 'fast-check';
import { ConfigurationSolution, PesSolution } from '@pss/model';
import { configurationVector, filterFront, finishConfigurationFront, finishPesFront, pesVector } from './front';

interface Item {
  id: string;
  v: number[];
}

const item = (id: string, ...v: number[]): Item => ({ id, v });
const ids = (items: readonly Item[]) => items.map((i) => i.id);
const byVector = (i: Item) => i.v;

function configurationSolution(time: number, cost: number, reliability: number, activity = 'sa.x'): ConfigurationSolution {
  return { objectives: { time, cost, reliability }, occurrences: [{ asset: 'a', trigger: 'ss.1', activity, start: 0, end: time, resources: [] }] };
}

const stats = { algorithm: 'test', evaluations: 0, wallMs: 0 };

describe('filterFront', () => {
  it('keeps nothing of nothing', () => {
    expect(filterFront([], byVector)).toEqual([]);
  });

  it('removes dominated vectors', () => {
    const items = [item('a', 1, 5, 0), item('b', 2, 5, 0), item('c', 1, 6, 0), item('d', 1, 5, 1), item('e', 0, 9, 0)];
    expect(ids(filterFront(items, byVector))).toEqual(['e', 'a']);
  });

  it('keeps vectors that trade one objective against another', () => {
    const items = [item('a', 3, 1, -0.5), item('b', 1, 3, -0.5), item('c', 2, 2, -0.5), item('d', 2, 2, -0.9)];
    expect(ids(filterFront(items, byVector))).toEqual(['b', 'd', 'a']);
  });

  it('removes exact duplicates, keeping the first given', () => {
    const items = [item('first', 1, 2, 3), item('second', 1, 2, 3), item('third', 1, 2, 3)];
    expect(ids(filterFront(items, byVector))).toEqual(['first']);
  });

  it('removes near-duplicates within a relative 1e-12', () => {
    const items = [item('a', 1000, 2, -0.97), item('b', 1000 * (1 + 5e-13), 2, -0.97 * (1 + 5e-13)), item('c', 1000, 2 * (1 - 4e-13), -0.97)];
    expect(filterFront(items, byVector)).toHaveLength(1);
    // Near zero the tolerance is absolute: 1e-12.
    expect(filterFront([item('a', 0, 0, 0), item('b', 5e-13, 0, -5e-13)], byVector)).toHaveLength(1);
  });

  it('keeps distinct trade-offs just above the tolerance', () => {
    // b is slower by 1e-10 relative but cheaper: a genuine trade-off, not noise.
    const items = [item('a', 1, 2, -0.9), item('b', 1 + 1e-10, 2 - 1e-10, -0.9)];
    expect(ids(filterFront(items, byVector))).toEqual(['a', 'b']);
    // Worse by 1e-10 in one objective and equal elsewhere is dominated, not a near-duplicate.
    expect(ids(filterFront([item('a', 1, 2, -0.9), item('b', 1, 2 + 2e-10, -0.9)], byVector))).toEqual(['a']);
  });

  it('orders by time, then cost, then reliability descending, whatever the input order', () => {
    const a = configurationSolution(1, 50, 0.8);
    const b = configurationSolution(1, 40, 0.7);
    const c = configurationSolution(2, 30, 0.95);
    const d = configurationSolution(2, 30, 0.99);
    const e = configurationSolution(0.5, 90, 0.6);
    for (const input of [
      [a, b, c, d, e],
      [e, d, c, b, a],
      [c, a, e, b, d],
    ]) {
      expect(filterFront(input, configurationVector)).toEqual([e, b, a, d]);
    }
  });

  it('does not change its input', () => {
    const items = [item('b', 2, 1, 0), item('a', 1, 2, 0), item('c', 3, 3, 3)];
    const copy = items.map((i) => ({ ...i, v: [...i.v] }));
    filterFront(items, byVector);
    expect(items).toEqual(copy);
  });

  it('on integer vectors: keeps exactly the distinct non-dominated ones, sorted, and is idempotent', () => {
    const vectorArb = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 3, maxLength: 3 });
    fc.assert(
      fc.property(fc.array(vectorArb, { maxLength: 30 }), (vectors) => {
        const items = vectors.map((v, i) => item(String(i), ...v));
        const kept = filterFront(items, byVector);
        const dominates = (a: number[], b: number[]) => a.every((x, k) => x <= b[k]) && a.some((x, k) => x < b[k]);
        const key = (v: number[]) => v.join(',');
        const expected = new Set(vectors.filter((v) => !vectors.some((w) => dominates(w, v))).map(key));
        // The distinct non-dominated vectors, each once.
        expect(kept.map((k) => key(k.v)).sort()).toEqual([...expected].sort());
        // Each represented by the first input item with that vector.
        for (const k of kept) expect(k).toBe(items.find((i) => key(i.v) === key(k.v)));
        // Lexicographically ascending.
        for (let i = 1; i < kept.length; i++) {
          const [p, q] = [kept[i - 1].v, kept[i].v];
          const firstDiff = p.findIndex((x, k) => x !== q[k]);
          expect(firstDiff).toBeGreaterThanOrEqual(0);
          expect(p[firstDiff]).toBeLessThan(q[firstDiff]);
        }
        expect(filterFront(kept, byVector)).toEqual(kept);
      }),
      { numRuns: 200 },
    );
  });

  // Sorting compares the first component exactly, and an item is only checked against the items
  // kept before it: a later item that is at least as good everywhere up to the 1e-12 noise (here: a
  // time longer by 5.6e-17 only, but a lower cost) does not remove the earlier one. Found on PES
  // problems with decimal performances (see exact-pes.spec.ts), where -0.30000000000000004 sorts
  // before -0.3.
  test('removes an earlier vector that a later one covers up to float noise', () => {
    const items = [item('noise-shorter', 0.3, 2, 1), item('cheaper', 0.1 + 0.2, 1, 1)];
    expect(0.1 + 0.2).toBeGreaterThan(0.3);
    expect(ids(filterFront(items, byVector))).toEqual(['cheaper']);
  });
});

describe('answer builders', () => {
  it('finishConfigurationFront filters and orders the solutions and passes the rest through', () => {
    const slow = configurationSolution(3, 10, 0.9, 'sa.slow');
    const fast = configurationSolution(1, 20, 0.9, 'sa.fast');
    const dominated = configurationSolution(3, 30, 0.8, 'sa.bad');
    const front = finishConfigurationFront([slow, dominated, fast], { infeasible: null, stats });
    expect(front).toEqual({
      kind: 'ParetoFront',
      problem: 'ConfigurationProblem',
      objectives: ['time', 'cost', 'reliability'],
      solutions: [fast, slow],
      infeasible: null,
      stats,
    });
  });

  it('finishPesFront orders by performance descending, then cost, then response time', () => {
    const pes = (performance: number, cost: number, responseTime: number, id: string): PesSolution => ({ objectives: { performance, cost, responseTime }, instances: [id] });
    const best = pes(30, 20, 10, 'best');
    const cheap = pes(20, 5, 10, 'cheap');
    const quick = pes(20, 10, 2, 'quick');
    const poor = pes(19, 20, 10, 'poor');
    const front = finishPesFront([poor, quick, cheap, best], { infeasible: null, stats });
    expect(front.problem).toBe('PesProblem');
    expect(front.objectives).toEqual(['performance', 'cost', 'responseTime']);
    expect(front.solutions).toEqual([best, cheap, quick]);
    expect(pesVector(best)).toEqual([-30, 20, 10]);
  });

  it('keeps an empty front with its reason', () => {
    const front = finishPesFront([], { infeasible: 'no selection satisfies the rules', stats });
    expect(front.solutions).toEqual([]);
    expect(front.infeasible).toBe('no selection satisfies the rules');
  });
});
