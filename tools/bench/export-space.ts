// Exports a ConfigurationProblem's search space as plain JSON, for optimizers outside this repository
// (tools/bench/deap_nsga2.py), and turns their answers back into the model's occurrences so that the
// model's evaluator can check them.
//
//   npx tsx --tsconfig tsconfig.base.json tools/bench/export-space.ts PROBLEM.yaml [OUT.json]
//
// What is exported is exactly what our own NSGA-II searches (libs/optimizer/src/nsga2-configuration.ts):
//
// - per triggered flow, its *staffable* alternatives: those that meet the deadline and whose every
//   demand has enough free candidates (busy resources removed). Gene f (one per flow) picks one of
//   them; `index` is its place among all of the flow's deadline-meeting alternatives.
// - per alternative its fixed parts (MODEL.md section 2): `time` = Σ t_a, `fixedCost` = Σ c_a,
//   `importance` = Σ I_a and `count` = the number of non-virtual occurrences (the two possible
//   reliability denominators), `fixedRelWeighted` = Σ I_a·r_a and `fixedRelMean` = Σ r_a over the
//   occurrences without demands.
// - per occurrence its interval [start, end), its activity's t_a, c_a, r_a, I_a and its demand units
//   (one per resource to pick; qty 2 is two units), each with its candidates [resource index, theta,
//   cost rate], cheapest first, and its `gene`: units of the same (flow, activity, j-th unit) share a
//   gene across the flow's alternatives, whose value is taken modulo the candidate count.
//
// Objectives of a choice (alternative per flow, candidate per unit), as MODEL.md section 2:
//   T = Σ time;  C = Σ fixedCost + Σ_units time·rate (time: the occurrence's t_a);
//   R = (Σ w·r_a over occurrences without units + Σ w·Π theta over occurrences with units) / D,
//   with w = I_a and D = Σ importance, or w = 1 and D = Σ count when reliabilityObjective is 'mean' or
//   Σ importance = 0; R = 1 when there are no occurrences.
// Feasible: no resource in two units of one occurrence, nor in two units of occurrences whose
// intervals overlap (half-open, both of positive length). Busy intervals are already applied.
import { writeFileSync } from 'fs';
import { ConfigurationProblem, Occurrence } from '@pss/model';
import { loadDocument } from '@pss/documents';
import { buildConfigurationSpace } from '@pss/optimizer';

export interface ExportedUnit {
  gene: number;
  kind: string;
  /** [resource index, theta, cost rate] */
  candidates: [number, number, number][];
}

export interface ExportedOccurrence {
  activity: string;
  start: number;
  end: number;
  time: number;
  cost: number;
  reliability: number;
  importance: number;
  units: ExportedUnit[];
}

export interface ExportedAlternative {
  index: number;
  time: number;
  fixedCost: number;
  importance: number;
  count: number;
  fixedRelWeighted: number;
  fixedRelMean: number;
  occurrences: ExportedOccurrence[];
}

export interface ExportedSpace {
  format: 'pss-search-space/v1';
  problem: string;
  reliabilityObjective: 'importance-weighted' | 'mean';
  resources: string[];
  flows: { asset: string; trigger: string; start: number; deadline: number; alternatives: ExportedAlternative[] }[];
  /** Gene i takes values in [0, domain[i]); the first `flows.length` genes choose alternatives. */
  domain: number[];
}

export function exportSearchSpace(problem: ConfigurationProblem): ExportedSpace {
  const space = buildConfigurationSpace(problem);
  const domain: number[] = space.flows.map(() => 0);
  const geneIndex = new Map<string, number>();
  const flows = space.flows.map((flow, f) => {
    const alternatives: ExportedAlternative[] = [];
    flow.alternatives.forEach((alt, index) => {
      if (alt.occurrences.some((o) => o.slots.some((s) => s.candidates.length < s.qty))) return;
      const occurrences = alt.occurrences.map((o): ExportedOccurrence => {
        const units: ExportedUnit[] = [];
        let j = 0;
        for (const slot of o.slots) {
          for (let q = 0; q < slot.qty; q++, j++) {
            const key = `${f}\u0000${o.activity.id}\u0000${j}`;
            let gene = geneIndex.get(key);
            if (gene === undefined) {
              gene = domain.length;
              geneIndex.set(key, gene);
              domain.push(1);
            }
            domain[gene] = Math.max(domain[gene], slot.candidates.length);
            units.push({ gene, kind: slot.kind, candidates: slot.candidates.map((c) => [c.r, c.theta, c.rate]) });
          }
        }
        return { activity: o.activity.id, start: o.start, end: o.end, time: o.activity.time, cost: o.activity.cost, reliability: o.activity.reliability, importance: o.importance, units };
      });
      alternatives.push({
        index,
        time: occurrences.reduce((s, o) => s + o.time, 0),
        fixedCost: occurrences.reduce((s, o) => s + o.cost, 0),
        importance: occurrences.reduce((s, o) => s + o.importance, 0),
        count: occurrences.length,
        fixedRelWeighted: occurrences.reduce((s, o) => s + (o.units.length ? 0 : o.importance * o.reliability), 0),
        fixedRelMean: occurrences.reduce((s, o) => s + (o.units.length ? 0 : o.reliability), 0),
        occurrences,
      });
    });
    domain[f] = alternatives.length;
    return { asset: flow.plan.asset, trigger: flow.plan.trigger, start: flow.plan.start, deadline: flow.plan.deadline, alternatives };
  });
  return {
    format: 'pss-search-space/v1',
    problem: problem.name ?? 'unnamed',
    reliabilityObjective: problem.reliabilityObjective,
    resources: space.resourceIds,
    flows,
    domain,
  };
}

/** A peer's solution: per flow the position of its alternative in `flows[f].alternatives`, and the candidate index of every unit in order. */
export interface PeerSolution {
  alternatives: number[];
  picks: number[];
  /** The peer's own objective values [time, cost, reliability], for a consistency check. */
  objectives?: number[];
}

/** The model's occurrences for a peer's solution (throws on a malformed one: wrong lengths or indices). */
export function peerOccurrences(space: ExportedSpace, solution: PeerSolution): Occurrence[] {
  if (solution.alternatives.length !== space.flows.length) throw new Error(`expected ${space.flows.length} alternatives, got ${solution.alternatives.length}`);
  const occurrences: Occurrence[] = [];
  let p = 0;
  space.flows.forEach((flow, f) => {
    const alt = flow.alternatives[solution.alternatives[f]];
    if (!alt) throw new Error(`flow ${f}: no alternative ${solution.alternatives[f]}`);
    for (const o of alt.occurrences) {
      const resources = o.units.map((u) => {
        const c = u.candidates[solution.picks[p++]];
        if (!c) throw new Error(`flow ${f} ${o.activity}: no candidate ${solution.picks[p - 1]}`);
        return space.resources[c[0]];
      });
      occurrences.push({ asset: flow.asset, trigger: flow.trigger, activity: o.activity, start: o.start, end: o.end, resources });
    }
  });
  if (p !== solution.picks.length) throw new Error(`expected ${p} picks, got ${solution.picks.length}`);
  return occurrences;
}

if (require.main === module) {
  const [file, out] = process.argv.slice(2);
  if (!file) {
    console.error('usage: export-space.ts PROBLEM.yaml [OUT.json]');
    process.exit(2);
  }
  const { document } = loadDocument(file);
  if (document.kind !== 'ConfigurationProblem') {
    console.error(`${file}: a ConfigurationProblem is needed, got ${document.kind}`);
    process.exit(2);
  }
  const json = JSON.stringify(exportSearchSpace(document.value));
  if (out) writeFileSync(out, json);
  else process.stdout.write(json + '\n');
}
