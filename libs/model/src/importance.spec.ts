// The library does no I/O; the tests read the shared example files themselves.
import { readFileSync } from 'fs';
import { join } from 'path';
import fc from 'fast-check';
import { PssModel, activityImportance, formatIssue, importance, linkWeight, partRank, readConfigurationProblem, readPssModel } from './index';
import { DEFAULT_PART_RANK, EQUAL_WEIGHTS, ProductLayer, productLayer, productLayerArb, shopModel } from './testing/arbitraries';

/** A file of examples/ (at the repository root), parsed as JSON. */
const example = (path: string): unknown => JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'examples', path), 'utf8'));

interface ImportanceFile {
  partRank: Record<string, number>;
  iterations: number;
  activityImportance: Record<string, number>;
}

/**
 * PartRank of MODEL.md 1.2 written out with dense matrices: the (n+1) x (n+1) weight matrix of the
 * reversed graph plus the ground node, row-normalized, iterated as a row vector times the matrix.
 */
function densePartRank(layer: ProductLayer): { S: number[]; iterations: number } {
  const n = layer.parts.length;
  const id = layer.parts.map((p) => p.id);
  const W = Array.from({ length: n + 1 }, () => new Array<number>(n + 1).fill(0));
  const out = new Array<number>(n).fill(0);
  for (const l of layer.partLinks) {
    const i = id.indexOf(l.from);
    const j = id.indexOf(l.to);
    const w = l.weight ?? l.types.reduce((s, t) => s + layer.interactionWeights[t], 0);
    W[j][i] += w;
    out[i] += w;
  }
  const ground = out.map((o) => Math.pow(1 + o, layer.partRank.alpha));
  for (let i = 0; i < n; i++) {
    W[i][n] = 1;
    W[n][i] = ground[i];
  }
  const P = W.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((w) => w / total);
  });
  let s = [...new Array<number>(n).fill(1), 0];
  let iterations = 0;
  for (;;) {
    const next = P[0].map((_, v) => s.reduce((acc, su, u) => acc + su * P[u][v], 0));
    const change = Math.max(...next.map((x, v) => Math.abs(x - s[v])));
    s = next;
    iterations++;
    if (change < layer.partRank.tolerance || iterations >= layer.partRank.maxIterations) break;
  }
  const total = ground.reduce((a, b) => a + b, 0);
  return { S: ground.map((g, i) => s[i] + (s[n] * g) / total), iterations };
}

/** The limit of the same walk by solving π P = π, Σ π = 1 (Gaussian elimination), scaled to mass n. */
function stationaryPartRank(layer: ProductLayer): number[] {
  const n = layer.parts.length;
  const id = layer.parts.map((p) => p.id);
  const N = n + 1;
  const W = Array.from({ length: N }, () => new Array<number>(N).fill(0));
  const out = new Array<number>(n).fill(0);
  for (const l of layer.partLinks) {
    const w = l.weight ?? l.types.reduce((s, t) => s + layer.interactionWeights[t], 0);
    W[id.indexOf(l.to)][id.indexOf(l.from)] += w;
    out[id.indexOf(l.from)] += w;
  }
  const ground = out.map((o) => Math.pow(1 + o, layer.partRank.alpha));
  for (let i = 0; i < n; i++) {
    W[i][n] = 1;
    W[n][i] = ground[i];
  }
  const rowSum = W.map((row) => row.reduce((a, b) => a + b, 0));
  // A x = b with A = (P^T - I), the last row replaced by Σ x = 1.
  const A = Array.from({ length: N }, (_, v) => Array.from({ length: N }, (_, u) => W[u][v] / rowSum[u] - (u === v ? 1 : 0)));
  const b = new Array<number>(N).fill(0);
  A[N - 1] = new Array<number>(N).fill(1);
  b[N - 1] = 1;
  for (let c = 0; c < N; c++) {
    let pivot = c;
    for (let r = c + 1; r < N; r++) if (Math.abs(A[r][c]) > Math.abs(A[pivot][c])) pivot = r;
    [A[c], A[pivot]] = [A[pivot], A[c]];
    [b[c], b[pivot]] = [b[pivot], b[c]];
    for (let r = 0; r < N; r++) {
      if (r === c) continue;
      const f = A[r][c] / A[c][c];
      for (let k = c; k < N; k++) A[r][k] -= f * A[c][k];
      b[r] -= f * b[c];
    }
  }
  const pi = b.map((x, i) => x / A[i][i]);
  const total = ground.reduce((a, b2) => a + b2, 0);
  return ground.map((g, i) => n * pi[i] + (n * pi[n] * g) / total);
}

const ranks = (layer: ProductLayer) => layer.parts.map((p) => partRank(layer).partRank[p.id]);

describe('partRank: the conformance files', () => {
  const cases: [string, unknown, ImportanceFile][] = ['c1-two-flows', 'c2-fleet'].map((name) => [
    name,
    example(`conformance/${name}.json`),
    example(`conformance/${name}.importance.json`) as ImportanceFile,
  ]);
  it.each(cases)('%s: S_p, I_a and the iteration count to 1e-12', (_name, raw, expected) => {
    const problem = readConfigurationProblem(raw);
    if (!problem.ok) throw new Error(problem.issues.map(formatIssue).join('\n'));
    const got = importance(problem.value.model);
    expect(got.iterations).toBe(expected.iterations);
    expect(got.converged).toBe(true);
    expect(Object.keys(got.partRank).sort()).toEqual(Object.keys(expected.partRank).sort());
    for (const [part, s] of Object.entries(expected.partRank)) expect(Math.abs(got.partRank[part] - s)).toBeLessThanOrEqual(1e-12);
    expect(Object.keys(got.activityImportance).sort()).toEqual(Object.keys(expected.activityImportance).sort());
    for (const [activity, ia] of Object.entries(expected.activityImportance)) expect(Math.abs(got.activityImportance[activity] - ia)).toBeLessThanOrEqual(1e-12);
  });
});

describe('partRank: hand-computed examples', () => {
  it('two parts, A provides to B with weight 1: S_A = 18/13, S_B = 8/13', () => {
    // Walk: B -> A 1/2, B -> g 1/2, A -> g 1, g -> A 2/3, g -> B 1/3. Stationary mass (total 2):
    // s_A = 10/13, s_B = 4/13, s_g = 12/13; g's share goes back 2/3 : 1/3.
    const result = partRank(productLayer(2, [[0, 1, 1]]));
    expect(result.converged).toBe(true);
    expect(result.partRank.P1).toBeCloseTo(18 / 13, 12);
    expect(result.partRank.P2).toBeCloseTo(8 / 13, 12);
  });

  it('three parts with a chain and a shortcut agree with a dense iteration and with the linear-algebra limit', () => {
    // P1 -> P2 (0.5), P2 -> P3 (0.25), P1 -> P3 (1)
    const layer = productLayer(3, [
      [0, 1, 0.5],
      [1, 2, 0.25],
      [0, 2, 1],
    ]);
    const got = partRank(layer);
    const dense = densePartRank(layer);
    const limit = stationaryPartRank(layer);
    expect(got.iterations).toBe(dense.iterations);
    ['P1', 'P2', 'P3'].forEach((id, i) => {
      expect(Math.abs(got.partRank[id] - dense.S[i])).toBeLessThan(1e-12);
      expect(Math.abs(got.partRank[id] - limit[i])).toBeLessThan(1e-10);
    });
    // P1 provides to both others, P3 to nobody.
    expect(got.partRank.P1).toBeGreaterThan(got.partRank.P2);
    expect(got.partRank.P2).toBeGreaterThan(got.partRank.P3);
  });

  it('reads weights from interaction types when no explicit weight is given', () => {
    const model: ProductLayer = {
      parts: [{ id: 'a', statuses: [] }, { id: 'b', statuses: [] }],
      partLinks: [{ from: 'a', to: 'b', types: ['spatial', 'material'] }],
      interactionWeights: { spatial: 0.4, energy: 0.3, information: 0.2, material: 0.1 },
      partRank: DEFAULT_PART_RANK,
    };
    expect(linkWeight(model.partLinks[0], model)).toBeCloseTo(0.5, 15);
    expect(linkWeight({ from: 'a', to: 'b', types: ['spatial'], weight: 0.9 }, model)).toBe(0.9);
    const explicit = partRank({ ...model, partLinks: [{ from: 'a', to: 'b', types: [], weight: 0.5 }] });
    expect(partRank(model).partRank.a).toBeCloseTo(explicit.partRank.a, 14);
  });

  it('gives every part of a layer without links the rank 1', () => {
    // Without links the walk only goes part -> g -> part: it alternates and never settles, but
    // S_i = s_i + s_g / n is 1 at every step.
    const result = partRank({ ...productLayer(3, []), partRank: { ...DEFAULT_PART_RANK, maxIterations: 51 } });
    expect(result.partRank).toEqual({ P1: 1, P2: 1, P3: 1 });
  });

  it('stops at maxIterations and says it did not converge', () => {
    const result = partRank(productLayer(3, [[0, 1, 0.5], [1, 2, 0.5]], { ...DEFAULT_PART_RANK, maxIterations: 3 }));
    expect(result.iterations).toBe(3);
    expect(result.converged).toBe(false);
    expect(densePartRank(productLayer(3, [[0, 1, 0.5], [1, 2, 0.5]], { ...DEFAULT_PART_RANK, maxIterations: 3 })).S).toEqual(
      ['P1', 'P2', 'P3'].map((id) => expect.closeTo(result.partRank[id], 12)),
    );
  });

  it('returns nothing for an empty product layer', () => {
    expect(partRank(productLayer(0, []))).toEqual({ partRank: {}, iterations: 0, converged: true });
  });
});

describe('partRank: properties over random small product layers', () => {
  it('agrees with the dense iteration to 1e-12 and, once converged, with the stationary limit to 1e-8', () => {
    fc.assert(
      fc.property(productLayerArb(), (layer) => {
        const result = partRank(layer);
        const got = layer.parts.map((p) => result.partRank[p.id]);
        const dense = densePartRank(layer);
        got.forEach((s, i) => expect(Math.abs(s - dense.S[i])).toBeLessThan(1e-12));
        // Weak, sparse links leave the walk nearly periodic (parts <-> g): it may stop at
        // maxIterations without converging, and then it is not at the limit yet.
        if (!result.converged) {
          expect(result.iterations).toBe(layer.partRank.maxIterations);
          return;
        }
        const limit = stationaryPartRank(layer);
        got.forEach((s, i) => expect(Math.abs(s - limit[i])).toBeLessThan(1e-8));
      }),
      { numRuns: 150 },
    );
  });

  it('may stop at maxIterations without converging when the only link is weak', () => {
    // 7 parts, one link of weight 0.01: the default 10000 iterations do not reach tolerance 1e-12.
    const result = partRank(productLayer(7, [[0, 4, 0.01]]));
    expect(result.converged).toBe(false);
    expect(result.iterations).toBe(10000);
    expect(Math.abs(Object.values(result.partRank).reduce((a, b) => a + b, 0) - 7)).toBeLessThan(1e-9);
  });

  it('every S_i is positive and Σ S_i equals the number of parts (the walk conserves mass)', () => {
    fc.assert(
      fc.property(productLayerArb(), (layer) => {
        const got = ranks(layer);
        for (const s of got) expect(s).toBeGreaterThan(0);
        expect(Math.abs(got.reduce((a, b) => a + b, 0) - layer.parts.length)).toBeLessThan(1e-9);
      }),
      { numRuns: 200 },
    );
  });

  it('does not depend on the order of parts and links', () => {
    fc.assert(
      fc.property(
        productLayerArb().chain((layer) =>
          fc.tuple(
            fc.constant(layer),
            fc.shuffledSubarray(layer.parts, { minLength: layer.parts.length, maxLength: layer.parts.length }),
            fc.shuffledSubarray(layer.partLinks, { minLength: layer.partLinks.length, maxLength: layer.partLinks.length }),
          ),
        ),
        ([layer, parts, partLinks]) => {
          const a = partRank(layer).partRank;
          const b = partRank({ ...layer, parts, partLinks }).partRank;
          for (const p of layer.parts) expect(Math.abs(a[p.id] - b[p.id])).toBeLessThan(1e-10);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a part that provides to a more important part ranks higher', () => {
    // A -> T1 and B -> T2 with the same weight w; T1 and T2 each provide to one part of a random layer
    // below with the same weight u, and have no other providers. Then S_A - S_B = w/(1+w) (S_T1 - S_T2).
    const starArb = fc.record({
      below: productLayerArb(5),
      w: fc.double({ min: 0.05, max: 1, noNaN: true }),
      u: fc.double({ min: 0.05, max: 1, noNaN: true }),
      x: fc.nat(),
      y: fc.nat(),
    });
    fc.assert(
      fc.property(starArb, ({ below, w, u, x, y }) => {
        const m = below.parts.length;
        const named = (i: number) => below.parts[i % m].id;
        const layer: ProductLayer = {
          ...below,
          parts: [...below.parts, ...['A', 'B', 'T1', 'T2'].map((id) => ({ id, statuses: [] }))],
          partLinks: [
            ...below.partLinks,
            { from: 'A', to: 'T1', types: [], weight: w },
            { from: 'B', to: 'T2', types: [], weight: w },
            { from: 'T1', to: named(x), types: [], weight: u },
            { from: 'T2', to: named(y), types: [], weight: u },
          ],
        };
        const result = partRank(layer);
        // the identity holds in the limit: only check layers that converged
        fc.pre(result.converged);
        const S = result.partRank;
        expect(S.A - S.B).toBeCloseTo((w / (1 + w)) * (S.T1 - S.T2), 9);
        if (S.T1 - S.T2 > 1e-9) expect(S.A).toBeGreaterThan(S.B);
        if (S.T2 - S.T1 > 1e-9) expect(S.B).toBeGreaterThan(S.A);
      }),
      { numRuns: 150 },
    );
  });

  it('in a concrete star, the provider of the target that itself provides to more parts ranks higher', () => {
    const parts = ['A', 'B', 'T1', 'T2', 'X', 'Y', 'Z1', 'Z2'];
    const link = (from: string, to: string, weight: number) => [parts.indexOf(from), parts.indexOf(to), weight] as const;
    const layer = productLayer(parts.length, [link('A', 'T1', 0.5), link('B', 'T2', 0.5), link('T1', 'X', 0.3), link('T2', 'Y', 0.3), link('X', 'Z1', 0.9), link('X', 'Z2', 0.4)]);
    const S = Object.fromEntries(parts.map((p, i) => [p, partRank(layer).partRank[`P${i + 1}`]]));
    expect(S.X).toBeGreaterThan(S.Y);
    expect(S.T1).toBeGreaterThan(S.T2);
    expect(S.A).toBeGreaterThan(S.B);
  });
});

describe('activityImportance (I_a)', () => {
  function shop(): PssModel {
    const r = readPssModel(shopModel());
    if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
    return r.value;
  }

  it('is the max S_p over the objects, normalized so that the top activity has 1; virtual and object-less activities get 0', () => {
    const model = shop();
    const { partRank: S } = partRank(model);
    const I = activityImportance(model, S);
    const top = Math.max(S['p.frame'], S['p.axle']);
    expect(I['sa.inspect']).toBeCloseTo(S['p.frame'] / top, 14);
    expect(I['sa.axle']).toBeCloseTo(S['p.axle'] / top, 14);
    expect(I['sa.skip']).toBe(0);
    expect(Math.max(...Object.values(I))).toBe(1);
    // p.frame provides to p.axle, so it is the more important part.
    expect(I['sa.frame']).toBe(1);
    expect(I['sa.axle']).toBeLessThan(1);
  });

  it('takes the most important object of an activity with several', () => {
    const model = shop();
    model.activities[1] = { ...model.activities[1], objects: ['p.axle', 'p.frame'] };
    expect(activityImportance(model)['sa.axle']).toBe(1);
  });

  it('is 0 for every activity when none has an object', () => {
    const model = shop();
    model.activities = model.activities.map((a) => ({ ...a, objects: [] }));
    expect(Object.values(activityImportance(model))).toEqual([0, 0, 0, 0, 0]);
  });

  it('importance() bundles PartRank and I_a', () => {
    const model = shop();
    const all = importance(model);
    expect(all.partRank).toEqual(partRank(model).partRank);
    expect(all.activityImportance).toEqual(activityImportance(model));
  });

  it('lies in [0, 1] with max 1 on random layers', () => {
    fc.assert(
      fc.property(productLayerArb(), fc.array(fc.array(fc.nat(), { maxLength: 3 }), { minLength: 1, maxLength: 6 }), (layer, objectIdx) => {
        const model: PssModel = {
          ...shop(),
          ...layer,
          interactionWeights: EQUAL_WEIGHTS,
          activities: objectIdx.map((idx, k) => ({
            id: `a${k}`,
            time: 1,
            cost: 1,
            reliability: 1,
            objects: idx.map((i) => layer.parts[i % layer.parts.length].id),
            demands: [],
            virtual: false,
          })),
        };
        const I = Object.values(activityImportance(model));
        for (const v of I) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
        const anyObjects = objectIdx.some((idx) => idx.length > 0);
        expect(Math.max(...I)).toBe(anyObjects ? 1 : 0);
        objectIdx.forEach((idx, k) => {
          if (idx.length === 0) expect(I[k]).toBe(0);
        });
      }),
      { numRuns: 100 },
    );
  });
});
