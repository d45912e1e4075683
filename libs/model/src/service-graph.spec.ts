import fc from 'fast-check';
import {
  END_NODE,
  FlowBody,
  GatewayKind,
  ServiceGraph,
  alternatives,
  bodyActivities,
  canonicalBody,
  compileFlowGraph,
  formatIssue,
  graphToBody,
  readPssModel,
  slDft,
} from './index';
import { Json, bodyArb, rawModelWithFlows, setsKey } from './testing/arbitraries';

const seq = (...children: FlowBody[]): FlowBody => ({ seq: children });
const and = (...children: FlowBody[]): FlowBody => ({ and: children });
const xor = (...children: FlowBody[]): FlowBody => ({ xor: children });

const TRIGGER = 'ss.0';

function roundTrip(graph: ServiceGraph, activityIds: Iterable<string>) {
  return graphToBody(
    { trigger: graph.trigger, edges: graph.edges.map((e): [string, string] => [e.from, e.to]), split: graph.split, join: graph.join },
    new Set(activityIds),
  );
}

describe('compileFlowGraph', () => {
  it('compiles seq[a, xor[b, c, d]] into ss -> a -> split -> {b,c,d} -> join -> se with 1/3 on the selective branches', () => {
    const g = compileFlowGraph('ss', seq('a', xor('b', 'c', 'd')));
    expect(g.trigger).toBe('ss');
    expect(g.end).toBe(END_NODE);
    expect(g.nodes).toEqual([
      { id: 'ss', type: 'trigger' },
      { id: 'a', type: 'activity' },
      { id: 'ss#v1', type: 'virtual' },
      { id: 'b', type: 'activity' },
      { id: 'c', type: 'activity' },
      { id: 'd', type: 'activity' },
      { id: 'ss#v2', type: 'virtual' },
      { id: 'se', type: 'end' },
    ]);
    expect(g.split).toEqual({ 'ss#v1': 'xor' });
    expect(g.join).toEqual({ 'ss#v2': 'xor' });
    const weight = (from: string, to: string) => g.edges.find((e) => e.from === from && e.to === to)?.weight;
    expect(g.edges).toHaveLength(9);
    expect(weight('ss', 'a')).toBe(1);
    expect(weight('a', 'ss#v1')).toBe(1);
    for (const x of ['b', 'c', 'd']) {
      expect(weight('ss#v1', x)).toBe(1 / 3);
      expect(weight(x, 'ss#v2')).toBe(1);
    }
    expect(weight('ss#v2', 'se')).toBe(1);
  });

  it('gives parallel branches weight 1 and a single activity the chain ss -> a -> se', () => {
    const g = compileFlowGraph('ss', and('a', 'b'));
    expect(g.edges.filter((e) => e.from === 'ss#v1').map((e) => e.weight)).toEqual([1, 1]);
    expect(compileFlowGraph('t', 'a', 'end').edges).toEqual([
      { from: 't', to: 'a', weight: 1 },
      { from: 'a', to: 'end', weight: 1 },
    ]);
  });

  it('derives edge weights: 1/n on the n branches of an xor split, 1 on every other edge', () => {
    fc.assert(
      fc.property(bodyArb(), (body) => {
        const g = compileFlowGraph(TRIGGER, body);
        const outDegree = (id: string) => g.edges.filter((e) => e.from === id).length;
        for (const e of g.edges) {
          if (g.split[e.from] === 'xor') expect(e.weight).toBe(1 / outDegree(e.from));
          else expect(e.weight).toBe(1);
        }
        for (const [id, kind] of Object.entries(g.split)) {
          const out = g.edges.filter((e) => e.from === id);
          expect(out.length).toBeGreaterThanOrEqual(2);
          if (kind === 'xor') expect(out.reduce((s, e) => s + e.weight, 0)).toBeCloseTo(1, 12);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('has one node per activity, a split and a join gateway per and/xor block, one trigger and one end', () => {
    fc.assert(
      fc.property(bodyArb(), (body) => {
        const g = compileFlowGraph(TRIGGER, body);
        const ids = g.nodes.map((n) => n.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(g.nodes.filter((n) => n.type === 'activity').map((n) => n.id).sort()).toEqual(bodyActivities(body).sort());
        const blocks = JSON.stringify(body).match(/"(and|xor)":/g)?.length ?? 0;
        expect(Object.keys(g.split)).toHaveLength(blocks);
        expect(Object.keys(g.join)).toHaveLength(blocks);
        expect(g.nodes.filter((n) => n.type === 'virtual')).toHaveLength(2 * blocks);
        expect(g.edges.filter((e) => e.from === TRIGGER)).toHaveLength(1);
        expect(g.edges.filter((e) => e.to === TRIGGER)).toHaveLength(0);
        expect(g.edges.filter((e) => e.from === END_NODE)).toHaveLength(0);
        expect(g.edges.filter((e) => e.to === END_NODE)).toHaveLength(1);
        // Only gateways split or join: every activity has one input and one output.
        for (const a of bodyActivities(body)) {
          expect(g.edges.filter((e) => e.from === a)).toHaveLength(1);
          expect(g.edges.filter((e) => e.to === a)).toHaveLength(1);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('slDft (SL-DFT)', () => {
  it('enumerates exactly alt(body) on the compiled graph, as sets of sets', () => {
    fc.assert(
      fc.property(bodyArb(), (body) => {
        expect(setsKey(slDft(compileFlowGraph(TRIGGER, body)))).toEqual(setsKey(alternatives(body)));
      }),
      { numRuns: 300 },
    );
  });

  it('finds the alternatives of seq[a, xor[b, and[c, xor[d,e]]], f]', () => {
    const body = seq('a', xor('b', and('c', xor('d', 'e'))), 'f');
    expect(setsKey(slDft(compileFlowGraph('ss', body)))).toEqual(['a,b,f', 'a,c,d,f', 'a,c,e,f']);
  });

  it("works on the paper's compact form, where activities themselves split and join", () => {
    const graph = (edges: [string, string][], split: Record<string, GatewayKind>, join: Record<string, GatewayKind>): ServiceGraph => ({
      trigger: 'ss',
      end: 'se',
      nodes: [
        { id: 'ss', type: 'trigger' },
        ...['a', 'b', 'c', 'd'].map((id) => ({ id, type: 'activity' as const })),
        { id: 'se', type: 'end' },
      ],
      edges: edges.map(([from, to]) => ({ from, to, weight: 1 })),
      split,
      join,
    });
    const edges: [string, string][] = [['ss', 'a'], ['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd'], ['d', 'se']];
    expect(slDft(graph(edges, { a: 'and' }, { d: 'and' }))).toEqual([['a', 'b', 'c', 'd']]);
    expect(setsKey(slDft(graph(edges, { a: 'xor' }, { d: 'xor' })))).toEqual(['a,b,d', 'a,c,d']);
  });

  it('throws on a cyclic graph', () => {
    const g: ServiceGraph = {
      trigger: 'ss',
      end: 'se',
      nodes: [{ id: 'ss', type: 'trigger' }, { id: 'a', type: 'activity' }, { id: 'b', type: 'activity' }, { id: 'se', type: 'end' }],
      edges: [['ss', 'a'], ['a', 'b'], ['b', 'a'], ['b', 'se']].map(([from, to]) => ({ from, to, weight: 1 })),
      split: { b: 'xor' },
      join: { a: 'xor' },
    };
    expect(() => slDft(g)).toThrow(/cycle/);
  });
});

describe('graphToBody', () => {
  it('reads a compiled graph back to the canonical body', () => {
    fc.assert(
      fc.property(bodyArb(), (body) => {
        const result = roundTrip(compileFlowGraph(TRIGGER, body), bodyActivities(body));
        expect(result.issues).toEqual([]);
        expect(result.body).toEqual(canonicalBody(body));
      }),
      { numRuns: 300 },
    );
  });

  it('ignores the order in which edges are listed', () => {
    fc.assert(
      fc.property(
        bodyArb(3).chain((body) => {
          const g = compileFlowGraph(TRIGGER, body);
          return fc.tuple(fc.constant(body), fc.constant(g), fc.shuffledSubarray(g.edges, { minLength: g.edges.length, maxLength: g.edges.length }));
        }),
        ([body, g, edges]) => {
          const result = roundTrip({ ...g, edges }, bodyActivities(body));
          expect(result.issues).toEqual([]);
          expect(setsKey(alternatives(result.body!))).toEqual(setsKey(alternatives(body)));
        },
      ),
      { numRuns: 150 },
    );
  });

  const compact: [string, [string, string][], Record<string, GatewayKind>, Record<string, GatewayKind>, FlowBody][] = [
    ['a chain', [['ss', 'a'], ['a', 'b'], ['b', 'se']], {}, {}, seq('a', 'b')],
    ['one activity', [['ss', 'a'], ['a', 'se']], {}, {}, 'a'],
    ['and split at an activity, join at an activity', [['ss', 'a'], ['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd'], ['d', 'se']], { a: 'and' }, { d: 'and' }, seq('a', and('b', 'c'), 'd')],
    ['xor split at an activity', [['ss', 'a'], ['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd'], ['d', 'se']], { a: 'xor' }, { d: 'xor' }, seq('a', xor('b', 'c'), 'd')],
    [
      'a node that joins and splits again',
      [['ss', 'a'], ['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd'], ['d', 'e'], ['d', 'f'], ['e', 'g'], ['f', 'g'], ['g', 'se']],
      { a: 'and', d: 'xor' },
      { d: 'and', g: 'xor' },
      seq('a', and('b', 'c'), 'd', xor('e', 'f'), 'g'),
    ],
    [
      'branches that are sequences',
      [['ss', 'a'], ['a', 'b'], ['b', 'b2'], ['a', 'c'], ['b2', 'd'], ['c', 'd'], ['d', 'se']],
      { a: 'and' },
      { d: 'and' },
      seq('a', and(seq('b', 'b2'), 'c'), 'd'),
    ],
    ['named gateways and a named end', [['ss', 'g1'], ['g1', 'a'], ['g1', 'b'], ['a', 'g2'], ['b', 'g2'], ['g2', 'done']], { g1: 'xor' }, { g2: 'xor' }, xor('a', 'b')],
    [
      'xor nested in an and branch, sharing the outer join',
      [['ss', 'a'], ['a', 'b'], ['a', 'c'], ['b', 'x'], ['b', 'y'], ['x', 'z'], ['y', 'z'], ['z', 'd'], ['c', 'd'], ['d', 'se']],
      { a: 'and', b: 'xor' },
      { z: 'xor', d: 'and' },
      seq('a', and(seq('b', xor('x', 'y'), 'z'), 'c'), 'd'),
    ],
  ];
  it.each(compact)('accepts the compact form: %s', (_name, edges, split, join, expected) => {
    const ids = new Set(['a', 'b', 'b2', 'c', 'd', 'e', 'f', 'g', 'x', 'y', 'z']);
    expect(graphToBody({ trigger: 'ss', edges, split, join }, ids)).toEqual({ body: expected, issues: [] });
  });

  it('prefixes issues with the given path', () => {
    const { body, issues } = graphToBody({ trigger: 'ss', edges: [['ss', 'a'], ['a', 'b'], ['b', 'a'], ['b', 'se']] }, new Set(['a', 'b']), 'flows[4]');
    expect(body).toBeUndefined();
    expect(issues.map(formatIssue)).toEqual([expect.stringMatching(/^flows\[4\]\.edges: has a cycle through a, b/)]);
  });
});

describe('the graph form in a model file (flows[i].edges with split/join)', () => {
  const ACTS = ['a', 'b', 'c', 'd', 'e', 'f'];
  const read = (flow: { edges: Json; split?: Json; join?: Json } | { body: Json; edges: Json }) => readPssModel(rawModelWithFlows([flow], ACTS));
  const lines = (flow: { edges: Json; split?: Json; join?: Json }) => {
    const r = read(flow);
    return r.ok ? [] : r.issues.map(formatIssue);
  };
  const DIAMOND: Json = [[TRIGGER, 'a'], ['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd'], ['d', 'se']];

  it('loads the compact form edges ss->a, a->b, a->c, b->d, c->d, d->se with split {a: and}, join {d: and} as seq[a, and[b,c], d]', () => {
    const r = read({ edges: DIAMOND, split: { a: 'and' }, join: { d: 'and' } });
    expect(r.ok && r.value.flows).toEqual([{ trigger: TRIGGER, body: seq('a', and('b', 'c'), 'd') }]);
  });

  it('loads every compiled graph to the canonical body', () => {
    fc.assert(
      fc.property(bodyArb(3), (body) => {
        const g = compileFlowGraph(TRIGGER, body);
        const r = readPssModel(rawModelWithFlows([{ edges: g.edges.map((e) => [e.from, e.to]), split: g.split, join: g.join }], bodyActivities(body)));
        expect(r.ok && r.value.flows[0].body).toEqual(canonicalBody(body));
      }),
      { numRuns: 100 },
    );
  });

  const rejected: [string, { edges: Json; split?: Json; join?: Json }, string][] = [
    ['a cycle', { edges: [[TRIGGER, 'a'], ['a', 'b'], ['b', 'a'], ['b', 'se']], split: { b: 'xor' }, join: { a: 'xor' } }, 'flows[0].edges: has a cycle through a, b'],
    ['two sources', { edges: [[TRIGGER, 'a'], ['x', 'a'], ['a', 'se']], join: { a: 'xor' } }, 'flows[0].edges: must start only at the trigger ss.0; nodes without inputs: ss.0, x'],
    ['no split kind on a node with 2 outputs', { edges: DIAMOND, join: { d: 'and' } }, 'flows[0].split: node "a" has 2 outputs but no split kind (xor|and)'],
    ['no join kind on a node with 2 inputs', { edges: DIAMOND, split: { a: 'and' } }, 'flows[0].join: node "d" has 2 inputs but no join kind (xor|and)'],
    ['mismatched split/join kinds', { edges: DIAMOND, split: { a: 'xor' }, join: { d: 'and' } }, 'flows[0].edges: is not block-structured: "a" splits as xor but its branches meet at "d", which joins as and'],
    ['an empty xor branch (split -> join edge)', { edges: [[TRIGGER, 'a'], ['a', 'b'], ['a', 'd'], ['b', 'd'], ['d', 'se']], split: { a: 'xor' }, join: { d: 'xor' } }, 'flows[0].edges: the xor split at "a" has an empty branch: model a skip as a virtual activity'],
    ['an edge with a weight', { edges: [[TRIGGER, 'a', 1], ['a', 'se']] }, 'flows[0].edges[0]: edge weights are derived from split kinds, never entered: give [from, to]'],
    ['an edge that is not a pair', { edges: [[TRIGGER, 'a'], ['a']] }, 'flows[0].edges[1]: must be [from, to] with two node ids, got a list'],
    ['two end nodes', { edges: [[TRIGGER, 'a'], ['a', 'se'], ['a', 'se2']], split: { a: 'and' } }, 'flows[0].edges: must have exactly one end node (a node without outputs); found se, se2'],
    ['an activity as the end node', { edges: [[TRIGGER, 'a'], ['a', 'b']] }, 'flows[0].edges: the end node "b" must not be an activity: add an edge from it to the end node'],
    [
      'a non-block-structured graph',
      { edges: [[TRIGGER, 'a'], ['a', 'b'], ['a', 'c'], ['b', 'd'], ['b', 'e'], ['c', 'e'], ['d', 'f'], ['e', 'f'], ['f', 'se']], split: { a: 'xor', b: 'xor' }, join: { e: 'xor', f: 'xor' } },
      'flows[0].edges: is not block-structured: the branch through "b" reaches the end without meeting its join "e"',
    ],
    ['an unknown split kind', { edges: DIAMOND, split: { a: 'or' }, join: { d: 'and' } }, 'flows[0].split.a: must be one of xor, and, got the text "or"'],
    ['a split kind on a node not in the graph', { edges: [[TRIGGER, 'a'], ['a', 'se']], split: { zz: 'xor' } }, 'flows[0].split: "zz" is not a node of the graph'],
    ['edges that are not a list', { edges: 'ss.0 -> a' }, 'flows[0].edges: must be a list, got the text "ss.0 -> a"'],
  ];
  it.each(rejected)('rejects %s with a clear error', (_name, flow, expected) => {
    // A line that starts with the expected text (the cycle message goes on to list nodes after the cycle).
    const got = lines(flow);
    expect(got.find((line) => line.startsWith(expected)) ?? got).toEqual(expect.stringContaining(expected));
  });

  it('rejects a flow that gives both body and edges', () => {
    const r = read({ body: 'a', edges: [[TRIGGER, 'a'], ['a', 'se']] });
    expect(r.ok ? [] : r.issues.map(formatIssue)).toContain('flows[0]: give either body or edges (the graph form), not both');
  });

  // Found while writing these tests (fixed since): a fault elsewhere in the document used to stop
  // a graph-form flow from being checked at all.
  it('checks a graph-form flow even when another part of the document has a fault', () => {
    const raw = rawModelWithFlows([{ edges: [[TRIGGER, 'a'], ['a', 'b'], ['b', 'a'], ['b', 'se']], split: { b: 'xor' }, join: { a: 'xor' } }], ACTS);
    const bad = { ...(raw as { [key: string]: Json }), activities: [{ id: 'a', time: 1, cost: 1, reliability: -0.1 }, ...ACTS.slice(1).map((id) => ({ id, time: 1, cost: 1, reliability: 1 }))] };
    const r = readPssModel(bad);
    const got = r.ok ? [] : r.issues.map(formatIssue);
    expect(got).toContain('activities[0].reliability: must be >= 0, got -0.1');
    expect(got).toContainEqual(expect.stringMatching(/^flows\[0\]\.edges: has a cycle/));
  });

  // Found while writing these tests (fixed since): a broken flow also gave "trigger has no flow".
  it('reports a broken flow once, without also reporting its trigger as having no flow', () => {
    expect(lines({ edges: DIAMOND, join: { d: 'and' } })).toEqual(['flows[0].split: node "a" has 2 outputs but no split kind (xor|and)']);
    const r = readPssModel(rawModelWithFlows([{ body: { seq: ['a', { foo: ['b'] }] } }], ACTS));
    expect(r.ok ? [] : r.issues.map(formatIssue)).toEqual(['flows[0].body.seq[1]: a block has exactly one key, seq, and or xor; got foo']);
  });

  // Found while writing these tests (fixed since): a misspelt activity was taken for a gateway and
  // silently dropped from the flow.
  it('rejects a node that is neither an activity nor a declared gateway (a misspelt activity)', () => {
    expect(lines({ edges: [[TRIGGER, 'a'], ['a', 'typo'], ['typo', 'b'], ['b', 'se']] })).toEqual([
      'flows[0].edges: node "typo" is not an activity of the model; a gateway node must declare its split or join kind',
    ]);
  });
});

describe('the implicit end node and generated gateway ids', () => {
  // Found while writing these tests (fixed since): an activity called "se" compiled to the edge se -> se.
  it('reserves "se" and "#" in trigger and activity ids', () => {
    const r = readPssModel(rawModelWithFlows([{ body: { seq: ['a', 'se', 'b#1'] } }], ['a', 'se', 'b#1']));
    expect(r.ok ? [] : r.issues.map(formatIssue)).toEqual([
      'activities[1].id: "se" is reserved: "se" names the service end node and "#" marks generated gateway nodes',
      'activities[2].id: "b#1" is reserved: "se" names the service end node and "#" marks generated gateway nodes',
    ]);
  });

  it('compiles every loadable model into acyclic graphs that slDft can walk', () => {
    const r = readPssModel(rawModelWithFlows([{ body: { seq: ['a', { xor: ['b', 'c'] }] } }, { body: { and: ['a', 'b'] } }], ['a', 'b', 'c']));
    expect(r.ok).toBe(true);
    for (const flow of r.ok ? r.value.flows : []) expect(setsKey(slDft(compileFlowGraph(flow.trigger, flow.body)))).toEqual(setsKey(alternatives(flow.body)));
  });
});
