// PartRank of the product layer and the cross-layer importance of service activities (MODEL.md 1.2).
import { PartLink, PssModel } from './types';

export interface PartRankResult {
  /** S_p per part id. */
  partRank: Record<string, number>;
  iterations: number;
  converged: boolean;
}

export interface ImportanceResult extends PartRankResult {
  /** Normalized I_a per activity id, in [0, 1]. */
  activityImportance: Record<string, number>;
}

/** w_ij: the explicit weight, else the sum of the interaction weights of its types. */
export function linkWeight(link: PartLink, model: Pick<PssModel, 'interactionWeights'>): number {
  if (link.weight !== undefined) return link.weight;
  return link.types.reduce((sum, t) => sum + model.interactionWeights[t], 0);
}

/**
 * PartRank [reading of seed 004]: importance flows against the links, so a part that provides to
 * important parts ranks high. A random walk on the reversed graph plus a ground node g (edges
 * g -> i weighted (1 + out_i)^alpha, i -> g weighted 1), iterated from s_i = 1, s_g = 0 until the
 * largest change is below the tolerance; g's final score is shared back in proportion to (1 + out_i)^alpha.
 */
export function partRank(model: Pick<PssModel, 'parts' | 'partLinks' | 'interactionWeights' | 'partRank'>): PartRankResult {
  const n = model.parts.length;
  const index = new Map(model.parts.map((p, i) => [p.id, i]));
  const { alpha, tolerance, maxIterations } = model.partRank;

  const out = new Float64Array(n);
  // Reversed edges j -> i with weight w_ij, merged per (j, i).
  const reversed: Map<number, number>[] = Array.from({ length: n }, () => new Map());
  for (const link of model.partLinks) {
    const i = index.get(link.from)!;
    const j = index.get(link.to)!;
    const w = linkWeight(link, model);
    out[i] += w;
    reversed[j].set(i, (reversed[j].get(i) ?? 0) + w);
  }
  const groundWeight = Array.from(out, (o) => Math.pow(1 + o, alpha));
  const groundTotal = groundWeight.reduce((a, b) => a + b, 0);

  // Sparse transition lists: for each source u, (target, probability).
  const targets: number[][] = [];
  const probs: number[][] = [];
  for (let u = 0; u < n; u++) {
    const total = [...reversed[u].values()].reduce((a, b) => a + b, 0) + 1; // + the edge u -> g of weight 1
    targets.push([...reversed[u].keys(), n]);
    probs.push([...[...reversed[u].values()].map((w) => w / total), 1 / total]);
  }
  targets.push(Array.from({ length: n }, (_, i) => i));
  probs.push(groundWeight.map((w) => (groundTotal > 0 ? w / groundTotal : 0)));

  let s = new Float64Array(n + 1).fill(1);
  s[n] = 0;
  let iterations = 0;
  let converged = n === 0;
  while (!converged && iterations < maxIterations) {
    const next = new Float64Array(n + 1);
    for (let u = 0; u <= n; u++) {
      const su = s[u];
      if (su === 0) continue;
      const t = targets[u];
      const p = probs[u];
      for (let k = 0; k < t.length; k++) next[t[k]] += p[k] * su;
    }
    let change = 0;
    for (let v = 0; v <= n; v++) change = Math.max(change, Math.abs(next[v] - s[v]));
    s = next;
    iterations++;
    converged = change < tolerance;
  }

  const result: Record<string, number> = {};
  model.parts.forEach((p, i) => {
    result[p.id] = s[i] + (groundTotal > 0 ? (s[n] * groundWeight[i]) / groundTotal : 0);
  });
  return { partRank: result, iterations, converged };
}

/** I'_a = max S_p over the activity's service objects (0 for none or virtual), normalized by the model's max. */
export function activityImportance(model: PssModel, ranks: Record<string, number> = partRank(model).partRank): Record<string, number> {
  const raw = model.activities.map((a) => (a.virtual || a.objects.length === 0 ? 0 : Math.max(...a.objects.map((p) => ranks[p]))));
  const top = Math.max(0, ...raw);
  return Object.fromEntries(model.activities.map((a, i) => [a.id, top > 0 ? raw[i] / top : 0]));
}

export function importance(model: PssModel): ImportanceResult {
  const ranks = partRank(model);
  return { ...ranks, activityImportance: activityImportance(model, ranks.partRank) };
}
