import { ConfigurationFront, ConfigurationProblem, readConfigurationProblem } from '@pss/model';
import { solveProblem } from '@pss/optimizer';
import { StoredTriggerEvent } from '../persistence';
import { HOUR, MODEL_ID, elevatorModel } from '../triggers/testing/fixtures';
import { buildProblem } from './problem';
import { withWitness } from './witness';

const ORIGIN = 1_772_439_300_000;

function built(count: number) {
  const events: StoredTriggerEvent[] = Array.from({ length: count }, (_, i) => ({
    tenant: 'acme',
    eventId: `e${i}`,
    gateway: 'gw',
    asset: `elevator-0${i + 1}`,
    trigger: 'ss.doors',
    firedAt: ORIGIN,
    windowStart: ORIGIN,
    deadline: ORIGIN + 12 * HOUR,
    values: {},
    windowValues: null,
    source: 'edge',
    receivedAt: ORIGIN,
    state: 'open',
    batchId: null,
    plannedRun: null,
    closedAt: null,
  }));
  const b = buildProblem({ name: 'b', modelId: MODEL_ID, modelVersion: 1, model: elevatorModel(), unitMs: HOUR, events, activeOrders: [], originMs: ORIGIN, overrides: [] });
  const read = readConfigurationProblem(JSON.parse(JSON.stringify(b.problem)));
  if (!read.ok) throw new Error('invalid problem');
  return { problem: read.value as ConfigurationProblem, witness: b.witness };
}

describe('withWitness', () => {
  it('makes the placement the plan when the optimizer failed', () => {
    const { problem, witness } = built(3);
    const front = withWitness(problem, null, witness, 'worker exited');
    expect(front.solutions).toHaveLength(1);
    expect(front.solutions[0].occurrences).toBe(witness);
    expect(front.stats).toMatchObject({ algorithm: 'placement', optimizerError: 'worker exited', witness: 'on the front' });
    expect(front.infeasible).toBeNull();
  });

  it('merges it into the optimizer\'s front, which keeps only non-dominated solutions', () => {
    const { problem, witness } = built(2);
    const optimized = solveProblem(problem, { algorithm: 'exact' }) as ConfigurationFront;
    const front = withWitness(problem, optimized, witness, null);
    expect(front.solutions.length).toBeGreaterThanOrEqual(optimized.solutions.length);
    expect(['on the front', 'dominated']).toContain(front.stats.witness);
    // The exact front is complete: the placement adds nothing it does not cover.
    expect(front.solutions.length).toBe(optimized.solutions.length);
  });

  it('reports a placement that is not feasible and leaves the front as it was', () => {
    const { problem } = built(1);
    const front = withWitness(problem, null, [], null);
    expect(front.solutions).toEqual([]);
    expect(String(front.stats.witness)).toMatch(/^infeasible \(/);
  });
});
