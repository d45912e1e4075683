// The flat view of one combination of alternatives that the heuristics search: every demand unit
// (one resource to pick) with its candidates, which other units it may double-book with, and a fast
// evaluation of a pick vector. The paper's cuckoo nest is exactly such a vector.
import { Occurrence } from '@pss/model';
import { Candidate, ConfigurationSpace, DemandSlot, PlannedOccurrence, toOccurrences } from './configuration-space';
import { Combination, combination } from './combinations';
import { Random } from './random';

export interface DemandUnit {
  /** Index of the occurrence in the layout's occurrence list. */
  occ: number;
  slot: DemandSlot;
  candidates: Candidate[];
  /** Hours this unit works: its occurrence's duration (cost = time · rate). */
  time: number;
}

export interface StaffingLayout {
  combination: Combination;
  occurrences: PlannedOccurrence[];
  /** Where each occurrence sits: [flow, index in the flow's alternative]. */
  owner: [number, number][];
  units: DemandUnit[];
  /** Units of occurrence k are units[unitStart[k] .. unitStart[k + 1]). */
  unitStart: Int32Array;
  /** For each unit, the units that must not get the same resource (same or overlapping occurrence). */
  neighbors: Int32Array[];
  /** Per occurrence, its reliability weight. */
  weight: Float64Array;
}

export interface StaffingScore {
  time: number;
  cost: number;
  reliability: number;
  /** Pairs of units given the same resource while their occurrences overlap: 0 when feasible. */
  conflicts: number;
}

export function layoutKey(alternativeOf: readonly number[]): string {
  return alternativeOf.join(',');
}

export function buildLayout(space: ConfigurationSpace, alternativeOf: readonly number[]): StaffingLayout {
  const c = combination(space, alternativeOf);
  const owner: [number, number][] = space.flows.flatMap((f, i) => f.alternatives[alternativeOf[i]].occurrences.map((_, k) => [i, k] as [number, number]));
  const occurrences = c.occurrences;
  const units: DemandUnit[] = [];
  const unitStart = new Int32Array(occurrences.length + 1);
  occurrences.forEach((o, k) => {
    unitStart[k] = units.length;
    for (const slot of o.slots) for (let q = 0; q < slot.qty; q++) units.push({ occ: k, slot, candidates: slot.candidates, time: o.activity.time });
  });
  unitStart[occurrences.length] = units.length;
  const candidateSets = units.map((u) => new Set(u.candidates.map((x) => x.r)));
  const neighbors = units.map((u, i) => {
    const list: number[] = [];
    units.forEach((v, j) => {
      if (i === j) return;
      const a = occurrences[u.occ];
      const b = occurrences[v.occ];
      const together = u.occ === v.occ || (a.start < b.end && b.start < a.end && a.end > a.start && b.end > b.start);
      if (together && [...candidateSets[i]].some((r) => candidateSets[j].has(r))) list.push(j);
    });
    return Int32Array.from(list);
  });
  const weight = Float64Array.from(occurrences.map((o) => c.weightOf(o)));
  return { combination: c, occurrences, owner, units, unitStart, neighbors, weight };
}

/** Objectives and conflict count of a pick vector (candidate index per unit). */
export function scoreStaffing(layout: StaffingLayout, picks: ArrayLike<number>): StaffingScore {
  const c = layout.combination;
  let cost = c.fixedCost;
  let rel = c.fixedRel;
  const { units, unitStart, occurrences, weight } = layout;
  for (let k = 0; k < occurrences.length; k++) {
    const from = unitStart[k];
    const to = unitStart[k + 1];
    if (from === to) continue;
    let product = weight[k];
    for (let u = from; u < to; u++) {
      const cand = units[u].candidates[picks[u]];
      cost += units[u].time * cand.rate;
      product *= cand.theta;
    }
    rel += product;
  }
  let conflicts = 0;
  for (let u = 0; u < units.length; u++) {
    const r = units[u].candidates[picks[u]].r;
    for (const v of layout.neighbors[u]) if (v > u && units[v].candidates[picks[v]].r === r) conflicts++;
  }
  return { time: c.time, cost, reliability: c.denominator === 0 ? 1 : rel / c.denominator, conflicts };
}

export type RepairChoice = 'random' | 'cheapest' | 'reliable';

/**
 * The paper's nest pre-processing: walking the units in order, a unit whose resource is already held
 * by a unit it must not share with gets another candidate that none of its neighbors holds (chosen at
 * random, the cheapest, or the most reliable). Returns the conflicts left (0 when feasible).
 */
export function repairStaffing(layout: StaffingLayout, picks: Int32Array, choice: RepairChoice, random?: Random): number {
  const { units, neighbors } = layout;
  let left = 0;
  for (let u = 0; u < units.length; u++) {
    const candidates = units[u].candidates;
    const held = new Set<number>();
    for (const v of neighbors[u]) if (v < u) held.add(units[v].candidates[picks[v]].r);
    if (!held.has(candidates[picks[u]].r)) continue;
    const free: number[] = [];
    for (let i = 0; i < candidates.length; i++) if (!held.has(candidates[i].r)) free.push(i);
    if (free.length === 0) {
      left++;
      continue;
    }
    if (choice === 'random' && random) picks[u] = random.pick(free);
    else if (choice === 'reliable') picks[u] = free.reduce((best, i) => (candidates[i].theta > candidates[best].theta ? i : best), free[0]);
    else picks[u] = free[0]; // candidates are sorted cheapest first
  }
  return left;
}

export function randomPicks(layout: StaffingLayout, random: Random): Int32Array {
  return Int32Array.from(layout.units.map((u) => random.int(u.candidates.length)));
}

export function layoutOccurrences(space: ConfigurationSpace, layout: StaffingLayout, picks: ArrayLike<number>): Occurrence[] {
  const byOwner = new Map<string, string[]>();
  layout.occurrences.forEach((_, k) => {
    const rs: string[] = [];
    for (let u = layout.unitStart[k]; u < layout.unitStart[k + 1]; u++) rs.push(space.resourceIds[layout.units[u].candidates[picks[u]].r]);
    byOwner.set(layout.owner[k].join(':'), rs);
  });
  return toOccurrences(space, layout.combination.alternativeOf, (f, k) => byOwner.get(`${f}:${k}`) ?? []);
}

/** True when every demand has enough candidates at all (otherwise no pick vector can be feasible). */
export function staffable(layout: StaffingLayout): boolean {
  return !layout.combination.unstaffable;
}
