import fc from 'fast-check';
import {
  FlowBody,
  IssueCollector,
  alternatives,
  bodyActivities,
  canonicalBody,
  countAlternatives,
  dedupeSets,
  formatIssue,
  formatBody,
  readFlowBody,
} from './index';
import { DocReader } from './read';
import { bodyArb, setsKey } from './testing/arbitraries';

const seq = (...children: FlowBody[]): FlowBody => ({ seq: children });
const and = (...children: FlowBody[]): FlowBody => ({ and: children });
const xor = (...children: FlowBody[]): FlowBody => ({ xor: children });

/** alt() straight from MODEL.md 1.1, written independently of the library (sets as sorted keys). */
function specAlt(body: FlowBody): Set<string> {
  if (typeof body === 'string') return new Set([body]);
  const combine = (children: FlowBody[]): Set<string> =>
    children.map(specAlt).reduce(
      (acc, alts) => new Set([...acc].flatMap((left) => [...alts].map((right) => [...new Set([...left.split(','), ...right.split(',')].filter(Boolean))].sort().join(',')))),
      new Set(['']),
    );
  if ('seq' in body) return combine(body.seq);
  if ('and' in body) return combine(body.and);
  return new Set(body.xor.flatMap((c) => [...specAlt(c)]));
}

describe('alternatives (alt of MODEL.md 1.1)', () => {
  const cases: [string, FlowBody, string[][]][] = [
    ['a single activity', 'a', [['a']]],
    ['seq', seq('a', 'b', 'c'), [['a', 'b', 'c']]],
    ['and', and('a', 'b'), [['a', 'b']]],
    ['xor', xor('a', 'b', 'c'), [['a'], ['b'], ['c']]],
    ['seq[a, xor[b, and[c, xor[d,e]]], f]', seq('a', xor('b', and('c', xor('d', 'e'))), 'f'), [['a', 'b', 'f'], ['a', 'c', 'd', 'f'], ['a', 'c', 'e', 'f']]],
    ['and of two xor', and(xor('a', 'b'), xor('c', 'd')), [['a', 'c'], ['a', 'd'], ['b', 'c'], ['b', 'd']]],
    ['xor of seqs', xor(seq('a', 'b'), 'c'), [['a', 'b'], ['c']]],
    ['nested xor', xor('a', xor('b', 'c')), [['a'], ['b'], ['c']]],
    ['xor inside seq inside and', and(seq('a', xor('b', 'c')), 'd'), [['a', 'b', 'd'], ['a', 'c', 'd']]],
    [
      'the MODEL.md example',
      seq('sa.inspect', xor('sa.axle', 'sa.axle-replace'), and('sa.shock', 'sa.wheel'), 'sa.frame'),
      [
        ['sa.axle', 'sa.frame', 'sa.inspect', 'sa.shock', 'sa.wheel'],
        ['sa.axle-replace', 'sa.frame', 'sa.inspect', 'sa.shock', 'sa.wheel'],
      ],
    ],
  ];
  it.each(cases)('%s', (_name, body, expected) => {
    const got = alternatives(body);
    expect(setsKey(got)).toEqual(setsKey(expected));
    // Each set comes back sorted, and the list has no duplicates.
    for (const set of got) expect(set).toEqual([...set].sort());
    expect(new Set(got.map((s) => s.join(','))).size).toBe(got.length);
    expect(countAlternatives(body)).toBe(expected.length);
  });

  it('drops duplicate sets (only possible when an id repeats), so the count can exceed the list', () => {
    const body = xor(seq('a', 'b'), seq('b', 'a'));
    expect(alternatives(body)).toEqual([['a', 'b']]);
    expect(countAlternatives(body)).toBe(2);
    expect(alternatives(and('a', xor('a', 'b')))).toEqual([['a'], ['a', 'b']]);
  });

  it('matches an independent implementation of the definition on random bodies', () => {
    fc.assert(
      fc.property(bodyArb(), (body) => {
        expect(setsKey(alternatives(body))).toEqual([...specAlt(body)].sort());
      }),
      { numRuns: 300 },
    );
  });

  it('countAlternatives >= the number of alternatives, and equals it when ids are unique', () => {
    fc.assert(
      fc.property(bodyArb(), (body) => {
        const ids = bodyActivities(body);
        expect(new Set(ids).size).toBe(ids.length);
        expect(countAlternatives(body)).toBe(alternatives(body).length);
      }),
      { numRuns: 300 },
    );
    // With repeated ids the count is only an upper bound.
    fc.assert(
      fc.property(bodyArb(3), fc.integer({ min: 0, max: 1000 }), (body, pick) => {
        const ids = bodyActivities(body);
        const dup = ids[pick % ids.length];
        const withRepeat: FlowBody = xor(body, seq(dup, 'extra'), dup);
        expect(countAlternatives(withRepeat)).toBe(countAlternatives(body) + 2);
        expect(countAlternatives(withRepeat)).toBeGreaterThanOrEqual(alternatives(withRepeat).length);
        if (body === dup) expect(countAlternatives(withRepeat)).toBeGreaterThan(alternatives(withRepeat).length);
      }),
      { numRuns: 200 },
    );
  });

  it('every alternative of a body with unique ids picks exactly one branch of every xor it passes', () => {
    fc.assert(
      fc.property(bodyArb(), (body) => {
        for (const alt of alternatives(body)) {
          const chosen = new Set(alt);
          const check = (b: FlowBody): boolean => {
            if (typeof b === 'string') return chosen.has(b);
            if ('xor' in b) return b.xor.filter((c) => check(c)).length === 1;
            const children = 'seq' in b ? b.seq : b.and;
            const taken = children.map(check);
            // A seq/and block is either taken completely or not at all.
            expect(taken.every((t) => t === taken[0])).toBe(true);
            return taken[0];
          };
          expect(check(body)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('bodyActivities, dedupeSets, canonicalBody, formatBody', () => {
  it('lists activity ids in document order, repeats included', () => {
    expect(bodyActivities(seq('c', xor('a', and('b', 'c'))))).toEqual(['c', 'a', 'b', 'c']);
    expect(bodyActivities('x')).toEqual(['x']);
  });

  it('dedupeSets sorts each set, removes repeats inside and across sets', () => {
    expect(dedupeSets([['b', 'a', 'b'], ['a', 'b'], ['c']])).toEqual([['a', 'b'], ['c']]);
  });

  it('canonicalBody flattens nested seq and unwraps one-element seq, leaving and/xor nesting alone', () => {
    expect(canonicalBody(seq('a', seq('b', seq('c')), 'd'))).toEqual(seq('a', 'b', 'c', 'd'));
    expect(canonicalBody(seq('a'))).toEqual('a');
    expect(canonicalBody(seq(seq(xor('a', 'b'))))).toEqual(xor('a', 'b'));
    expect(canonicalBody(and(and('a', 'b'), seq('c')))).toEqual(and(and('a', 'b'), 'c'));
    expect(canonicalBody(xor(seq('a', seq('b', 'c')), 'd'))).toEqual(xor(seq('a', 'b', 'c'), 'd'));
  });

  it('canonicalBody keeps the alternatives and is idempotent', () => {
    fc.assert(
      fc.property(bodyArb(), (body) => {
        const canon = canonicalBody(body);
        expect(setsKey(alternatives(canon))).toEqual(setsKey(alternatives(body)));
        expect(canonicalBody(canon)).toEqual(canon);
        expect(bodyActivities(canon)).toEqual(bodyActivities(body));
      }),
      { numRuns: 200 },
    );
  });

  it('formatBody writes arrows for seq, ∥ for and, | for xor', () => {
    expect(formatBody(seq('a', xor('b', and('c', 'd'))))).toBe('(a → xor(b | and(c ∥ d)))');
  });
});

describe('readFlowBody', () => {
  const read = (value: unknown, ids = ['a', 'b', 'c']) => {
    const issues = new IssueCollector();
    const body = readFlowBody(value, 'flows[2].body', new DocReader(issues), new Set(ids));
    return { body, lines: issues.issues.map(formatIssue) };
  };

  it('reads a valid nested body unchanged', () => {
    const raw = { seq: ['a', { xor: ['b', { and: ['c', 'a'] }] }] };
    expect(read(raw)).toEqual({ body: raw, lines: [] });
  });

  it('names the path and the rule of every fault', () => {
    expect(read({ xor: ['a'] }).lines).toEqual(['flows[2].body.xor: needs at least 2 branches, got 1']);
    expect(read({ and: [] }).lines).toEqual(['flows[2].body.and: needs at least 2 branches, got 0']);
    expect(read({ seq: [] }).lines).toEqual(['flows[2].body.seq: is empty']);
    expect(read({ seq: ['a', 'zz'] }).lines).toEqual(['flows[2].body.seq[1]: unknown activity "zz"']);
    expect(read({ seq: 'a' }).lines).toEqual(['flows[2].body.seq: must be a list, got the text "a"']);
    expect(read({ seq: ['a'], xor: ['b', 'c'] }).lines).toEqual(['flows[2].body: a block has exactly one key, seq, and or xor; got seq, xor']);
    expect(read({ par: ['a', 'b'] }).lines).toEqual(['flows[2].body: a block has exactly one key, seq, and or xor; got par']);
    expect(read(7).lines).toEqual(['flows[2].body: must be an activity id or one of {seq|and|xor: [...]}, got number 7']);
  });

  it('reports every fault in a body at once', () => {
    const { lines } = read({ seq: [{ xor: ['a'] }, 'nope', { and: ['b', { foo: [] }] }] });
    expect(lines).toEqual([
      'flows[2].body.seq[0].xor: needs at least 2 branches, got 1',
      'flows[2].body.seq[1]: unknown activity "nope"',
      'flows[2].body.seq[2].and[1]: a block has exactly one key, seq, and or xor; got foo',
    ]);
  });
});
