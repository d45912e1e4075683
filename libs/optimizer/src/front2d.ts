// Two-objective fronts (cost to minimize, reliability mass to maximize) with back-pointers, and
// their Minkowski sums. Within one combination of alternatives the time is fixed and both other
// objectives are sums over independent parts, so the front of the whole is the filtered sum of the
// parts' fronts.

export interface Point2<L = unknown> {
  cost: number;
  /** Σ weight · R_o of the occurrences the point covers. */
  rel: number;
  /** How the point was made: a leaf (what the caller chose), or the sum of two points. */
  leaf?: L;
  left?: Point2<L>;
  right?: Point2<L>;
}

/** Keeps the points no other point beats in both (cost ≤, rel ≥), one per distinct pair; sorted by cost. */
export function filter2<P extends { cost: number; rel: number }>(points: P[]): P[] {
  const sorted = [...points].sort((a, b) => a.cost - b.cost || b.rel - a.rel);
  const kept: P[] = [];
  let bestRel = -Infinity;
  for (const p of sorted) {
    if (p.rel > bestRel) {
      kept.push(p);
      bestRel = p.rel;
    }
  }
  return kept;
}

/** The front of a + b over every pair, filtered. Both inputs are fronts (sorted by cost, rel rising). */
export function minkowski<L>(a: Point2<L>[], b: Point2<L>[]): Point2<L>[] {
  if (a.length === 0 || b.length === 0) return [];
  if (a.length === 1 && b.length === 1) return [{ cost: a[0].cost + b[0].cost, rel: a[0].rel + b[0].rel, left: a[0], right: b[0] }];
  const sums: Point2<L>[] = new Array(a.length * b.length);
  let k = 0;
  for (const x of a) for (const y of b) sums[k++] = { cost: x.cost + y.cost, rel: x.rel + y.rel, left: x, right: y };
  return filter2(sums);
}

/** The leaf choices a point is made of. */
export function leavesOf<L>(p: Point2<L>, out: L[] = []): L[] {
  const stack = [p];
  while (stack.length) {
    const q = stack.pop()!;
    if (q.leaf) out.push(q.leaf);
    if (q.left) stack.push(q.left);
    if (q.right) stack.push(q.right);
  }
  return out;
}
