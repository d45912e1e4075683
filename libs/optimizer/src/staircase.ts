// Non-dominated filtering of many (time, cost, reliability) points, when they arrive grouped by time.
// Sorted by time, then cost, then reliability descending, a point is dominated exactly when an
// earlier point has cost ≤ and reliability ≥: a staircase over (cost, reliability) answers that in
// O(log n).

export interface Triple<T> {
  time: number;
  cost: number;
  reliability: number;
  item: T;
}

/** Keeps the points that no other point dominates, one per distinct vector. */
export function nonDominated3<T>(points: Triple<T>[]): Triple<T>[] {
  const sorted = [...points].sort((a, b) => a.time - b.time || a.cost - b.cost || b.reliability - a.reliability);
  // Staircase: costs rising, reliabilities strictly rising.
  const costs: number[] = [];
  const rels: number[] = [];
  const kept: Triple<T>[] = [];
  for (const p of sorted) {
    // Last stair with cost <= p.cost.
    let lo = 0;
    let hi = costs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (costs[mid] <= p.cost) lo = mid + 1;
      else hi = mid;
    }
    const at = lo - 1;
    if (at >= 0 && rels[at] >= p.reliability) continue;
    kept.push(p);
    // Insert at `lo`, dropping the stairs from there on that p now covers (cost >= p.cost, rel <= p.rel).
    let end = lo;
    while (end < costs.length && rels[end] <= p.reliability) end++;
    costs.splice(lo, end - lo, p.cost);
    rels.splice(lo, end - lo, p.reliability);
  }
  return kept;
}
