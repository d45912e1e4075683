// Exact solver for small ConfigurationProblems: every combination of alternatives, and for each a
// depth-first branch and bound over resource allocations, pruned when an optimistic bound of the
// partial allocation is already matched by the archive. It proves the front.
import { ConfigurationFront, ConfigurationProblem, ConfigurationSolution, ObjectiveContext, ParetoArchive, evaluateConfiguration, overlaps } from '@pss/model';
import { DemandSlot, PlannedOccurrence, buildConfigurationSpace, explainInfeasible, toOccurrences } from './configuration-space';
import { finishConfigurationFront } from './front';
import { Deadline, ProgressReporter, SearchLimitError } from './run-control';

export interface ExactOptions {
  /** Refuse when the space holds more configurations than this (before pruning). Default 1e9. */
  maxConfigurations?: number;
  timeLimitMs?: number;
  onProgress?: ProgressReporter;
  now?: () => number;
}

export const DEFAULT_MAX_CONFIGURATIONS = 1e9;

interface Leaf {
  alternativeOf: number[];
  /** Per flow, per occurrence: resource numbers. */
  resources: number[][][];
}

/** One slot of the depth-first search: a demand of an occurrence in the current combination. */
interface SearchSlot {
  occ: number;
  slot: DemandSlot;
  /** Is this the last slot of its occurrence (the occurrence's reliability is then complete)? */
  closes: boolean;
}

/** Optimistic completions from slot j on, ignoring conflicts between the remaining slots. */
interface SlotBound {
  /** Least cost of filling slot j and every later slot. */
  minCost: number;
  /** Best θ product of slot j and the later slots of the same occurrence. */
  relToClose: number;
  /** Best Σ weight·R_o of the later occurrences that have demands. */
  relLater: number;
}

function slotBounds(slots: SearchSlot[], occs: PlannedOccurrence[], weight: (o: PlannedOccurrence) => number): SlotBound[] {
  const slotCost = slots.map((s) => occs[s.occ].activity.time * s.slot.candidates.slice(0, s.slot.qty).reduce((a, c) => a + c.rate, 0));
  const slotRel = slots.map((s) => topProduct(s.slot.candidates.map((c) => c.theta), s.slot.qty));
  const occRel = occs.map(() => 1);
  slots.forEach((s, j) => (occRel[s.occ] *= slotRel[j]));
  const bounds: SlotBound[] = slots.map(() => ({ minCost: 0, relToClose: 1, relLater: 0 }));
  let cost = 0;
  for (let j = slots.length - 1; j >= 0; j--) {
    cost += slotCost[j];
    const sameOccNext = j + 1 < slots.length && slots[j + 1].occ === slots[j].occ;
    bounds[j].minCost = cost;
    bounds[j].relToClose = slotRel[j] * (sameOccNext ? bounds[j + 1].relToClose : 1);
    const laterOcc = j + 1 < slots.length ? slots[j + 1].occ : -1;
    bounds[j].relLater = laterOcc < 0 ? 0 : sameOccNext ? bounds[j + 1].relLater : bounds[j + 1].relLater + weight(occs[laterOcc]) * occRel[laterOcc];
  }
  return bounds;
}

export function solveConfigurationExact(problem: ConfigurationProblem, options: ExactOptions = {}): ConfigurationFront {
  const now = options.now ?? Date.now;
  const started = now();
  const context = new ObjectiveContext(problem);
  const space = buildConfigurationSpace(problem, context);
  const limit = options.maxConfigurations ?? DEFAULT_MAX_CONFIGURATIONS;
  if (space.log10Size > Math.log10(limit)) {
    throw new SearchLimitError(
      `the exact search would face about 1e${space.log10Size.toFixed(1)} configurations (limit ${limit.toExponential(0)}): ` +
        'use a heuristic algorithm for a problem of this size, or raise the limit',
    );
  }
  const deadline = new Deadline(options.timeLimitMs, now);
  const archive = new ParetoArchive<Leaf>();
  const mean = problem.reliabilityObjective === 'mean';
  let evaluations = 0;
  let nodes = 0;
  let combosDone = 0;
  let stopped = false;
  const combosTotal = space.flows.reduce((n, f) => n * f.alternatives.length, 1);

  const searchCombination = (alternativeOf: number[]) => {
    const occs: PlannedOccurrence[] = space.flows.flatMap((f, i) => f.alternatives[alternativeOf[i]].occurrences);
    if (occs.some((o) => o.slots.some((s) => s.candidates.length < s.qty))) return;
    const time = occs.reduce((s, o) => s + o.activity.time, 0);
    const importanceSum = occs.reduce((s, o) => s + o.importance, 0);
    const useMean = mean || importanceSum === 0;
    const weight = (o: PlannedOccurrence) => (useMean ? 1 : o.importance);
    const denominator = useMean ? occs.length : importanceSum;
    const fixedCost = occs.reduce((s, o) => s + o.activity.cost, 0);
    // Occurrences without demands add a fixed r_a; the others are built slot by slot.
    const fixedRel = occs.reduce((s, o) => s + (o.slots.length === 0 ? weight(o) * o.activity.reliability : 0), 0);

    const slots: SearchSlot[] = [];
    occs.forEach((o, i) => o.slots.forEach((slot, k) => slots.push({ occ: i, slot, closes: k === o.slots.length - 1 })));
    const bounds = slotBounds(slots, occs, weight);
    const overlapsOcc = occs.map((a) => occs.map((b) => overlaps(a.start, a.end, b.start, b.end)));
    const assignedTo: number[][] = space.resourceIds.map(() => []); // resource -> occurrence indices
    const chosen: number[][] = occs.map(() => []);
    const isFree = (r: number, occ: number) => assignedTo[r].every((other) => !overlapsOcc[occ][other]);

    const recordLeaf = (cost: number, relSum: number) => {
      evaluations++;
      const vector = [time, cost, -(relSum / denominator)];
      if (archive.covers(vector)) return;
      let next = 0;
      const resources = space.flows.map((f, i) => f.alternatives[alternativeOf[i]].occurrences.map(() => [...chosen[next++]]));
      archive.add(vector, { alternativeOf: [...alternativeOf], resources });
    };

    // relDone: Σ weight·R_o over closed occurrences with demands; partial: θ product so far in the open one.
    const dfs = (j: number, cost: number, relDone: number, partial: number): void => {
      if (stopped) return;
      if ((++nodes & 0x3fff) === 0) {
        if (deadline.passed()) {
          stopped = true;
          return;
        }
        options.onProgress?.({ phase: 'exact', done: combosDone, total: combosTotal, evaluations, front: archive.size });
      }
      if (j === slots.length) return recordLeaf(cost, relDone + fixedRel);
      const s = slots[j];
      const o = occs[s.occ];
      const b = bounds[j];
      const optimisticRel = relDone + fixedRel + weight(o) * partial * b.relToClose + b.relLater;
      if (archive.covers([time, cost + b.minCost, -(optimisticRel / denominator)])) return;
      const pick: number[] = [];
      const candidates = s.slot.candidates;
      const choose = (from: number, addCost: number, product: number): void => {
        if (pick.length === s.slot.qty) {
          for (const r of pick) assignedTo[r].push(s.occ);
          chosen[s.occ].push(...pick);
          if (s.closes) dfs(j + 1, cost + addCost, relDone + weight(o) * partial * product, 1);
          else dfs(j + 1, cost + addCost, relDone, partial * product);
          chosen[s.occ].length -= pick.length;
          for (const r of pick) assignedTo[r].pop();
          return;
        }
        for (let i = from; i <= candidates.length - (s.slot.qty - pick.length) && !stopped; i++) {
          const c = candidates[i];
          if (!isFree(c.r, s.occ)) continue;
          pick.push(c.r);
          choose(i + 1, addCost + o.activity.time * c.rate, product * c.theta);
          pick.pop();
        }
      };
      choose(0, 0, 1);
    };

    dfs(0, fixedCost, 0, 1);
  };

  // Enumerate combinations of alternatives (odometer), shortest total time first for early fronts.
  const counts = space.flows.map((f) => f.alternatives.length);
  if (counts.every((c) => c > 0)) {
    const alternativeOf = counts.map(() => 0);
    for (;;) {
      searchCombination(alternativeOf);
      combosDone++;
      if (stopped) break;
      let k = 0;
      while (k < counts.length && ++alternativeOf[k] === counts[k]) alternativeOf[k++] = 0;
      if (k === counts.length) break;
    }
  }

  const solutions: ConfigurationSolution[] = archive.items().map((leaf) => {
    const occurrences = toOccurrences(space, leaf.alternativeOf, (f, k) => leaf.resources[f][k].map((r) => space.resourceIds[r]));
    return { objectives: evaluateConfiguration(problem, occurrences, context).objectives, occurrences };
  });
  const complete = !stopped;
  return finishConfigurationFront(solutions, {
    infeasible: solutions.length === 0 ? (complete ? explainInfeasible(space) : 'no feasible configuration found before the time limit') : null,
    stats: {
      algorithm: 'exact',
      exact: complete,
      evaluations,
      wallMs: now() - started,
      nodes,
      combinations: combosTotal,
      combinationsSearched: combosDone,
      ...(complete ? {} : { stoppedBy: 'time limit: the front is not proven' }),
    },
  });
}

/** The largest product of `k` values from the list (all in [0, 1]: the k largest). */
function topProduct(values: number[], k: number): number {
  return [...values].sort((a, b) => b - a).slice(0, k).reduce((p, v) => p * v, 1);
}
