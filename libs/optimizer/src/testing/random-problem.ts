// Seeded generators of small random ConfigurationProblems and PesProblems, for tests and benchmarks.
// Pure: the same options (seed included) always give the same document. Documents are built as
// plain JSON and read back through the model's own validating readers, so every generated problem is
// one a user could have written in a file.
import { ConfigurationProblem, FlowBody, PesProblem, PesRuleType, ReliabilityObjective, formatIssue, readConfigurationProblem, readPesProblem } from '@pss/model';

// ---------------------------------------------------------------------------------------------
// The PRNG

/** mulberry32: a tiny 32-bit seeded generator, uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Random {
  private readonly next: () => number;

  constructor(seed: number) {
    // Spread nearby seeds apart before they reach mulberry32.
    this.next = mulberry32(Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b));
  }

  float(): number {
    return this.next();
  }

  /** An integer in [lo, hi], both included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)];
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** `k` distinct items, in their original order. */
  sample<T>(items: readonly T[], k: number): T[] {
    const chosen = new Set(this.shuffle(items.map((_, i) => i)).slice(0, k));
    return items.filter((_, i) => chosen.has(i));
  }
}

/** A count given as a number or as an inclusive range [min, max]. */
export type Count = number | readonly [number, number];

function draw(rng: Random, count: Count): number {
  return typeof count === 'number' ? count : rng.int(count[0], count[1]);
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

// ---------------------------------------------------------------------------------------------
// ConfigurationProblem

export type BlockKind = 'seq' | 'and' | 'xor';

export interface RandomConfigurationOptions {
  seed: number;
  /** Assets in the fleet; each triggers `flowsPerAsset` of the model's flows. Default 1. */
  assets?: number;
  /** Flow definitions (triggers) in the model. Default 1. */
  triggers?: number;
  /** Flows triggered per asset (distinct triggers, at most `triggers`). Default: all of them. */
  flowsPerAsset?: number;
  /** Non-virtual activities per flow definition. Default [2, 4]. */
  activitiesPerFlow?: Count;
  /** Nesting depth of blocks: 0 is one flat block, 1 blocks inside a block, … Default 2. */
  depth?: number;
  /** Block kinds to draw from. Default all three. */
  blockKinds?: readonly BlockKind[];
  /** Chance that a selective block gets an extra virtual (skip) branch, or a serial one a virtual step. Default 0.2. */
  virtualProbability?: number;
  /** Chance that a non-virtual activity takes no time. Default 0.05. */
  zeroTimeProbability?: number;
  resourceKinds?: number;
  resourcesPerKind?: number;
  /** Chance that an activity has demands (otherwise its reliability is r_a). Default 0.8. */
  demandProbability?: number;
  /** Distinct kinds one activity demands, at most. Default 1. */
  maxKindsPerActivity?: number;
  /** Largest qty of one demand (capped by resourcesPerKind). Default 1. */
  maxQty?: number;
  /** Chance that a qty ≥ 2 demand is written as several demands of the same kind. Default 0.3. */
  splitDemandProbability?: number;
  /** Chance of an assignable edge from each resource of a demanded kind (at least qty are kept). Default 0.8. */
  assignProbability?: number;
  /** Busy intervals of random resources. Default 0. */
  busyIntervals?: number;
  /**
   * Deadlines: 0 lets every alternative fit, 1 only the shortest ones, in between a share of the
   * spread between the shortest and the longest; above 1 the deadline falls below the shortest
   * alternative (2: at the start). Default 0.
   */
  deadlineTightness?: number;
  /** Flow starts are drawn on a half-unit grid in [0, startSpread]. Default 0. */
  startSpread?: number;
  reliabilityObjective?: ReliabilityObjective;
  /** Parts of the product layer. Default 4. */
  parts?: number;
  /** Chance of a link between each ordered pair of parts. Default 0.35. */
  linkProbability?: number;
}

const TIMES = [0.5, 1, 1.5, 2, 2.5, 3];
const THETAS = [0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 1];
const RELIABILITIES = [0.8, 0.85, 0.9, 0.95, 0.99];
const INTERACTIONS = ['spatial', 'energy', 'information', 'material'];

function bodyJson(body: FlowBody): Json {
  if (typeof body === 'string') return body;
  if ('seq' in body) return { seq: body.seq.map(bodyJson) };
  if ('and' in body) return { and: body.and.map(bodyJson) };
  return { xor: body.xor.map(bodyJson) };
}

/** Shortest and longest end of a body started at 0 (exact: the children of a block are independent). */
export function bodyDurationRange(body: FlowBody, timeOf: (activity: string) => number): { min: number; max: number } {
  if (typeof body === 'string') return { min: timeOf(body), max: timeOf(body) };
  const kind: BlockKind = 'seq' in body ? 'seq' : 'and' in body ? 'and' : 'xor';
  const children = ('seq' in body ? body.seq : 'and' in body ? body.and : body.xor).map((c) => bodyDurationRange(c, timeOf));
  if (kind === 'seq') return { min: children.reduce((s, c) => s + c.min, 0), max: children.reduce((s, c) => s + c.max, 0) };
  if (kind === 'and') return { min: Math.max(...children.map((c) => c.min)), max: Math.max(...children.map((c) => c.max)) };
  return { min: Math.min(...children.map((c) => c.min)), max: Math.max(...children.map((c) => c.max)) };
}

/** A random ConfigurationProblem document (model inline), as plain JSON. */
export function randomConfigurationDocument(options: RandomConfigurationOptions): Record<string, Json> {
  const rng = new Random(options.seed);
  const o = {
    assets: options.assets ?? 1,
    triggers: options.triggers ?? 1,
    activitiesPerFlow: options.activitiesPerFlow ?? ([2, 4] as const),
    depth: options.depth ?? 2,
    blockKinds: options.blockKinds ?? (['seq', 'and', 'xor'] as const),
    virtualProbability: options.virtualProbability ?? 0.2,
    zeroTimeProbability: options.zeroTimeProbability ?? 0.05,
    resourceKinds: options.resourceKinds ?? 1,
    resourcesPerKind: options.resourcesPerKind ?? 2,
    demandProbability: options.demandProbability ?? 0.8,
    maxKindsPerActivity: options.maxKindsPerActivity ?? 1,
    maxQty: options.maxQty ?? 1,
    splitDemandProbability: options.splitDemandProbability ?? 0.3,
    assignProbability: options.assignProbability ?? 0.8,
    busyIntervals: options.busyIntervals ?? 0,
    deadlineTightness: options.deadlineTightness ?? 0,
    startSpread: options.startSpread ?? 0,
    reliabilityObjective: options.reliabilityObjective ?? 'importance-weighted',
    parts: options.parts ?? 4,
    linkProbability: options.linkProbability ?? 0.35,
  };
  const flowsPerAsset = Math.min(options.flowsPerAsset ?? o.triggers, o.triggers);

  const parts = Array.from({ length: o.parts }, (_, i) => `p.${i + 1}`);
  const partLinks: Json[] = [];
  for (const from of parts) {
    for (const to of parts) {
      if (from === to || !rng.chance(o.linkProbability)) continue;
      partLinks.push({ from, to, types: rng.sample(INTERACTIONS, rng.int(1, 3)) });
    }
  }

  const kinds = Array.from({ length: o.resourceKinds }, (_, k) => `kr.${k + 1}`);
  const resourcesOfKind = new Map(kinds.map((kind, k) => [kind, Array.from({ length: o.resourcesPerKind }, (_, j) => `r.${k + 1}.${j + 1}`)]));
  const resources: Json[] = kinds.flatMap((kind) => resourcesOfKind.get(kind)!.map((id) => ({ id, kind, costRate: 10 * rng.int(1, 6) })));

  const activities: Json[] = [];
  const assignable: Json[] = [];
  const timeOf = new Map<string, number>();
  const flows: Json[] = [];
  const bodies: FlowBody[] = [];
  for (let t = 1; t <= o.triggers; t++) {
    const ids = Array.from({ length: Math.max(1, draw(rng, o.activitiesPerFlow)) }, (_, k) => `sa.${t}.${k + 1}`);
    for (const id of ids) {
      const time = rng.chance(o.zeroTimeProbability) ? 0 : rng.pick(TIMES);
      timeOf.set(id, time);
      const demands: Json[] = [];
      if (kinds.length && rng.chance(o.demandProbability)) {
        for (const kind of rng.sample(kinds, rng.int(1, Math.min(o.maxKindsPerActivity, kinds.length)))) {
          const pool = resourcesOfKind.get(kind)!;
          const qty = rng.int(1, Math.max(1, Math.min(o.maxQty, pool.length)));
          if (qty >= 2 && rng.chance(o.splitDemandProbability)) {
            demands.push({ kind, qty: 1 }, { kind, qty: qty - 1 });
          } else {
            demands.push({ kind, qty });
          }
          const edges = pool.filter(() => rng.chance(o.assignProbability));
          for (const r of pool) if (edges.length < qty && !edges.includes(r)) edges.push(r);
          for (const r of edges) assignable.push({ resource: r, activity: id, theta: rng.pick(THETAS) });
        }
      }
      const objects = rng.chance(0.8) ? rng.sample(parts, rng.int(1, Math.min(2, parts.length))) : [];
      activities.push({ id, time, cost: 10 * rng.int(0, 5), reliability: rng.pick(RELIABILITIES), objects, demands });
    }
    let virtuals = 0;
    const newVirtual = (): string => {
      const id = `sa.${t}.v${++virtuals}`;
      activities.push({ id, virtual: true });
      timeOf.set(id, 0);
      return id;
    };
    const build = (group: string[], depth: number): FlowBody => {
      if (group.length === 1) return group[0];
      let children: FlowBody[];
      if (depth <= 0) {
        children = [...group];
      } else {
        const parts = rng.int(2, Math.min(3, group.length));
        const cuts = rng.sample(Array.from({ length: group.length - 1 }, (_, i) => i + 1), parts - 1);
        const bounds = [0, ...cuts, group.length];
        children = bounds.slice(1).map((end, i) => build(group.slice(bounds[i], end), depth - 1));
      }
      const kind = rng.pick(o.blockKinds);
      if (kind === 'xor' && rng.chance(o.virtualProbability)) children.push(newVirtual());
      if (kind === 'seq' && rng.chance(o.virtualProbability / 2)) children.splice(rng.int(0, children.length), 0, newVirtual());
      return kind === 'seq' ? { seq: children } : kind === 'and' ? { and: children } : { xor: children };
    };
    const body = build(rng.shuffle(ids), o.depth);
    bodies.push(body);
    flows.push({ trigger: `ss.${t}`, body: bodyJson(body) });
  }

  const triggers: Json[] = Array.from({ length: o.triggers }, (_, t) => ({ id: `ss.${t + 1}`, monitors: [parts[t % parts.length]], window: { start: 0, deadline: 1000 } }));
  const triggered: Json[] = [];
  let horizon = 0;
  for (let a = 1; a <= o.assets; a++) {
    const chosen = rng.sample(Array.from({ length: o.triggers }, (_, t) => t), flowsPerAsset);
    for (const t of chosen) {
      const start = rng.int(0, 2 * o.startSpread) / 2;
      const range = bodyDurationRange(bodies[t], (id) => timeOf.get(id)!);
      const tight = o.deadlineTightness;
      const length = tight <= 1 ? range.max - tight * (range.max - range.min) : Math.max(0, range.min * (2 - tight));
      horizon = Math.max(horizon, start + range.max);
      triggered.push({ asset: `asset-${a}`, trigger: `ss.${t + 1}`, start, deadline: start + length });
    }
  }
  const allResources = [...resourcesOfKind.values()].flat();
  const busy: Json[] = [];
  for (let i = 0; i < o.busyIntervals && allResources.length; i++) {
    const from = rng.int(0, Math.max(0, Math.ceil(2 * horizon))) / 2;
    busy.push({ resource: rng.pick(allResources), from, to: from + rng.pick([0, 0.5, 1, 1.5, 2, 3]) });
  }

  return {
    apiVersion: 'pss/v1',
    kind: 'ConfigurationProblem',
    name: `random-${options.seed}`,
    model: {
      apiVersion: 'pss/v1',
      kind: 'PssModel',
      name: `random-model-${options.seed}`,
      parts: parts.map((id) => ({ id, statuses: [] })),
      partLinks,
      resourceKinds: kinds.map((id, k) => ({ id, category: k % 2 === 0 ? 'personnel' : 'equipment' })),
      resources,
      triggers,
      activities,
      assignable,
      flows,
    },
    triggered,
    busy,
    reliabilityObjective: o.reliabilityObjective,
  };
}

/** A random ConfigurationProblem, validated by the model's reader (throws if the generator erred). */
export function randomConfigurationProblem(options: RandomConfigurationOptions): ConfigurationProblem {
  const read = readConfigurationProblem(randomConfigurationDocument(options));
  if (!read.ok) throw new Error(`random problem ${options.seed} is invalid: ${read.issues.map(formatIssue).join('; ')}`);
  return read.value;
}

// ---------------------------------------------------------------------------------------------
// PesProblem

export interface RandomPesOptions {
  seed: number;
  /** Modules. Default [3, 5]. */
  modules?: Count;
  /** Instances per module. Default [1, 3]. */
  instancesPerModule?: Count;
  /** Chance that a module is optional. Default 0.3. */
  optionalProbability?: number;
  /** Rules. Default [0, 3]. */
  rules?: Count;
  ruleTypes?: readonly PesRuleType[];
  /** Chance that a rule links two instances of the same module. Default 0.1. */
  sameModuleRuleProbability?: number;
  /** Default 0.25. */
  profitMargin?: number;
  /**
   * Price limit as a share of the cost range: the limit lets through costs up to
   * least + (1 − priceTightness)·(greatest − least), on the 0.25 grid of the costs (so configurations
   * sit exactly on the limit). Undefined: no price limit.
   */
  priceTightness?: number;
  /** Response-time limit, as priceTightness on the 0.5 grid of the times. Undefined: no limit. */
  responseTimeTightness?: number;
  /**
   * Grid of the performances, in [0, 5]. The default 0.25 keeps every sum exact in binary floating
   * point; a decimal step such as 0.1 makes sums reached in different orders differ in the last bits.
   */
  performanceStep?: number;
}

/** A random PesProblem document, as plain JSON. Costs on a 0.25 grid, times on 0.5, performance on `performanceStep`. */
export function randomPesDocument(options: RandomPesOptions): Record<string, Json> {
  const rng = new Random(options.seed);
  const moduleCount = Math.max(1, draw(rng, options.modules ?? [3, 5]));
  const optionalProbability = options.optionalProbability ?? 0.3;
  const step = options.performanceStep ?? 0.25;
  const modules = Array.from({ length: moduleCount }, (_, m) => ({
    id: `M${m + 1}`,
    mandatory: !rng.chance(optionalProbability),
    instances: Array.from({ length: Math.max(1, draw(rng, options.instancesPerModule ?? [1, 3])) }, (_, k) => ({
      id: `M${m + 1}.${k + 1}`,
      cost: rng.int(1, 12) / 4,
      responseTime: rng.int(0, 12) / 2,
      performance: Math.round(rng.int(0, Math.floor(5 / step)) * step * 1e9) / 1e9,
    })),
  }));
  const ruleTypes = options.ruleTypes ?? (['excludes', 'requires', 'inclusive'] as const);
  const rules: Json[] = [];
  const ruleCount = draw(rng, options.rules ?? [0, 3]);
  const allInstances = modules.flatMap((m) => m.instances.map((i) => i.id));
  for (let k = 0; k < ruleCount && allInstances.length >= 2; k++) {
    const a = rng.pick(modules);
    const sameModule = a.instances.length >= 2 && rng.chance(options.sameModuleRuleProbability ?? 0.1);
    const others = modules.filter((m) => m !== a);
    if (!sameModule && others.length === 0) continue;
    const [ia, ib] = sameModule ? rng.sample(a.instances, 2) : [rng.pick(a.instances), rng.pick(rng.pick(others).instances)];
    rules.push({ type: rng.pick(ruleTypes), a: ia.id, b: ib.id });
  }
  const profitMargin = options.profitMargin ?? 0.25;
  const limits: Record<string, Json> = { profitMargin };
  const limitOf = (key: 'cost' | 'responseTime', tightness: number, grid: number): number => {
    const least = modules.reduce((s, m) => s + (m.mandatory ? Math.min(...m.instances.map((i) => i[key])) : 0), 0);
    const most = modules.reduce((s, m) => s + Math.max(...m.instances.map((i) => i[key])), 0);
    return Math.round((least + (1 - tightness) * (most - least)) * grid) / grid;
  };
  if (options.priceTightness !== undefined) limits.maxPrice = limitOf('cost', options.priceTightness, 4) * (1 + profitMargin);
  if (options.responseTimeTightness !== undefined) limits.maxResponseTime = limitOf('responseTime', options.responseTimeTightness, 2);
  return {
    apiVersion: 'pss/v1',
    kind: 'PesProblem',
    name: `random-pes-${options.seed}`,
    modules,
    rules,
    limits,
  };
}

export function randomPesProblem(options: RandomPesOptions): PesProblem {
  const read = readPesProblem(randomPesDocument(options));
  if (!read.ok) throw new Error(`random PES problem ${options.seed} is invalid: ${read.issues.map(formatIssue).join('; ')}`);
  return read.value;
}
