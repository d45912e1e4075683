import { ConfigurationObjectives } from '@pss/model';
import { choose, explainApproval, knee, normalize, weighted } from './selection';

// Objective vectors built from normalized coordinates (0 best, 1 worst on the front): time 0..10 h, cost 0..100,
// reliability 0.9..0.8.
function at(t: number, c: number, r: number): ConfigurationObjectives {
  return { time: t * 10, cost: c * 100, reliability: 0.9 - r * 0.1 };
}

describe('normalize', () => {
  it('maps every objective to 0 (best on the front) .. 1 (worst), reliability reversed', () => {
    const n = normalize([at(0, 1, 0.5), at(1, 0, 1), at(0.5, 0.5, 0)]);
    expect(n.ranges.time).toEqual({ min: 0, max: 10 });
    expect(n.ranges.reliability.max).toBeCloseTo(0.9);
    expect(n.values[0]).toEqual([0, 1, expect.closeTo(0.5, 9)]);
    expect(n.values[2][2]).toBeCloseTo(0);
    expect(n.active).toEqual([0, 1, 2]);
  });

  it('leaves out an objective that is the same on every solution', () => {
    const n = normalize([
      { time: 1, cost: 5, reliability: 0.9 },
      { time: 2, cost: 3, reliability: 0.9 },
    ]);
    expect(n.active).toEqual([0, 1]);
    expect(n.values.map((v) => v[2])).toEqual([0, 0]);
  });
});

describe('knee', () => {
  it('takes the solution farthest from the plane through the three extremes, on the ideal side', () => {
    const front = [at(0, 1, 1), at(1, 0, 1), at(1, 1, 0), at(0.5, 0.5, 0.9), at(0.3, 0.3, 0.3)];
    const result = knee(normalize(front));
    expect(result.basis).toBe('plane');
    expect(result.extremes.sort()).toEqual([0, 1, 2]);
    expect(result.index).toBe(4);
    // Plane x + y + z = 2; the knee's sum is 0.9: distance (2 - 0.9) / sqrt(3).
    expect(result.distance).toBeCloseTo(1.1 / Math.sqrt(3), 9);
  });

  it('uses the line between the two extremes when only two objectives vary', () => {
    const front = [
      { time: 0, cost: 10, reliability: 0.9 },
      { time: 2, cost: 3, reliability: 0.9 },
      { time: 10, cost: 0, reliability: 0.9 },
      { time: 6, cost: 4, reliability: 0.9 },
    ];
    const result = knee(normalize(front));
    expect(result.basis).toBe('line');
    expect(result.index).toBe(1);
    expect(result.distance).toBeCloseTo(0.5 / Math.SQRT2, 9);
  });

  it('falls back to a line when the extremes are collinear, and to the best solution with one objective', () => {
    // Two solutions only: best time is also best reliability.
    const two = knee(normalize([at(0, 1, 0), at(1, 0, 1)]));
    expect(two.basis).toBe('line');
    expect([0, 1]).toContain(two.index);
    const single = knee(normalize([{ time: 3, cost: 1, reliability: 0.5 }, { time: 2, cost: 1, reliability: 0.5 }]));
    expect(single).toMatchObject({ index: 1, basis: 'single-objective' });
    expect(knee(normalize([at(0, 0, 0), at(0, 0, 0)]))).toMatchObject({ index: 0, basis: 'identical' });
  });
});

describe('weighted', () => {
  const front = [at(0, 1, 1), at(1, 0, 1), at(1, 1, 0), at(0.3, 0.3, 0.3)];

  it('minimizes the weighted sum of the normalized objectives', () => {
    expect(weighted(normalize(front), { time: 1, cost: 1, reliability: 1 }).index).toBe(3);
    expect(weighted(normalize(front), { time: 1, cost: 0, reliability: 0 }).index).toBe(0);
    expect(weighted(normalize(front), { time: 0, cost: 0, reliability: 5 }).index).toBe(2);
  });

  it('treats all-zero weights as equal weights', () => {
    const result = weighted(normalize(front), { time: 0, cost: 0, reliability: 0 });
    expect(result.index).toBe(3);
    expect(result.weights).toEqual({ time: 1, cost: 1, reliability: 1 });
    expect(result.score).toBeCloseTo(0.3, 9);
  });
});

describe('choose and explain', () => {
  const front = [at(0, 1, 1), at(1, 0, 1), at(1, 1, 0), at(0.3, 0.3, 0.3)];

  it('explains the knee: chosen values, ranges, and what it gives up against the best in each objective', () => {
    const { index, explanation } = choose(front, 'knee', { time: 1, cost: 1, reliability: 1 }, { time: 'h', currency: 'CNY' });
    expect(index).toBe(3);
    expect(explanation.chosen).toEqual(front[3]);
    expect(explanation.ranges.cost).toEqual({ min: 0, max: 100 });
    const time = explanation.tradeOffs.find((t) => t.objective === 'time')!;
    expect(time).toMatchObject({ best: 0, bestIndex: 0, chosen: 3, direction: 'minimize' });
    expect(time.given).toBeCloseTo(3, 9);
    expect(time.givenShare).toBeCloseTo(0.3, 9);
    const reliability = explanation.tradeOffs.find((t) => t.objective === 'reliability')!;
    expect(reliability).toMatchObject({ bestIndex: 2, direction: 'maximize' });
    expect(reliability.given).toBeCloseTo(0.03, 9);
    expect(explanation.score).toMatchObject({ kind: 'knee-distance', basis: 'plane' });
    expect(explanation.summary).toMatch(/^chose #3 of 4 by the knee policy: time 3 h \(\+3 against #0, 30% of the range\)/);
  });

  it('chooses nothing under the manual policy and suggests the knee', () => {
    const { index, explanation } = choose(front, 'manual', { time: 1, cost: 1, reliability: 1 }, { time: 'h' });
    expect(index).toBeNull();
    expect(explanation).toMatchObject({ chosenIndex: null, suggestedIndex: 3, chosen: null, score: null });
    expect(explanation.summary).toMatch(/wait for a planner's choice; the knee is #3/);
    const approved = explainApproval(front, 1, { time: 'h' });
    expect(approved).toMatchObject({ policy: 'manual', chosenIndex: 1, chosen: front[1] });
    expect(approved.tradeOffs.find((t) => t.objective === 'cost')!.given).toBe(0);
  });
});
