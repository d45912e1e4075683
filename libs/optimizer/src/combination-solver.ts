// Solving combinations of alternatives into one archive of (time, cost, reliability) points: the
// engine shared by `exact` and `hybrid`.
//
// Per combination: its staffing components (decomposition.ts), each solved by dynamic programming
// (exactly, or as a beam search when too large and allowed) and cached across combinations; their
// fronts summed. Before that, a bound: conflicts ignored, the sum of the occurrences' own option
// fronts is optimistic; when the archive already covers all of it, the combination cannot add a
// new non-dominated vector and is skipped. Visiting combinations shortest first makes that common.
import { PlannedOccurrence } from './configuration-space';
import { Combination } from './combinations';
import { AllocationPoint, BeamSettings, SearchBudgetExceeded, buildComponent, componentKey, groupComponents, solveComponentDp, staffingOptions, sumFronts } from './decomposition';
import { Point2, filter2, minkowski } from './front2d';

export type ComponentMode =
  /** Exact DP only; throws SearchBudgetExceeded once the run's steps exceed maxSteps. */
  | { kind: 'exact'; maxSteps: number }
  /** Exact DP up to exactSteps per component, else the beam search (the answer is then not proven). */
  | { kind: 'approximate'; exactSteps: number; beam: BeamSettings };

export interface FoundPoint {
  time: number;
  cost: number;
  reliability: number;
  item: { combination: Combination; point: AllocationPoint };
}

export class CombinationSolver {
  readonly archive: FoundPoint[] = [];
  /** Combinations whose allocation front was computed. */
  solved = 0;
  /** Combinations skipped because their optimistic bound was already covered. */
  pruned = 0;
  exactComponents = 0;
  beamComponents = 0;
  steps = 0;
  /** Complete staffings whose objectives were computed (points of combination fronts). */
  evaluations = 0;
  /** False once some component was only approximated. */
  allExact = true;
  private readonly fronts = new Map<string, AllocationPoint[]>();
  private readonly bounds = new Map<string, Point2[]>();

  constructor(
    private readonly mode: ComponentMode,
    private readonly shouldStop: () => boolean,
  ) {}

  /**
   * Adds the combination's allocation front to the archive. Returns how many points entered it, or
   * -1 when the run was stopped before the combination was finished (nothing of it is kept).
   */
  solve(c: Combination): number {
    if (c.unstaffable) return 0;
    const groups = groupComponents(c.occurrences);
    if (this.boundCovered(c, groups)) {
      this.pruned++;
      return 0;
    }
    const fronts: AllocationPoint[][] = [];
    for (const group of groups) {
      const front = this.componentFront(group, c.weightOf);
      if (front === undefined) return -1;
      if (front.length === 0) {
        this.solved++;
        return 0; // no staffing of this component avoids double-booking
      }
      fronts.push(front);
    }
    this.solved++;
    let added = 0;
    for (const point of sumFronts(fronts)) {
      this.evaluations++;
      const found: FoundPoint = {
        time: c.time,
        cost: c.fixedCost + point.cost,
        reliability: c.denominator === 0 ? 1 : (c.fixedRel + point.rel) / c.denominator,
        item: { combination: c, point },
      };
      if (this.add(found)) added++;
    }
    return added;
  }

  covers(time: number, cost: number, reliability: number): boolean {
    for (const a of this.archive) if (a.time <= time && a.cost <= cost && a.reliability >= reliability) return true;
    return false;
  }

  private add(f: FoundPoint): boolean {
    if (this.covers(f.time, f.cost, f.reliability)) return false;
    for (let i = this.archive.length - 1; i >= 0; i--) {
      const a = this.archive[i];
      if (f.time <= a.time && f.cost <= a.cost && f.reliability >= a.reliability) this.archive.splice(i, 1);
    }
    this.archive.push(f);
    return true;
  }

  /** The component's front, from the cache or solved now; undefined when the run was stopped. */
  private componentFront(group: PlannedOccurrence[], weightOf: (o: PlannedOccurrence) => number): AllocationPoint[] | undefined {
    const key = componentKey(group, weightOf);
    const cached = this.fronts.get(key);
    if (cached) return cached;
    const component = buildComponent(group, weightOf);
    let result: { front: AllocationPoint[]; work: number };
    if (this.mode.kind === 'exact') {
      result = solveComponentDp(component, { shouldStop: this.shouldStop, budget: this.mode.maxSteps - this.steps });
      this.exactComponents++;
    } else {
      try {
        result = solveComponentDp(component, { shouldStop: this.shouldStop, budget: this.mode.exactSteps });
        this.exactComponents++;
      } catch (error) {
        if (!(error instanceof SearchBudgetExceeded)) throw error;
        this.steps += error.work;
        result = solveComponentDp(component, { shouldStop: this.shouldStop, beam: this.mode.beam });
        this.beamComponents++;
        this.allExact = false;
      }
    }
    this.steps += result.work;
    if (this.shouldStop()) return undefined;
    this.fronts.set(key, result.front);
    return result.front;
  }

  /**
   * Conflicts ignored, each occurrence takes any of its staffing options: the sum of those fronts
   * bounds every feasible allocation. Thinned to ε-box corners, it is still a bound.
   */
  private boundCovered(c: Combination, groups: PlannedOccurrence[][]): boolean {
    if (this.archive.length === 0) return false;
    let relaxed: Point2[] = [{ cost: 0, rel: 0 }];
    for (const g of groups) {
      const key = componentKey(g, c.weightOf);
      let bound = this.bounds.get(key);
      if (!bound) {
        bound = g.reduce<Point2[]>((acc, o) => cornerThin(minkowski(acc, filter2(staffingOptions(o, c.weightOf(o))))), [{ cost: 0, rel: 0 }]);
        this.bounds.set(key, bound);
      }
      relaxed = cornerThin(minkowski(relaxed, bound));
    }
    return relaxed.every((p) => this.covers(c.time, c.fixedCost + p.cost, c.denominator === 0 ? 1 : (c.fixedRel + p.rel) / c.denominator));
  }
}

/** At most 256 points: each cost box of the front replaced by its ideal corner (so still a bound). */
function cornerThin(front: Point2[]): Point2[] {
  if (front.length <= 256) return front;
  const minCost = front[0].cost;
  const box = (front[front.length - 1].cost - minCost) / 255 || 1;
  const corners = new Map<number, Point2>();
  for (const p of front) {
    const k = Math.floor((p.cost - minCost) / box);
    const held = corners.get(k);
    corners.set(k, { cost: minCost + k * box, rel: Math.max(held?.rel ?? -Infinity, p.rel) });
  }
  return filter2([...corners.values()]);
}
