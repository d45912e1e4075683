import { readFileSync } from 'fs';
import { join } from 'path';
import { ConfigurationFront, ConfigurationProblem, ParetoFront, readConfigurationProblem, readPesProblem } from '@pss/model';
import { SearchLimitError, solveProblem } from '@pss/optimizer';
import { OptimizerPool, mergeFronts } from './pool';

const examples = join(__dirname, '..', '..', '..', 'examples');
function problem(name: string): ConfigurationProblem {
  const r = readConfigurationProblem(JSON.parse(readFileSync(join(examples, name), 'utf8')));
  if (!r.ok) throw new Error(`example ${name} invalid`);
  return r.value;
}
const vectors = (f: ParetoFront) => f.solutions.map((s) => Object.values(s.objectives) as number[]);

describe('OptimizerPool (real worker threads)', () => {
  jest.setTimeout(60_000);
  const pool = new OptimizerPool({ size: 2 });
  afterAll(() => pool.close());

  it('solves a problem in two partitions and merges them into the exact front', async () => {
    const c2 = problem('conformance/c2-fleet.json');
    const parallel = (await pool.solve(c2, { algorithm: 'exact' })) as ConfigurationFront;
    const inline = solveProblem(c2, { algorithm: 'exact' });
    expect(vectors(parallel)).toEqual(vectors(inline));
    expect(parallel.stats.exact).toBe(true);
    expect(parallel.stats.workers).toBe(2);
  });

  it('runs the heuristics with one seed per worker and keeps only non-dominated answers', async () => {
    const c1 = problem('conformance/c1-two-flows.json');
    const front = await pool.solve(c1, { algorithm: 'nsga2', seed: 3, maxEvaluations: 4000 });
    const want = (JSON.parse(readFileSync(join(examples, 'conformance/c1-two-flows.front.json'), 'utf8')) as ConfigurationFront).solutions.length;
    expect(front.solutions.length).toBeGreaterThan(0);
    expect(front.solutions.length).toBeLessThanOrEqual(want);
    const seeds = (front.stats.workerStats as { seed: number }[]).map((s) => s.seed);
    expect(new Set(seeds).size).toBe(2);
  });

  it('solves a PES problem whole', async () => {
    const r = readPesProblem(JSON.parse(readFileSync(join(examples, 'elevator-pes.json'), 'utf8')));
    if (!r.ok) throw new Error('invalid');
    const front = await pool.solve(r.value, {});
    expect(front.problem).toBe('PesProblem');
    expect(front.stats.exact).toBe(true);
    expect(front.solutions).toHaveLength(129);
  });

  it('brings a SearchLimitError back typed, and keeps serving afterwards', async () => {
    const car = problem('conformance/c1-two-flows.json');
    await expect(pool.solve(car, { algorithm: 'exact', exactLimit: 1 })).rejects.toBeInstanceOf(SearchLimitError);
    const again = await pool.solve(car, { algorithm: 'exact' });
    expect(again.solutions.length).toBe(9);
  });

  it('rejects work after close', async () => {
    const other = new OptimizerPool({ size: 1 });
    await other.close();
    await expect(other.solve(problem('conformance/c1-two-flows.json'))).rejects.toThrow(/closed/);
  });
});

describe('mergeFronts', () => {
  it('sums evaluations, keeps the pool wall time, and proves exact only if every part did', () => {
    const c1 = problem('conformance/c1-two-flows.json');
    const a = solveProblem(c1, { algorithm: 'exact', partition: { index: 0, count: 2 } });
    const b = solveProblem(c1, { algorithm: 'exact', partition: { index: 1, count: 2 } });
    const merged = mergeFronts([a, b], 42, 2);
    expect(merged.stats.evaluations).toBe(a.stats.evaluations + b.stats.evaluations);
    expect(merged.stats.wallMs).toBe(42);
    expect(vectors(merged)).toEqual(vectors(solveProblem(c1, { algorithm: 'exact' })));
    b.stats.exact = false;
    expect(mergeFronts([a, b], 1, 2).stats.exact).toBe(false);
  });
});
