// Pareto dominance over objective vectors where every component is to be minimized. Callers
// negate maximized objectives (reliability, performance) when they build the vector.

/** a dominates b: no component worse, at least one strictly better. */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let strictly = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] > b[i]) return false;
    if (a[i] < b[i]) strictly = true;
  }
  return strictly;
}

/** a is at least as good as b in every component. */
export function weaklyDominates(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] > b[i]) return false;
  return true;
}

/**
 * Keeps the non-dominated items, one per distinct objective vector (the first met), in input order.
 * O(n²): fronts here are small; optimizers keep their own archives.
 */
export function nonDominated<T>(items: readonly T[], vector: (item: T) => readonly number[]): T[] {
  const vectors = items.map(vector);
  const kept: number[] = [];
  for (let i = 0; i < items.length; i++) {
    let keep = true;
    for (let j = 0; j < items.length && keep; j++) {
      if (i === j) continue;
      if (dominates(vectors[j], vectors[i])) keep = false;
      else if (j < i && sameVector(vectors[j], vectors[i])) keep = false;
    }
    if (keep) kept.push(i);
  }
  return kept.map((i) => items[i]);
}

export function sameVector(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * A Pareto archive for minimization that keeps one entry per distinct vector. `add` returns false
 * when the candidate is weakly dominated by a member (nothing new), and evicts what it dominates.
 */
export class ParetoArchive<T> {
  private entries: { vector: number[]; item: T }[] = [];

  get size(): number {
    return this.entries.length;
  }

  items(): T[] {
    return this.entries.map((e) => e.item);
  }

  vectors(): number[][] {
    return this.entries.map((e) => e.vector);
  }

  /** True when some member is at least as good as `vector` everywhere: adding it cannot help. */
  covers(vector: readonly number[]): boolean {
    return this.entries.some((e) => weaklyDominates(e.vector, vector));
  }

  add(vector: number[], item: T): boolean {
    if (this.covers(vector)) return false;
    this.entries = this.entries.filter((e) => !dominates(vector, e.vector));
    this.entries.push({ vector, item });
    return true;
  }
}
