// Hypervolume of a front (the measure the benchmarks compare algorithms by). Vectors are minimized;
// the reference point is dominated by every point of interest. Exact in 2-D (sweep) and 3-D (slices
// along the first objective, each a 2-D sweep): O(n² log n), ample for fronts of thousands.

export function hypervolume2(points: readonly (readonly number[])[], ref: readonly number[]): number {
  const inside = points.filter((p) => p[0] < ref[0] && p[1] < ref[1]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let volume = 0;
  let bestY = ref[1];
  for (const p of inside) {
    if (p[1] < bestY) {
      volume += (ref[0] - p[0]) * (bestY - p[1]);
      bestY = p[1];
    }
  }
  return volume;
}

export function hypervolume3(points: readonly (readonly number[])[], ref: readonly number[]): number {
  const inside = points.filter((p) => p[0] < ref[0] && p[1] < ref[1] && p[2] < ref[2]).sort((a, b) => a[0] - b[0]);
  let volume = 0;
  for (let i = 0; i < inside.length; i++) {
    const x = inside[i][0];
    const nextX = i + 1 < inside.length ? inside[i + 1][0] : ref[0];
    if (nextX === x) continue;
    const slice = inside.slice(0, i + 1).map((p) => [p[1], p[2]]);
    volume += (nextX - x) * hypervolume2(slice, [ref[1], ref[2]]);
  }
  return volume;
}

/** Objective bounds used to normalize fronts before comparing hypervolumes. */
export interface Bounds {
  ideal: number[];
  nadir: number[];
}

export function boundsOf(fronts: readonly (readonly (readonly number[])[])[]): Bounds {
  const all = fronts.flat();
  const dims = all[0]?.length ?? 3;
  const ideal = Array.from({ length: dims }, (_, d) => Math.min(...all.map((p) => p[d])));
  const nadir = Array.from({ length: dims }, (_, d) => Math.max(...all.map((p) => p[d])));
  return { ideal, nadir };
}

/**
 * Hypervolume after normalizing each objective to [0, 1] by the bounds, with the reference point at
 * 1.1 in every objective (so the extreme points count too). Degenerate objectives (ideal = nadir)
 * are mapped to 0.
 */
export function normalizedHypervolume(points: readonly (readonly number[])[], bounds: Bounds, margin = 0.1): number {
  const scale = (p: readonly number[]) => p.map((v, d) => (bounds.nadir[d] > bounds.ideal[d] ? (v - bounds.ideal[d]) / (bounds.nadir[d] - bounds.ideal[d]) : 0));
  const ref = bounds.ideal.map(() => 1 + margin);
  const scaled = points.map(scale);
  return scaled[0]?.length === 2 ? hypervolume2(scaled, ref) : hypervolume3(scaled, ref);
}
