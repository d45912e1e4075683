// NSGA-II for ConfigurationProblems: selection of alternatives and allocation of resources evolve
// together in one fixed-length integer genome, as seed 003 encodes a whole configuration.
//
// Genome: first one gene per triggered flow, the alternative taken, as an index into the flow's
// *staffable* alternatives (those that meet the deadline and whose every demand has enough free
// candidates: unstaffable combinations are never decoded). Then one gene per (flow, activity, demand
// unit) over the union of the flow's staffable alternatives: a unit shared by several alternatives
// keeps its gene, so switching the alternative keeps the staffing of the activities in common. A unit
// gene decodes against the chosen alternative's candidates as `gene % candidates.length` (candidate
// lists differ with busy intervals); its domain is the longest of those lists.
//
// Decoding: the combination's StaffingLayout (built once per combination and cached), the pick
// vector, the repair that removes double-booking (repairStaffing with a random free candidate; the
// repaired picks are written back into the genome: Lamarckian repair), then scoreStaffing. What
// repair leaves in conflict is infeasible, with the number of conflicting pairs as its violation.
//
// Mutation rate (nsga2.ts): `mutation / L` per gene, L the genes with more than one value.
import { ConfigurationFront, ConfigurationProblem, ObjectiveContext } from '@pss/model';
import { ConfigurationSpace, buildConfigurationSpace, explainInfeasible } from './configuration-space';
import { combinationCount } from './exact-configuration';
import { finishConfigurationFront, verifiedSolution } from './front';
import { Nsga2Evaluation, Nsga2Options, Nsga2Spec, nsga2Parameters, runNsga2 } from './nsga2';
import { Random } from './random';
import { RunBudget } from './run-control';
import { StaffingLayout, buildLayout, layoutKey, layoutOccurrences, repairStaffing, scoreStaffing } from './staffing';

/** Layouts kept at most; the cache starts over beyond (fleets can have millions of combinations). */
const LAYOUT_CACHE_LIMIT = 20_000;

interface CachedLayout {
  layout: StaffingLayout;
  /** layoutKey of the combination. */
  key: string;
  /** Genome index of each unit of the layout. */
  geneOf: Int32Array;
}

export interface ConfigurationEncoding {
  space: ConfigurationSpace;
  /** Per flow, the indices (into the flow's alternatives) of its staffable alternatives: the values of its gene. */
  staffable: number[][];
  /** Gene i takes values in [0, domain[i]); genes 0 .. flows − 1 choose the alternatives. */
  domain: Int32Array;
  /** Decodes a genome without repairing it: the combination's layout and the pick vector. */
  decode(genome: Int32Array): { layout: StaffingLayout; key: string; picks: Int32Array; geneOf: Int32Array };
  /** Decodes, repairs (written back into the genome) and scores: objectives [time, cost, −reliability]. */
  evaluate(genome: Int32Array, random: Random): Nsga2Evaluation;
  /** Layouts built so far. */
  readonly layoutsBuilt: number;
}

/** The encoding, or undefined when some flow has no staffable alternative (nothing is feasible). */
export function configurationEncoding(space: ConfigurationSpace): ConfigurationEncoding | undefined {
  const flows = space.flows.length;
  const staffable = space.flows.map((flow) =>
    flow.alternatives.flatMap((alt, a) => (alt.occurrences.some((o) => o.slots.some((s) => s.candidates.length < s.qty)) ? [] : [a])),
  );
  if (staffable.some((list) => list.length === 0)) return undefined;

  const domain: number[] = staffable.map((list) => list.length);
  const geneIndex = new Map<string, number>();
  /** Per flow and alternative index: the genes of the alternative's units, in layout order. */
  const unitGenes: Int32Array[][] = space.flows.map((flow, f) =>
    flow.alternatives.map((alt, a) => {
      if (!staffable[f].includes(a)) return new Int32Array(0);
      const genes: number[] = [];
      for (const o of alt.occurrences) {
        let j = 0;
        for (const slot of o.slots) {
          for (let q = 0; q < slot.qty; q++, j++) {
            const key = `${f}\u0000${o.activity.id}\u0000${j}`;
            let g = geneIndex.get(key);
            if (g === undefined) {
              g = domain.length;
              geneIndex.set(key, g);
              domain.push(1);
            }
            domain[g] = Math.max(domain[g], slot.candidates.length);
            genes.push(g);
          }
        }
      }
      return Int32Array.from(genes);
    }),
  );

  // The cache is keyed by the combination's mixed-radix number when it fits a double exactly.
  const numbered = staffable.reduce((n, list) => n * list.length, 1) <= Number.MAX_SAFE_INTEGER;
  const cache = new Map<number | string, CachedLayout>();
  let layoutsBuilt = 0;
  const alternativeOf = new Array<number>(flows).fill(0);
  const layoutOf = (genome: Int32Array): CachedLayout => {
    let index = 0;
    for (let f = 0; f < flows; f++) {
      alternativeOf[f] = staffable[f][genome[f]];
      index = index * staffable[f].length + genome[f];
    }
    const key = numbered ? index : layoutKey(alternativeOf);
    let cached = cache.get(key);
    if (!cached) {
      const layout = buildLayout(space, alternativeOf);
      const geneOf = new Int32Array(layout.units.length);
      let u = 0;
      for (let f = 0; f < flows; f++) for (const g of unitGenes[f][alternativeOf[f]]) geneOf[u++] = g;
      if (u !== geneOf.length) throw new Error('internal error: nsga2 gene map does not match the staffing layout');
      if (cache.size >= LAYOUT_CACHE_LIMIT) cache.clear();
      cached = { layout, key: layoutKey(alternativeOf), geneOf };
      cache.set(key, cached);
      layoutsBuilt++;
    }
    return cached;
  };
  const decode = (genome: Int32Array) => {
    const { layout, key, geneOf } = layoutOf(genome);
    const picks = new Int32Array(geneOf.length);
    for (let u = 0; u < picks.length; u++) picks[u] = genome[geneOf[u]] % layout.units[u].candidates.length;
    return { layout, key, picks, geneOf };
  };
  const evaluate = (genome: Int32Array, random: Random): Nsga2Evaluation => {
    const { layout, key, picks, geneOf } = decode(genome);
    repairStaffing(layout, picks, 'random', random);
    for (let u = 0; u < picks.length; u++) genome[geneOf[u]] = picks[u];
    const score = scoreStaffing(layout, picks);
    return {
      objectives: [score.time, score.cost, -score.reliability],
      violation: score.conflicts,
      key: `${key}|${picks.join(',')}`,
    };
  };
  return {
    space,
    staffable,
    domain: Int32Array.from(domain),
    decode,
    evaluate,
    get layoutsBuilt() {
      return layoutsBuilt;
    },
  };
}

export function solveConfigurationNsga2(problem: ConfigurationProblem, options: Nsga2Options = {}): ConfigurationFront {
  const now = options.now ?? Date.now;
  const started = now();
  const parameters = nsga2Parameters(options);
  const seed = options.seed ?? 1;
  const context = new ObjectiveContext(problem);
  const space = buildConfigurationSpace(problem, context);
  const encoding = configurationEncoding(space);
  const common = { algorithm: 'nsga2', seed, parameters: { ...parameters, preset: options.preset ?? 'default' }, combinations: combinationCount(space), log10Space: Number(space.log10Size.toFixed(2)) };
  if (!encoding) {
    // Some flow cannot meet its deadline or cannot be staffed at all: nothing to search.
    return finishConfigurationFront([], { infeasible: explainInfeasible(space), stats: { ...common, evaluations: 0, wallMs: now() - started, generations: 0, genes: 0 } });
  }
  const spec: Nsga2Spec = { domain: encoding.domain, evaluate: encoding.evaluate };
  const budget = new RunBudget(options);
  const run = runNsga2(spec, parameters, budget, new Random(seed), options.onProgress);

  const solutions = run.archive.items.map((ind) => {
    const { layout, picks } = encoding.decode(ind.genome);
    return verifiedSolution(problem, layoutOccurrences(space, layout, picks), context, 'nsga2');
  });
  let infeasible: string | null = null;
  if (solutions.length === 0) {
    const why = run.stoppedBy ? ` before the ${run.stoppedBy} stopped it` : '';
    const least = run.leastViolation < Infinity ? `: the best configuration still double-books ${run.leastViolation} pair(s) of demands` : '';
    infeasible = `nsga2 found no feasible configuration in ${run.evaluations} evaluations${why}${least} (every flow can be staffed alone; the exact algorithm can tell whether double-booking is unavoidable)`;
  }
  return finishConfigurationFront(solutions, {
    infeasible,
    stats: {
      ...common,
      evaluations: run.evaluations,
      wallMs: now() - started,
      generations: run.generations,
      genes: encoding.domain.length,
      archive: run.archive.size,
      layouts: encoding.layoutsBuilt,
      ...(run.stoppedBy ? { stoppedBy: run.stoppedBy } : {}),
    },
  });
}
