// fast-check arbitraries and small builders shared by the model library's tests.
import fc from 'fast-check';
import { FlowBody, InteractionWeights, PartRankSettings, PssModel } from '../types';
import { BlockKind, countAlternatives, makeBlock } from '../flow-body';

/** A body's shape before activity ids are assigned: null is a leaf. */
type Shape = null | { kind: BlockKind; children: Shape[] };

function shapeArb(depth: number): fc.Arbitrary<Shape> {
  const leaf = fc.constant<Shape>(null);
  if (depth === 0) return leaf;
  const inner = shapeArb(depth - 1);
  const block: fc.Arbitrary<Shape> = fc
    .constantFrom<BlockKind>('seq', 'and', 'xor')
    .chain((kind) => fc.array(inner, { minLength: kind === 'seq' ? 1 : 2, maxLength: 3 }).map((children): Shape => ({ kind, children })));
  return fc.oneof({ arbitrary: leaf, weight: 2 }, { arbitrary: block, weight: 3 });
}

function leafCount(shape: Shape): number {
  return shape === null ? 1 : shape.children.reduce((n, c) => n + leafCount(c), 0);
}

function label(shape: Shape, names: readonly string[]): FlowBody {
  let next = 0;
  const visit = (s: Shape): FlowBody => (s === null ? names[next++] : makeBlock(s.kind, s.children.map(visit)));
  return visit(shape);
}

/**
 * Random block-structured bodies: nested seq/and/xor up to `maxDepth` block levels, seq with 1..3
 * children, and/xor with 2..3, every activity id unique (ids are shuffled so that document order
 * and sorted order differ). Bodies with more than `maxAlternatives` alternatives are left out so
 * that enumerations stay fast.
 */
export function bodyArb(maxDepth = 4, maxAlternatives = 2000): fc.Arbitrary<FlowBody> {
  return shapeArb(maxDepth)
    .chain((shape) => {
      const n = leafCount(shape);
      const ids = Array.from({ length: n }, (_, i) => `sa.${i + 1}`);
      return fc.shuffledSubarray(ids, { minLength: n, maxLength: n }).map((names) => label(shape, names));
    })
    .filter((body) => countAlternatives(body) <= maxAlternatives);
}

/** Sets of sets, compared regardless of order: each set sorted, then the list sorted. */
export function setsKey(sets: readonly (readonly string[])[]): string[] {
  return sets.map((s) => [...s].sort().join(',')).sort();
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A deep copy (structuredClone keeps NaN and Infinity, which JSON would lose). */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

function pathKeys(path: string): (string | number)[] {
  const keys: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) throw new Error(`bad path ${path}`);
    if (m[1]) keys.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) keys.push(Number(idx[1]));
  }
  return keys;
}

function container(value: Json, key: string | number, path: string): Json[] | { [key: string]: Json } {
  if (typeof key === 'number' && Array.isArray(value)) return value;
  if (typeof key === 'string' && value !== null && typeof value === 'object' && !Array.isArray(value)) return value;
  throw new Error(`${path}: cannot step into ${JSON.stringify(value)} with ${key}`);
}

/** Reads `a.b[2].c` from a JSON document. */
export function getPath(doc: Json, path: string): Json {
  let cur: Json = doc;
  for (const key of pathKeys(path)) {
    const c = container(cur, key, path);
    cur = Array.isArray(c) ? c[key as number] : c[key as string];
    if (cur === undefined) throw new Error(`${path}: no ${key}`);
  }
  return cur;
}

/** Returns a copy of `doc` with `path` set to `value` (or deleted, for undefined). */
export function setPath(doc: Json, path: string, value: Json | undefined): Json {
  const copy = clone(doc);
  const keys = pathKeys(path);
  const last = keys.pop()!;
  let cur: Json = copy;
  for (const key of keys) {
    const c = container(cur, key, path);
    cur = Array.isArray(c) ? c[key as number] : c[key as string];
  }
  const c = container(cur, last, path);
  if (Array.isArray(c)) {
    if (value === undefined) c.splice(last as number, 1);
    else c[last as number] = value;
  } else if (value === undefined) delete c[last as string];
  else c[last as string] = value;
  return copy;
}

/** Applies several edits in turn. */
export function edit(doc: Json, edits: Record<string, Json | undefined>): Json {
  return Object.entries(edits).reduce((d, [path, value]) => setPath(d, path, value), doc);
}

/**
 * A minimal valid PssModel document whose flows are the given bodies (one trigger `ss.<i>` each)
 * over activities named by the bodies' ids; every activity has time 1, cost 1, reliability 1.
 */
export function rawModelWithFlows(flows: { body?: Json; edges?: Json; split?: Json; join?: Json }[], activityIds: readonly string[]): Json {
  return {
    apiVersion: 'pss/v1',
    kind: 'PssModel',
    name: 'generated',
    parts: [{ id: 'p.1' }],
    triggers: flows.map((_, i) => ({ id: `ss.${i}`, window: { start: 0, deadline: 100 } })),
    activities: activityIds.map((id) => ({ id, time: 1, cost: 1, reliability: 1 })),
    flows: flows.map((f, i) => {
      const flow: { [key: string]: Json } = { trigger: `ss.${i}` };
      for (const [key, value] of Object.entries(f)) if (value !== undefined) flow[key] = value;
      return flow;
    }),
  };
}

/** A small valid model in the shape of MODEL.md section 1. */
export function shopModel(): Json {
  return {
    apiVersion: 'pss/v1',
    kind: 'PssModel',
    name: 'shop',
    timeUnit: 'h',
    parts: [
      { id: 'p.frame', name: 'Frame', info: { material: 'steel' }, statuses: [{ key: 'crack_len', unit: 'mm' }] },
      { id: 'p.axle', statuses: [{ key: 'vib', unit: 'mm/s' }] },
    ],
    partLinks: [{ from: 'p.frame', to: 'p.axle', types: ['spatial', 'energy'] }],
    resourceKinds: [
      { id: 'kr.mech', category: 'personnel' },
      { id: 'kr.lift', category: 'equipment' },
    ],
    resources: [
      { id: 'pr.li', kind: 'kr.mech', costRate: 80 },
      { id: 'pr.wang', kind: 'kr.mech', costRate: 60 },
      { id: 'er.lift', kind: 'kr.lift', costRate: 20 },
    ],
    triggers: [
      { id: 'ss.run', monitors: ['p.axle', 'p.frame'], condition: 'p.axle.vib > 7.1 || p.frame.crack_len >= 2', window: { start: 0, deadline: 72 } },
      { id: 'ss.steer', monitors: [], window: { start: 2, deadline: 48 } },
    ],
    activities: [
      { id: 'sa.inspect', time: 1, cost: 50, reliability: 0.99, objects: ['p.frame'], demands: [{ kind: 'kr.mech', qty: 1 }] },
      { id: 'sa.axle', time: 2.5, cost: 300, reliability: 0.93, objects: ['p.axle'], demands: [{ kind: 'kr.mech', qty: 2 }] },
      { id: 'sa.axle-replace', time: 4, cost: 900, reliability: 0.97, objects: ['p.axle'], demands: [{ kind: 'kr.mech', qty: 1 }, { kind: 'kr.lift', qty: 1 }] },
      { id: 'sa.frame', time: 3, cost: 200, reliability: 0.9, objects: ['p.frame'] },
      { id: 'sa.skip', virtual: true },
    ],
    assignable: [
      { resource: 'pr.li', activity: 'sa.inspect', theta: 0.96 },
      { resource: 'pr.li', activity: 'sa.axle', theta: 0.9 },
      { resource: 'pr.wang', activity: 'sa.axle', theta: 0.8 },
      { resource: 'pr.wang', activity: 'sa.axle-replace', theta: 0.85 },
      { resource: 'er.lift', activity: 'sa.axle-replace', theta: 0.99 },
    ],
    flows: [
      { trigger: 'ss.run', body: { seq: ['sa.inspect', { xor: ['sa.axle', 'sa.axle-replace'] }, 'sa.frame'] } },
      { trigger: 'ss.steer', body: { xor: ['sa.frame', 'sa.skip'] } },
    ],
  };
}

export type ProductLayer = Pick<PssModel, 'parts' | 'partLinks' | 'interactionWeights' | 'partRank'>;

export const EQUAL_WEIGHTS: InteractionWeights = { spatial: 0.25, energy: 0.25, information: 0.25, material: 0.25 };
export const DEFAULT_PART_RANK: PartRankSettings = { alpha: 1, tolerance: 1e-12, maxIterations: 10000 };

/** A product layer from (from, to, weight) triples over parts P1..Pn. */
export function productLayer(n: number, links: readonly (readonly [number, number, number])[], partRank: PartRankSettings = DEFAULT_PART_RANK): ProductLayer {
  return {
    parts: Array.from({ length: n }, (_, i) => ({ id: `P${i + 1}`, statuses: [] })),
    partLinks: links.map(([from, to, weight]) => ({ from: `P${from + 1}`, to: `P${to + 1}`, types: [], weight })),
    interactionWeights: EQUAL_WEIGHTS,
    partRank,
  };
}

const linkWeightArb: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0.25, 0.5, 0.75, 1),
  fc.double({ min: 0.01, max: 1, noNaN: true }),
);

/**
 * Random small product layers: 2..maxParts parts, at least one link, each ordered pair (i != j) linked
 * at most once, weights in [0.01, 1], alpha 1 (mostly), 0.5 or 2. (A layer without any link makes the
 * walk alternate between the parts and g, so it runs to maxIterations; tests cover that case apart.)
 */
export function productLayerArb(maxParts = 7): fc.Arbitrary<ProductLayer> {
  return fc.integer({ min: 2, max: maxParts }).chain((n) => {
    const pairs: [number, number][] = [];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) pairs.push([i, j]);
    return fc
      .tuple(fc.subarray(pairs, { minLength: 1 }), fc.array(linkWeightArb, { minLength: pairs.length, maxLength: pairs.length }), fc.constantFrom(1, 1, 0.5, 2))
      .map(([chosen, weights, alpha]) =>
        productLayer(
          n,
          chosen.map(([i, j], k) => [i, j, weights[k]] as const),
          { ...DEFAULT_PART_RANK, alpha },
        ),
      );
  });
}

/**
 * A small ConfigurationProblem model for schedule and evaluation tests (times in h):
 *   ss.a: seq[a1 (2h), xor[a2 (1h), a3 (3h)]]   ss.b: xor[b1 (1h), v (virtual)]   ss.c: seq[z (0h), w1 (1.5h)]
 * a1 needs 1 mechanic (m1 0.9, m2 0.8; m3 is a mechanic not assignable to a1), a2 a mechanic and a
 * lift (m1 0.95, e1 0.9), a3 nothing (r_a 0.7), b1 a mechanic (m1 0.85, m2 0.75), z a mechanic
 * (m1 0.99), w1 two mechanics (m1 0.9, m2 0.8, m3 0.7). Part p1 provides to p2, so p1 ranks higher.
 */
export function workshopModel(): Json {
  const act = (id: string, time: number, cost: number, reliability: number, objects: string[], demands: [string, number][]) => ({
    id,
    time,
    cost,
    reliability,
    objects,
    demands: demands.map(([kind, qty]) => ({ kind, qty })),
  });
  return {
    apiVersion: 'pss/v1',
    kind: 'PssModel',
    name: 'workshop',
    parts: [{ id: 'p1' }, { id: 'p2' }],
    partLinks: [{ from: 'p1', to: 'p2', types: [], weight: 0.5 }],
    resourceKinds: [
      { id: 'kM', category: 'personnel' },
      { id: 'kE', category: 'equipment' },
    ],
    resources: [
      { id: 'm1', kind: 'kM', costRate: 10 },
      { id: 'm2', kind: 'kM', costRate: 20 },
      { id: 'm3', kind: 'kM', costRate: 30 },
      { id: 'e1', kind: 'kE', costRate: 5 },
    ],
    triggers: [
      { id: 'ss.a', window: { start: 0, deadline: 10 } },
      { id: 'ss.b', window: { start: 0, deadline: 5 } },
      { id: 'ss.c', window: { start: 0, deadline: 10 } },
    ],
    activities: [
      act('a1', 2, 100, 0.9, ['p1'], [['kM', 1]]),
      act('a2', 1, 50, 0.8, ['p2'], [['kM', 1], ['kE', 1]]),
      act('a3', 3, 30, 0.7, ['p2'], []),
      act('b1', 1, 10, 0.6, ['p1'], [['kM', 1]]),
      { id: 'v', virtual: true },
      act('z', 0, 5, 1, ['p1'], [['kM', 1]]),
      act('w1', 1.5, 0, 0.5, [], [['kM', 2]]),
    ],
    assignable: [
      { resource: 'm1', activity: 'a1', theta: 0.9 },
      { resource: 'm2', activity: 'a1', theta: 0.8 },
      { resource: 'm1', activity: 'a2', theta: 0.95 },
      { resource: 'e1', activity: 'a2', theta: 0.9 },
      { resource: 'm1', activity: 'b1', theta: 0.85 },
      { resource: 'm2', activity: 'b1', theta: 0.75 },
      { resource: 'm1', activity: 'z', theta: 0.99 },
      { resource: 'm1', activity: 'w1', theta: 0.9 },
      { resource: 'm2', activity: 'w1', theta: 0.8 },
      { resource: 'm3', activity: 'w1', theta: 0.7 },
    ],
    flows: [
      { trigger: 'ss.a', body: { seq: ['a1', { xor: ['a2', 'a3'] }] } },
      { trigger: 'ss.b', body: { xor: ['b1', 'v'] } },
      { trigger: 'ss.c', body: { seq: ['z', 'w1'] } },
    ],
  };
}
