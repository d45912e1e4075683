import { ConfigurationProblem, PesProblem, readConfigurationProblem, readPesProblem } from '@pss/model';
import { readFileSync } from 'fs';
import { join } from 'path';
import { AUTO_EXACT, smallEnoughForExact, solveProblem } from './solve';
import { SearchLimitError } from './run-control';

const dir = join(__dirname, '..', '..', '..', 'examples');
function configuration(name: string): ConfigurationProblem {
  const r = readConfigurationProblem(JSON.parse(readFileSync(join(dir, name), 'utf8')));
  if (!r.ok) throw new Error('invalid example');
  return r.value;
}
function pes(): PesProblem {
  const r = readPesProblem(JSON.parse(readFileSync(join(dir, 'elevator-pes.json'), 'utf8')));
  if (!r.ok) throw new Error('invalid example');
  return r.value;
}

describe('solveProblem', () => {
  it('auto proves small configuration problems exactly', () => {
    const problem = configuration('conformance/c1-two-flows.json');
    expect(smallEnoughForExact(problem)).toBe(true);
    const front = solveProblem(problem);
    expect(front.stats.algorithm).toBe('auto:exact');
    expect(front.stats.exact).toBe(true);
  });

  it('auto solves the PES case exactly', () => {
    const front = solveProblem(pes(), { seed: 4 });
    expect(front.stats.algorithm).toBe('auto:exact');
    expect(front.stats.seed).toBe(4);
    expect(front.solutions).toHaveLength(129);
    expect(AUTO_EXACT.maxPesConfigurations).toBeGreaterThan(279936);
  });

  it('runs every algorithm by name on a configuration problem', () => {
    const problem = configuration('conformance/c2-fleet.json');
    for (const algorithm of ['exact', 'hybrid', 'imodcs', 'nsga2'] as const) {
      const front = solveProblem(problem, { algorithm, seed: 2, maxEvaluations: 5000 });
      expect(front.solutions.length).toBeGreaterThan(0);
      expect(String(front.stats.algorithm)).toContain(algorithm);
    }
  });

  it('overrides the reliability objective and records it', () => {
    const problem = configuration('conformance/c1-two-flows.json');
    const front = solveProblem(problem, { reliability: 'mean' });
    expect(front.stats.reliability).toBe('mean');
    expect(problem.reliabilityObjective).toBe('importance-weighted');
  });

  it('refuses combinations that make no sense, with a reason', () => {
    expect(() => solveProblem(pes(), { algorithm: 'hybrid' })).toThrow(SearchLimitError);
    expect(() => solveProblem(pes(), { strategy: 'sequential' })).toThrow(/configuration problems only/);
    expect(() => solveProblem(configuration('conformance/c1-two-flows.json'), { algorithm: 'nsga2', strategy: 'sequential' })).toThrow(/hybrid and imodcs/);
  });
});
