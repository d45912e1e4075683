// Product-extension service configuration (MODEL.md section 3, seed 003): constraints and objectives.
import { PesInstance, PesObjectives, PesProblem } from './types';

export interface PesViolation {
  rule: 'module' | 'excludes' | 'requires' | 'inclusive' | 'price' | 'responseTime' | 'unknown';
  message: string;
}

export interface PesEvaluation {
  feasible: boolean;
  violations: PesViolation[];
  objectives: PesObjectives;
}

/** Float sums of prices and hours are compared with this slack. */
export const PES_EPSILON = 1e-9;

export function pesObjectives(instances: readonly PesInstance[]): PesObjectives {
  let performance = 0;
  let cost = 0;
  let responseTime = 0;
  for (const i of instances) {
    performance += i.performance;
    cost += i.cost;
    responseTime += i.responseTime;
  }
  return { performance, cost, responseTime };
}

export function evaluatePes(problem: PesProblem, instanceIds: readonly string[]): PesEvaluation {
  const violations: PesViolation[] = [];
  const byId = new Map<string, { instance: PesInstance; module: string }>();
  for (const m of problem.modules) for (const i of m.instances) byId.set(i.id, { instance: i, module: m.id });
  const chosen = new Set<string>();
  for (const id of instanceIds) {
    if (!byId.has(id)) violations.push({ rule: 'unknown', message: `unknown instance "${id}"` });
    else if (chosen.has(id)) violations.push({ rule: 'module', message: `instance ${id} is listed twice` });
    else chosen.add(id);
  }
  for (const m of problem.modules) {
    const picked = m.instances.filter((i) => chosen.has(i.id));
    if (m.mandatory && picked.length !== 1) violations.push({ rule: 'module', message: `mandatory module ${m.id} needs exactly one instance, got ${picked.length}` });
    if (!m.mandatory && picked.length > 1) violations.push({ rule: 'module', message: `optional module ${m.id} takes at most one instance, got ${picked.length}` });
  }
  for (const rule of problem.rules) {
    const a = chosen.has(rule.a);
    const b = chosen.has(rule.b);
    if (rule.type === 'excludes' && a && b) violations.push({ rule: 'excludes', message: `${rule.a} excludes ${rule.b}` });
    if (rule.type === 'requires' && a && !b) violations.push({ rule: 'requires', message: `${rule.a} requires ${rule.b}` });
    if (rule.type === 'inclusive' && a !== b) violations.push({ rule: 'inclusive', message: `${rule.a} and ${rule.b} go together` });
  }
  const objectives = pesObjectives([...chosen].map((id) => byId.get(id)!.instance));
  const { profitMargin, maxPrice, maxResponseTime } = problem.limits;
  const price = objectives.cost * (1 + profitMargin);
  if (maxPrice !== undefined && price > maxPrice + PES_EPSILON) violations.push({ rule: 'price', message: `price ${price} (cost ${objectives.cost} × ${1 + profitMargin}) exceeds ${maxPrice}` });
  if (maxResponseTime !== undefined && objectives.responseTime > maxResponseTime + PES_EPSILON) {
    violations.push({ rule: 'responseTime', message: `response time ${objectives.responseTime} exceeds ${maxResponseTime}` });
  }
  return { feasible: violations.length === 0, violations, objectives };
}
