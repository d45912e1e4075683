import fc from 'fast-check';
import { ConfigurationProblem, FlowBody, TIME_EPSILON, alternatives, bodyActivities, formatIssue, overlaps, planFlows, readConfigurationProblem, scheduleBody } from './index';
import { Json, bodyArb, workshopModel } from './testing/arbitraries';

const seq = (...children: FlowBody[]): FlowBody => ({ seq: children });
const and = (...children: FlowBody[]): FlowBody => ({ and: children });
const xor = (...children: FlowBody[]): FlowBody => ({ xor: children });

const timesOf = (times: Record<string, number>) => (id: string) => {
  if (!(id in times)) throw new Error(`no time for ${id}`);
  return times[id];
};

describe('scheduleBody: the no-wait schedule', () => {
  it('runs seq children one after another from the start', () => {
    expect(scheduleBody(seq('a', 'b'), new Set(['a', 'b']), 1, timesOf({ a: 2, b: 3 }))).toEqual({
      occurrences: [
        { activity: 'a', start: 1, end: 3 },
        { activity: 'b', start: 3, end: 6 },
      ],
      end: 6,
    });
  });

  it('starts all and children with the block and ends it with the latest', () => {
    expect(scheduleBody(and('a', seq('b', 'c')), new Set(['a', 'b', 'c']), 0, timesOf({ a: 2, b: 1, c: 4 }))).toEqual({
      occurrences: [
        { activity: 'a', start: 0, end: 2 },
        { activity: 'b', start: 0, end: 1 },
        { activity: 'c', start: 1, end: 5 },
      ],
      end: 5,
    });
  });

  it('runs only the chosen branch of an xor block', () => {
    const body = seq('x', xor('a', 'b'), 'y');
    const times = timesOf({ x: 1, a: 2, b: 5, y: 1 });
    expect(scheduleBody(body, new Set(['x', 'b', 'y']), 10, times)).toEqual({
      occurrences: [
        { activity: 'x', start: 10, end: 11 },
        { activity: 'b', start: 11, end: 16 },
        { activity: 'y', start: 16, end: 17 },
      ],
      end: 17,
    });
    expect(scheduleBody(body, new Set(['x', 'a', 'y']), 10, times).end).toBe(14);
  });

  it('schedules seq[a, xor[b, and[c, xor[d,e]]], f] through the and branch', () => {
    const body = seq('a', xor('b', and('c', xor('d', 'e'))), 'f');
    const times = timesOf({ a: 1, b: 9, c: 2, d: 5, e: 1, f: 1 });
    expect(scheduleBody(body, new Set(['a', 'c', 'e', 'f']), 0, times)).toEqual({
      occurrences: [
        { activity: 'a', start: 0, end: 1 },
        { activity: 'c', start: 1, end: 3 },
        { activity: 'e', start: 1, end: 2 },
        { activity: 'f', start: 3, end: 4 },
      ],
      end: 4,
    });
    expect(scheduleBody(body, new Set(['a', 'c', 'd', 'f']), 0, times).end).toBe(7);
  });

  it('lets zero-time activities take an empty interval', () => {
    expect(scheduleBody(seq('z', 'a'), new Set(['z', 'a']), 2, timesOf({ z: 0, a: 1 })).occurrences).toEqual([
      { activity: 'z', start: 2, end: 2 },
      { activity: 'a', start: 2, end: 3 },
    ]);
  });

  it('throws when no branch of an xor holds a chosen activity', () => {
    expect(() => scheduleBody(xor('a', 'b'), new Set(['c']), 0, timesOf({ a: 1, b: 1 }))).toThrow(/no branch of a selective block/);
  });

  it('on random bodies: schedules exactly the alternative, each for its time, and ends with the critical path', () => {
    fc.assert(
      fc.property(
        bodyArb(4, 200).chain((body) =>
          fc.tuple(
            fc.constant(body),
            fc.array(fc.integer({ min: 0, max: 8 }), { minLength: bodyActivities(body).length, maxLength: bodyActivities(body).length }),
            fc.integer({ min: 0, max: 100 }),
          ),
        ),
        ([body, durations, start]) => {
          const ids = bodyActivities(body);
          const time = (id: string) => durations[ids.indexOf(id)];
          // The end of a block, written from the rules of MODEL.md section 2.
          const endOf = (b: FlowBody, chosen: ReadonlySet<string>, t: number): number => {
            if (typeof b === 'string') return t + time(b);
            if ('seq' in b) return b.seq.reduce((at, c) => endOf(c, chosen, at), t);
            if ('and' in b) return Math.max(t, ...b.and.map((c) => endOf(c, chosen, t)));
            const branch = b.xor.find((c) => bodyActivities(c).some((a) => chosen.has(a)))!;
            return endOf(branch, chosen, t);
          };
          for (const alt of alternatives(body)) {
            const chosen = new Set(alt);
            const { occurrences, end } = scheduleBody(body, chosen, start, time);
            expect(occurrences.map((o) => o.activity).sort()).toEqual([...alt].sort());
            for (const o of occurrences) {
              expect(o.end - o.start).toBe(time(o.activity));
              expect(o.start).toBeGreaterThanOrEqual(start);
              expect(o.end).toBeLessThanOrEqual(end);
            }
            expect(end).toBe(endOf(body, chosen, start));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('planFlows', () => {
  function problem(triggered: Json): ConfigurationProblem {
    const r = readConfigurationProblem({ kind: 'ConfigurationProblem', model: workshopModel(), triggered });
    if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
    return r.value;
  }

  it('lists every alternative of every triggered flow with its schedule, end, deadline check and time', () => {
    const plans = planFlows(
      problem([
        { asset: 'X', trigger: 'ss.a', start: 1, deadline: 4 },
        { asset: 'X', trigger: 'ss.b', start: 2 },
      ]),
    );
    expect(plans).toHaveLength(2);
    expect(plans[0]).toMatchObject({ index: 0, asset: 'X', trigger: 'ss.a', start: 1, deadline: 4 });
    expect(plans[0].alternatives).toEqual([
      {
        activities: ['a1', 'a2'],
        schedule: [
          { activity: 'a1', start: 1, end: 3 },
          { activity: 'a2', start: 3, end: 4 },
        ],
        end: 4,
        meetsDeadline: true,
        time: 3,
      },
      {
        activities: ['a1', 'a3'],
        schedule: [
          { activity: 'a1', start: 1, end: 3 },
          { activity: 'a3', start: 3, end: 6 },
        ],
        end: 6,
        meetsDeadline: false,
        time: 5,
      },
    ]);
    // The virtual branch takes no time and counts for nothing; the deadline comes from the window.
    expect(plans[1].deadline).toBe(5);
    expect(plans[1].alternatives.map((a) => [a.activities, a.end, a.time])).toEqual([
      [['b1'], 3, 1],
      [['v'], 2, 0],
    ]);
  });

  it('accepts an end that exceeds the deadline by float noise only', () => {
    const plans = planFlows(problem([{ asset: 'X', trigger: 'ss.a', start: 0.1, deadline: 3.1 - TIME_EPSILON / 2 }]));
    expect(plans[0].alternatives[0].end).toBeCloseTo(3.1, 12);
    expect(plans[0].alternatives[0].meetsDeadline).toBe(true);
  });
});

describe('overlaps (half-open intervals)', () => {
  it('is true only for a common stretch of positive length', () => {
    expect(overlaps(0, 2, 1, 3)).toBe(true);
    expect(overlaps(0, 5, 1, 2)).toBe(true);
    expect(overlaps(1, 2, 1, 2)).toBe(true);
    // touching intervals [0,2) and [2,3) do not overlap
    expect(overlaps(0, 2, 2, 3)).toBe(false);
    expect(overlaps(2, 3, 0, 2)).toBe(false);
    expect(overlaps(0, 1, 5, 6)).toBe(false);
    // zero-length intervals overlap nothing, not even an interval around them
    expect(overlaps(1, 1, 0, 2)).toBe(false);
    expect(overlaps(0, 2, 1, 1)).toBe(false);
    expect(overlaps(1, 1, 1, 1)).toBe(false);
  });

  it('is symmetric and agrees with the definition s1 < e2 && s2 < e1 for non-empty intervals', () => {
    const interval = fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 5 })).map(([s, len]) => [s, s + len] as const);
    fc.assert(
      fc.property(interval, interval, ([s1, e1], [s2, e2]) => {
        expect(overlaps(s1, e1, s2, e2)).toBe(overlaps(s2, e2, s1, e1));
        const nonEmpty = e1 > s1 && e2 > s2;
        expect(overlaps(s1, e1, s2, e2)).toBe(nonEmpty && s1 < e2 && s2 < e1);
      }),
    );
  });
});
