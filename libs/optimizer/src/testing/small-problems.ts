// Tiny hand-built problems for the optimizer's specs (infeasible cases, repairs, limits), read
// through the model's own validating readers like any document a user writes.
import { ConfigurationProblem, PesProblem, formatIssue, readConfigurationProblem, readPesProblem } from '@pss/model';

export function configurationProblemOf(raw: unknown): ConfigurationProblem {
  const read = readConfigurationProblem(raw);
  if (!read.ok) throw new Error(`invalid problem: ${read.issues.map(formatIssue).join('; ')}`);
  return read.value;
}

export function pesProblemOf(raw: unknown): PesProblem {
  const read = readPesProblem(raw);
  if (!read.ok) throw new Error(`invalid problem: ${read.issues.map(formatIssue).join('; ')}`);
  return read.value;
}

// ---------------------------------------------------------------------------------------------
// ConfigurationProblems with one flow

/** What varies between the small models: the one flow of trigger ss.1, its activities and staff. */
export interface SmallModel {
  activities: Record<string, unknown>[];
  body: unknown;
  resources?: { id: string; kind: string; costRate: number }[];
  assignable?: { resource: string; activity: string; theta: number }[];
}

/** Parts p.1 and p.2, resource kind kr.tech, trigger ss.1 (window 0–100) with `model`'s flow. */
export function smallProblem(model: SmallModel, triggered: Record<string, unknown>[], busy: Record<string, unknown>[] = []): ConfigurationProblem {
  return configurationProblemOf({
    apiVersion: 'pss/v1',
    kind: 'ConfigurationProblem',
    model: {
      apiVersion: 'pss/v1',
      kind: 'PssModel',
      name: 'small',
      parts: [{ id: 'p.1' }, { id: 'p.2' }],
      partLinks: [{ from: 'p.1', to: 'p.2', types: ['spatial'] }],
      resourceKinds: [{ id: 'kr.tech', category: 'personnel' }],
      resources: model.resources ?? [],
      triggers: [{ id: 'ss.1', monitors: ['p.1'], window: { start: 0, deadline: 100 } }],
      activities: model.activities,
      assignable: model.assignable ?? [],
      flows: [{ trigger: 'ss.1', body: model.body }],
    },
    triggered,
    busy,
  });
}

/** sa.fix (2 h) demands one kr.tech; r.1 (rate 10, θ 0.9) and r.2 (rate 20, θ 0.8) can do it. */
export const FIX_WITH_TWO_TECHNICIANS: SmallModel = {
  activities: [{ id: 'sa.fix', time: 2, cost: 10, reliability: 0.9, objects: ['p.1'], demands: [{ kind: 'kr.tech', qty: 1 }] }],
  body: 'sa.fix',
  resources: [
    { id: 'r.1', kind: 'kr.tech', costRate: 10 },
    { id: 'r.2', kind: 'kr.tech', costRate: 20 },
  ],
  assignable: [
    { resource: 'r.1', activity: 'sa.fix', theta: 0.9 },
    { resource: 'r.2', activity: 'sa.fix', theta: 0.8 },
  ],
};

/** sa.fix (2 h) demands one kr.tech; only r.1 (rate 10, θ 0.9) can do it. */
export const FIX_WITH_ONE_TECHNICIAN: SmallModel = {
  activities: [{ id: 'sa.fix', time: 2, cost: 10, reliability: 0.9, objects: ['p.1'], demands: [{ kind: 'kr.tech', qty: 1 }] }],
  body: 'sa.fix',
  resources: [{ id: 'r.1', kind: 'kr.tech', costRate: 10 }],
  assignable: [{ resource: 'r.1', activity: 'sa.fix', theta: 0.9 }],
};

// ---------------------------------------------------------------------------------------------
// PesProblems with three modules

/**
 * A PesProblem document without rules or limits (add them by spreading): M1 (A1, A2) and M2 (B1)
 * mandatory, M3 (C1) optional. The cheapest mandatory modules cost 6, the fastest take 3 h.
 */
export const SMALL_PES_BASE = {
  apiVersion: 'pss/v1',
  kind: 'PesProblem',
  modules: [
    { id: 'M1', mandatory: true, instances: [{ id: 'A1', cost: 4, responseTime: 2, performance: 3 }, { id: 'A2', cost: 6, responseTime: 1, performance: 4 }] },
    { id: 'M2', mandatory: true, instances: [{ id: 'B1', cost: 2, responseTime: 3, performance: 1 }] },
    { id: 'M3', mandatory: false, instances: [{ id: 'C1', cost: 1, responseTime: 1, performance: 2 }] },
  ],
};

/** SMALL_PES_BASE with a second optional instance after C1: C2 (cost 3, 1 h, performance 3). */
export const SMALL_PES_BASE_WITH_C2 = {
  ...SMALL_PES_BASE,
  modules: SMALL_PES_BASE.modules.map((m) => (m.id === 'M3' ? { ...m, instances: [...m.instances, { id: 'C2', cost: 3, responseTime: 1, performance: 3 }] } : m)),
};
