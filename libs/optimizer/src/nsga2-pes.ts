// NSGA-II for PesProblems (seed 003, Section 4.2).
//
// Genome: one gene per module, the index of its instance; an optional module has one more value,
// "none". The module constraint (exactly one instance of a mandatory module, at most one of an
// optional one) thus holds by construction.
//
// Repair (randomised with the run's seeded generator, written back into the genome: Lamarckian),
// in passes until nothing changes or a pass limit; each pass visits the rules in cyclic order from a
// random one, then the limits:
// - excludes a, b both selected: one side at random is dropped (optional module: none) or switched
//   to another instance of its module (mandatory module);
// - requires a → b, a without b: add b (its module takes b) where b is in another module, or drop
//   a, chosen at random among the moves possible;
// - inclusive a, b, one without the other: add the missing one (where it is in another module) or
//   drop the present one, at random;
// - limits: while the price (cost · (1 + margin)) or the total response time is over its limit, a
//   random module switches to a random cheaper (or faster) instance, or to none.
// Whatever repair cannot fix is infeasible, ranked by total violation: rules broken plus the
// relative excess over each limit.
import { PES_EPSILON, PesFront, PesProblem } from '@pss/model';
import { finishPesFront, verifiedPesSolution } from './front';
import { pesSpaceSize } from './exact-pes';
import { Nsga2Evaluation, Nsga2Options, Nsga2Spec, nsga2Parameters, runNsga2 } from './nsga2';
import { Random } from './random';
import { RunBudget } from './run-control';

interface EncodedRule {
  type: 'excludes' | 'requires' | 'inclusive';
  /** Module and instance index of each end. */
  ma: number;
  ia: number;
  mb: number;
  ib: number;
}

export interface PesEncoding {
  /** Gene m takes values in [0, domain[m]); the last value of an optional module is "none". */
  domain: Int32Array;
  /** The selected instance ids, in module order. */
  instancesOf(genome: ArrayLike<number>): string[];
  /** Repairs in place (randomised); returns the total violation left (0: feasible). */
  repair(genome: Int32Array, random: Random): number;
  /** Total violation of a genome as it stands: rules broken plus the relative excess over the limits. */
  violation(genome: ArrayLike<number>): number;
  /** Repairs and scores: objectives [−performance, cost, responseTime]. */
  evaluate(genome: Int32Array, random: Random): Nsga2Evaluation;
}

export function pesEncoding(problem: PesProblem): PesEncoding {
  const modules = problem.modules;
  const n = modules.length;
  const count = Int32Array.from(modules.map((m) => m.instances.length));
  const domain = Int32Array.from(modules.map((m) => m.instances.length + (m.mandatory ? 0 : 1)));
  const optional = modules.map((m) => !m.mandatory);
  const where = new Map<string, [number, number]>();
  modules.forEach((m, i) => m.instances.forEach((inst, k) => where.set(inst.id, [i, k])));
  const rules: EncodedRule[] = problem.rules.map((r) => {
    const a = where.get(r.a);
    const b = where.get(r.b);
    if (!a || !b) throw new Error(`internal error: rule ${r.type} ${r.a} ${r.b} names an unknown instance`);
    return { type: r.type, ma: a[0], ia: a[1], mb: b[0], ib: b[1] };
  });
  const costOf = modules.map((m) => Float64Array.from([...m.instances.map((x) => x.cost), 0]));
  const timeOf = modules.map((m) => Float64Array.from([...m.instances.map((x) => x.responseTime), 0]));
  const perfOf = modules.map((m) => Float64Array.from([...m.instances.map((x) => x.performance), 0]));
  const { profitMargin, maxPrice, maxResponseTime } = problem.limits;

  // Sums in module order: the order evaluatePes adds the instances listed by instancesOf.
  const totals = (g: ArrayLike<number>) => {
    let performance = 0;
    let cost = 0;
    let time = 0;
    for (let m = 0; m < n; m++) {
      if (g[m] >= count[m]) continue;
      performance += perfOf[m][g[m]];
      cost += costOf[m][g[m]];
      time += timeOf[m][g[m]];
    }
    return { performance, cost, time };
  };
  const priceExcess = (cost: number) => (maxPrice === undefined || cost * (1 + profitMargin) <= maxPrice + PES_EPSILON ? 0 : cost * (1 + profitMargin) - maxPrice);
  const timeExcess = (time: number) => (maxResponseTime === undefined || time <= maxResponseTime + PES_EPSILON ? 0 : time - maxResponseTime);
  const ruleBroken = (g: ArrayLike<number>, r: EncodedRule) => {
    const a = g[r.ma] === r.ia;
    const b = g[r.mb] === r.ib;
    return r.type === 'excludes' ? a && b : r.type === 'requires' ? a && !b : a !== b;
  };
  const priceScale = Math.max(1, maxPrice ?? 1);
  const timeScale = Math.max(1, maxResponseTime ?? 1);
  const violation = (g: ArrayLike<number>) => {
    let v = 0;
    for (const r of rules) if (ruleBroken(g, r)) v++;
    const { cost, time } = totals(g);
    return v + priceExcess(cost) / priceScale + timeExcess(time) / timeScale;
  };

  /** Drops the instance of module m: none if optional, else another instance at random. False if impossible. */
  const drop = (g: Int32Array, m: number, random: Random): boolean => {
    if (optional[m]) g[m] = count[m];
    else if (count[m] > 1) {
      const v = random.int(count[m] - 1);
      g[m] = v >= g[m] ? v + 1 : v;
    } else return false;
    return true;
  };
  const canDrop = (m: number) => optional[m] || count[m] > 1;

  const fixRule = (g: Int32Array, r: EncodedRule, random: Random): boolean => {
    if (r.type === 'excludes') {
      const sides = [r.ma, r.mb].filter(canDrop);
      return sides.length > 0 && drop(g, random.pick(sides), random);
    }
    // requires / inclusive: the side present is `from`, the missing one `to`.
    const aPresent = g[r.ma] === r.ia;
    const [mFrom, mTo, iTo] = aPresent ? [r.ma, r.mb, r.ib] : [r.mb, r.ma, r.ia];
    const canAdd = mTo !== mFrom;
    const canRemove = canDrop(mFrom);
    if (canAdd && (!canRemove || random.next() < 0.5)) {
      g[mTo] = iTo;
      return true;
    }
    return canRemove && drop(g, mFrom, random);
  };

  /** Moves of module values that lower `of` (cost or time), optionally keeping the other total within `keep`. */
  const lowerOne = (g: Int32Array, of: Float64Array[], other: Float64Array[], otherRoom: number, random: Random): boolean => {
    const moves: [number, number][] = [];
    const fallback: [number, number][] = [];
    for (let m = 0; m < n; m++) {
      const cur = g[m] >= count[m] ? count[m] : g[m];
      for (let v = 0; v < domain[m]; v++) {
        const val = v >= count[m] ? count[m] : v;
        if (of[m][val] < of[m][cur]) {
          (other[m][val] - other[m][cur] <= otherRoom ? moves : fallback).push([m, v]);
        }
      }
    }
    const list = moves.length ? moves : fallback;
    if (list.length === 0) return false;
    const [m, v] = random.pick(list);
    g[m] = v;
    return true;
  };

  const maxPasses = 2 * (rules.length + n) + 4;
  const repair = (g: Int32Array, random: Random): number => {
    for (let pass = 0; pass < maxPasses; pass++) {
      let changed = false;
      // The rules in cyclic order from a random one, so that no rule always has the last word.
      const first = rules.length > 1 ? random.int(rules.length) : 0;
      for (let k = 0; k < rules.length; k++) {
        const rule = rules[(first + k) % rules.length];
        if (ruleBroken(g, rule) && fixRule(g, rule, random)) changed = true;
      }
      for (let step = 0; step < 4 * n + 4; step++) {
        const { cost, time } = totals(g);
        const overPrice = priceExcess(cost) > 0;
        const overTime = timeExcess(time) > 0;
        if (!overPrice && !overTime) break;
        const priceRoom = maxPrice === undefined ? Infinity : (maxPrice + PES_EPSILON) / (1 + profitMargin) - cost;
        const timeRoom = maxResponseTime === undefined ? Infinity : maxResponseTime + PES_EPSILON - time;
        const moved = overPrice ? lowerOne(g, costOf, timeOf, timeRoom, random) : lowerOne(g, timeOf, costOf, priceRoom, random);
        if (!moved) break;
        changed = true;
      }
      if (!changed) break;
    }
    return violation(g);
  };

  const instancesOf = (g: ArrayLike<number>) => {
    const ids: string[] = [];
    for (let m = 0; m < n; m++) if (g[m] < count[m]) ids.push(modules[m].instances[g[m]].id);
    return ids;
  };
  const evaluate = (g: Int32Array, random: Random): Nsga2Evaluation => {
    const v = repair(g, random);
    const { performance, cost, time } = totals(g);
    return { objectives: [-performance, cost, time], violation: v, key: g.join(',') };
  };
  return { domain, instancesOf, repair, violation, evaluate };
}

export function solvePesNsga2(problem: PesProblem, options: Nsga2Options = {}): PesFront {
  const now = options.now ?? Date.now;
  const started = now();
  const parameters = nsga2Parameters(options);
  const seed = options.seed ?? 1;
  const encoding = pesEncoding(problem);
  const spec: Nsga2Spec = { domain: encoding.domain, evaluate: encoding.evaluate };
  const budget = new RunBudget(options);
  const run = runNsga2(spec, parameters, budget, new Random(seed), options.onProgress);
  const solutions = run.archive.items.map((ind) => verifiedPesSolution(problem, encoding.instancesOf(ind.genome), 'nsga2'));
  return finishPesFront(solutions, {
    infeasible: solutions.length ? null : explainNothingFound(problem, run.evaluations, run.stoppedBy, run.leastViolation),
    stats: {
      algorithm: 'nsga2',
      seed,
      evaluations: run.evaluations,
      wallMs: now() - started,
      generations: run.generations,
      parameters: { ...parameters, preset: options.preset ?? 'default' },
      archive: run.archive.size,
      configurations: pesSpaceSize(problem),
      ...(run.stoppedBy ? { stoppedBy: run.stoppedBy } : {}),
    },
  });
}

function explainNothingFound(problem: PesProblem, evaluations: number, stoppedBy: string | undefined, leastViolation: number): string {
  const { profitMargin, maxPrice, maxResponseTime } = problem.limits;
  const least = (key: 'cost' | 'responseTime') => problem.modules.reduce((s, m) => s + (m.mandatory ? Math.min(...m.instances.map((x) => x[key])) : 0), 0);
  const reasons: string[] = [];
  if (maxPrice !== undefined && least('cost') * (1 + profitMargin) > maxPrice + PES_EPSILON) {
    reasons.push(`the cheapest mandatory modules already cost ${least('cost') * (1 + profitMargin)} with margin, above the price limit ${maxPrice}`);
  }
  if (maxResponseTime !== undefined && least('responseTime') > maxResponseTime + PES_EPSILON) {
    reasons.push(`the fastest mandatory modules already take ${least('responseTime')}, above the limit ${maxResponseTime}`);
  }
  if (reasons.length) return reasons.join('; ');
  const why = stoppedBy ? ` before the ${stoppedBy} stopped it` : '';
  const least2 = leastViolation < Infinity ? ` (least total violation ${leastViolation})` : '';
  return `nsga2 found no selection that satisfies the requires/excludes/inclusive rules within the price and response-time limits in ${evaluations} evaluations${why}${least2}; the exact algorithm can tell whether one exists`;
}
