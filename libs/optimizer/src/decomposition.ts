// The allocation front of one combination of alternatives, by decomposition.
//
// With the alternatives fixed, time is fixed and cost and reliability mass (Σ weight·R_o) are sums
// over occurrences. Occurrences interact only through double-booking: two occurrences can compete
// when their intervals overlap and they share a candidate resource. The connected components of that
// relation are independent, so the front of the whole is the Minkowski sum of the components' fronts,
// and each component is searched alone (exhaustively here, or by a heuristic for huge ones).
import { overlaps } from '@pss/model';
import { PlannedOccurrence } from './configuration-space';
import { Point2, filter2, minkowski } from './front2d';
import { log10Binomial } from './counting';

/** One way to staff one occurrence: resources for all its demands. */
export interface StaffingOption {
  resources: number[];
  /** t_a · Σ costRate (the fixed c_a is counted apart). */
  cost: number;
  /** weight · Π θ. */
  rel: number;
}

export interface Component {
  /** Identity of the component's occurrences (flow, activity, interval): the cache key. */
  key: string;
  occurrences: PlannedOccurrence[];
  /** Per occurrence, its staffing options, cheapest first. */
  options: StaffingOption[][];
  /** log10 of Π options: the size of an exhaustive search of this component. */
  log10Size: number;
}

export interface ComponentChoice {
  component: Component;
  /** Per occurrence of the component, the index of its staffing option. */
  choice: Int32Array;
}

export type AllocationPoint = Point2<ComponentChoice>;

/** Every way to pick `qty` of `candidates`, as index lists (lexicographic). */
function combinations(n: number, k: number): number[][] {
  const out: number[][] = [];
  const pick: number[] = [];
  const walk = (from: number) => {
    if (pick.length === k) return void out.push([...pick]);
    for (let i = from; i <= n - (k - pick.length); i++) {
      pick.push(i);
      walk(i + 1);
      pick.pop();
    }
  };
  walk(0);
  return out;
}

export function staffingOptions(o: PlannedOccurrence, weight: number): StaffingOption[] {
  let options: StaffingOption[] = [{ resources: [], cost: 0, rel: weight }];
  for (const slot of o.slots) {
    const picks = combinations(slot.candidates.length, slot.qty);
    const next: StaffingOption[] = [];
    for (const base of options) {
      for (const pick of picks) {
        let cost = base.cost;
        let rel = base.rel;
        const resources = [...base.resources];
        for (const i of pick) {
          const c = slot.candidates[i];
          resources.push(c.r);
          cost += o.activity.time * c.rate;
          rel *= c.theta;
        }
        next.push({ resources, cost, rel });
      }
    }
    options = next;
  }
  return options.sort((a, b) => a.cost - b.cost || b.rel - a.rel);
}

export function occurrenceKey(o: PlannedOccurrence): string {
  return `${o.flow}:${o.activity.id}@${o.start}`;
}

/**
 * Groups the staffed occurrences into independent components (earliest first within each, so that
 * conflicts are met early in a search tree).
 */
export function groupComponents(occs: readonly PlannedOccurrence[]): PlannedOccurrence[][] {
  const staffed = occs.filter((o) => o.slots.length > 0);
  const parent = staffed.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const candidateSets = staffed.map((o) => new Set(o.slots.flatMap((s) => s.candidates.map((c) => c.r))));
  for (let i = 0; i < staffed.length; i++) {
    for (let j = i + 1; j < staffed.length; j++) {
      if (!overlaps(staffed[i].start, staffed[i].end, staffed[j].start, staffed[j].end)) continue;
      for (const r of candidateSets[i]) {
        if (candidateSets[j].has(r)) {
          parent[find(i)] = find(j);
          break;
        }
      }
    }
  }
  const groups = new Map<number, PlannedOccurrence[]>();
  staffed.forEach((o, i) => {
    const root = find(i);
    const list = groups.get(root);
    if (list) list.push(o);
    else groups.set(root, [o]);
  });
  return [...groups.values()].map((g) => g.sort((a, b) => a.start - b.start || a.flow - b.flow || a.activity.id.localeCompare(b.activity.id)));
}

/** log10 of the number of staffings of a group, counted before any pruning. */
export function groupLog10Size(group: readonly PlannedOccurrence[]): number {
  return group.reduce((sum, o) => sum + o.slots.reduce((s, slot) => s + log10Binomial(slot.candidates.length, slot.qty), 0), 0);
}

/** What a component's front depends on: its occurrences and their reliability weights. */
export function componentKey(group: readonly PlannedOccurrence[], weightOf: (o: PlannedOccurrence) => number): string {
  return group.map((o) => `${occurrenceKey(o)}*${weightOf(o)}`).join('|');
}

export function buildComponent(group: PlannedOccurrence[], weightOf: (o: PlannedOccurrence) => number): Component {
  const options = group.map((o) => staffingOptions(o, weightOf(o)));
  return {
    key: componentKey(group, weightOf),
    occurrences: group,
    options,
    log10Size: groupLog10Size(group),
  };
}

export interface ComponentSearch {
  /** Stop flag checked during the search. */
  shouldStop: () => boolean;
  /** Counts complete staffings of a component examined. */
  onLeaf?: () => void;
}

/**
 * Approximation for components too large to solve exactly (a beam search over the same DP): each
 * state's front is thinned to one point per ε-box, and only the most promising states are kept.
 */
export interface BeamSettings {
  /** Box size relative to the component's cost and reliability ranges, e.g. 1e-3. */
  epsilon: number;
  /** States kept per step. */
  maxStates: number;
}

/**
 * Options of one occurrence that can never be needed: X is dropped when another option Y is at least
 * as good in cost and reliability and every resource Y uses beyond X's is uncontested (no
 * overlapping occurrence of the component can use it). Swapping X for Y then keeps any staffing
 * feasible and no worse, so the exact front is unchanged.
 */
export function prunedOptions(component: Component): StaffingOption[][] {
  const { occurrences: occs, options } = component;
  const candidates = occs.map((o) => new Set(o.slots.flatMap((s) => s.candidates.map((c) => c.r))));
  return occs.map((o, k) => {
    const contested = new Set<number>();
    occs.forEach((other, j) => {
      if (j === k || !overlaps(o.start, o.end, other.start, other.end)) return;
      for (const r of candidates[k]) if (candidates[j].has(r)) contested.add(r);
    });
    const opts = options[k];
    return opts.filter((x, xi) =>
      !opts.some((y, yi) => {
        if (yi === xi || y.cost > x.cost || y.rel < x.rel) return false;
        if (y.cost === x.cost && y.rel === x.rel && yi > xi) return false; // of equals, keep the first
        return y.resources.every((r) => !contested.has(r) || x.resources.includes(r));
      }),
    );
  });
}

interface DpPoint {
  cost: number;
  rel: number;
  prev?: DpPoint;
  option: number;
}

/** The work an exact component search may do before it gives up (state points × options tried). */
export class SearchBudgetExceeded extends Error {
  constructor(readonly work: number) {
    super(`exact component search exceeded its budget of ${work.toExponential(1)} steps`);
    this.name = 'SearchBudgetExceeded';
  }
}

/**
 * The exact front of one component by dynamic programming along time. Occurrences are taken in
 * start order; a state is the set of resources, held by occurrences already staffed, that a later
 * occurrence could still double-book (resource and until when). Staffings that reach the same state
 * are interchangeable for the future, so each state keeps only its own Pareto front of (cost,
 * reliability mass). Components are interval graphs with few occurrences at once, so states stay few.
 */
export function solveComponentDp(component: Component, search: ComponentSearch & { budget?: number; beam?: BeamSettings }): { front: AllocationPoint[]; work: number } {
  const occs = component.occurrences;
  const n = occs.length;
  const options = prunedOptions(component);
  const candidates = occs.map((o) => new Set(o.slots.flatMap((s) => s.candidates.map((c) => c.r))));
  const budget = search.budget ?? Infinity;
  let work = 0;
  /**
   * A resource taken by occurrence k matters to the future only until the last later occurrence that
   * overlaps k (they start in order, so those are k+1..m) and can use it: that index is all a state
   * needs to remember, and -1 means it does not matter at all.
   */
  const lastUser = (r: number, k: number): number => {
    let last = -1;
    for (let j = k + 1; j < n && occs[j].start < occs[k].end; j++) if (candidates[j].has(r)) last = j;
    return last;
  };

  const beam = search.beam;
  // Ranges for the beam's ε-boxes and state ranking.
  const costRange = options.reduce((sum, opts) => sum + Math.max(0, ...opts.map((o) => o.cost)) - Math.min(...opts.map((o) => o.cost)), 0) || 1;
  const relRange = options.reduce((sum, opts) => sum + Math.max(0, ...opts.map((o) => o.rel)) - Math.min(...opts.map((o) => o.rel)), 0) || 1;

  type Held = { r: number; until: number };
  // A state's front is built lazily: the runs (a predecessor's front shifted by one option) that
  // reach it, merged once at the end of the step. Only points that survive are ever allocated.
  type State = { held: Held[]; points: DpPoint[]; runs: Run[] };
  let states = new Map<string, State>([['', { held: [], points: [{ cost: 0, rel: 0, option: -1 }], runs: [] }]]);
  for (let k = 0; k < n; k++) {
    const next = new Map<string, State>();
    for (const state of states.values()) {
      // Held entries are all still relevant to k (until >= k), by construction.
      const busy = new Set(state.held.map((h) => h.r));
      options[k].forEach((opt, index) => {
        if (opt.resources.some((r) => busy.has(r))) return;
        const held = state.held.filter((h) => h.until > k);
        for (const r of opt.resources) {
          const until = lastUser(r, k);
          if (until > k) held.push({ r, until });
        }
        held.sort((a, b) => a.r - b.r || a.until - b.until);
        const key = held.map((h) => `${h.r}@${h.until}`).join(',');
        let target = next.get(key);
        if (!target) next.set(key, (target = { held, points: [], runs: [] }));
        target.runs.push({ src: state.points, dc: opt.cost, dr: opt.rel, option: index });
        work += state.points.length;
      });
    }
    if (work > budget) throw new SearchBudgetExceeded(budget);
    if (search.shouldStop()) return { front: [], work };
    for (const state of next.values()) {
      const merged = mergeRuns(state.runs);
      state.points = beam ? thinToBoxes(merged, beam.epsilon * costRange, beam.epsilon * relRange) : merged;
      state.runs = [];
    }
    states = beam && next.size > beam.maxStates ? keepPromisingStates(next, beam.maxStates, costRange, relRange) : next;
  }
  const finals = filter2([...states.values()].flatMap((s) => s.points));
  const front = finals.map((p): AllocationPoint => {
    const choice = new Int32Array(n);
    let q: DpPoint | undefined = p;
    for (let k = n - 1; k >= 0 && q; k--, q = q.prev) {
      // Map the pruned option back to its index in the component's full option list.
      choice[k] = component.options[k].indexOf(options[k][q.option]);
    }
    search.onLeaf?.();
    return { cost: p.cost, rel: p.rel, leaf: { component, choice } };
  });
  return { front, work };
}

/** A predecessor state's front (sorted by cost, reliability rising) shifted by one staffing option. */
interface Run {
  src: DpPoint[];
  dc: number;
  dr: number;
  option: number;
}

/**
 * The front of the union of several runs: a k-way merge by cost (ties: higher reliability first)
 * keeping each point that beats every cheaper one in reliability. A run whose best reliability can no
 * longer beat the front so far leaves the merge early.
 */
function mergeRuns(runs: Run[]): DpPoint[] {
  const pos = new Int32Array(runs.length);
  const heap: number[] = [];
  const cost = (i: number) => runs[i].src[pos[i]].cost + runs[i].dc;
  const rel = (i: number) => runs[i].src[pos[i]].rel + runs[i].dr;
  const before = (a: number, b: number) => {
    const ca = cost(a);
    const cb = cost(b);
    return ca < cb || (ca === cb && rel(a) > rel(b));
  };
  const siftDown = (at: number) => {
    for (;;) {
      const l = 2 * at + 1;
      const r = l + 1;
      let top = at;
      if (l < heap.length && before(heap[l], heap[top])) top = l;
      if (r < heap.length && before(heap[r], heap[top])) top = r;
      if (top === at) return;
      [heap[at], heap[top]] = [heap[top], heap[at]];
      at = top;
    }
  };
  runs.forEach((run, i) => {
    if (run.src.length) heap.push(i);
  });
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(i);
  const out: DpPoint[] = [];
  let bestRel = -Infinity;
  while (heap.length) {
    const i = heap[0];
    const run = runs[i];
    const c = cost(i);
    const r = rel(i);
    if (r > bestRel) {
      out.push({ cost: c, rel: r, prev: run.src[pos[i]], option: run.option });
      bestRel = r;
    }
    pos[i]++;
    // Fronts rise in reliability, so the run's last point is its best.
    if (pos[i] < run.src.length && run.src[run.src.length - 1].rel + run.dr > bestRel) {
      siftDown(0);
    } else {
      heap[0] = heap[heap.length - 1];
      heap.pop();
      if (heap.length) siftDown(0);
    }
  }
  return out;
}

/** Keeps one point per (cost, reliability) box of the given sizes, the best of each, then the front. */
function thinToBoxes<P extends { cost: number; rel: number }>(front: P[], costBox: number, relBox: number): P[] {
  const boxes = new Map<string, P>();
  for (const p of front) {
    const key = `${Math.floor(p.cost / costBox)}:${Math.floor(p.rel / relBox)}`;
    const held = boxes.get(key);
    if (!held || p.cost < held.cost || (p.cost === held.cost && p.rel > held.rel)) boxes.set(key, p);
  }
  return filter2([...boxes.values()]);
}

/**
 * The states whose fronts reach furthest: for a spread of weightings of cost against reliability,
 * the states holding the best point under each, taken in turns until `max` are kept.
 */
function keepPromisingStates<S extends { points: { cost: number; rel: number }[] }>(states: Map<string, S>, max: number, costRange: number, relRange: number): Map<string, S> {
  const entries = [...states];
  const weights = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1];
  const rankings = weights.map((w) =>
    entries
      .map(([key, state]) => ({ key, score: Math.min(...state.points.map((p) => (w * p.cost) / costRange - ((1 - w) * p.rel) / relRange)) }))
      .sort((a, b) => a.score - b.score),
  );
  const kept = new Map<string, S>();
  for (let i = 0; kept.size < max && i < entries.length; i++) {
    for (const ranking of rankings) {
      if (kept.size >= max) break;
      const key = ranking[i].key;
      if (!kept.has(key)) kept.set(key, states.get(key)!);
    }
  }
  return kept;
}

/** The allocation front of several independent components: their Minkowski sum. */
export function sumFronts(fronts: AllocationPoint[][]): AllocationPoint[] {
  // Small fronts first keeps the intermediate sums small.
  const sorted = [...fronts].sort((a, b) => a.length - b.length);
  return sorted.reduce<AllocationPoint[]>((acc, f) => minkowski(acc, f), [{ cost: 0, rel: 0 }]);
}
