// Small models for the trigger library's tests and benchmark: only what the engine reads (parts
// with statuses, triggers, the time unit) is filled; the rest of a PssModel is left empty.
import { PssModel, StatusDef, Trigger } from '@pss/model';

export interface TestTrigger {
  id: string;
  condition?: string;
  /** Default: every part of the model. */
  monitors?: string[];
  clear?: number;
  window?: { start: number; deadline: number };
}

/**
 * `parts` maps a part id to its statuses: a key, or a full StatusDef (for min/max).
 * Example: testModel({ 'p.a': ['x', { key: 'y', min: 0, max: 10 }] }, [{ id: 't', condition: 'p.a.x > 1' }]).
 */
export function testModel(parts: Record<string, (string | StatusDef)[]>, triggers: TestTrigger[], timeUnit = 'h'): PssModel {
  const partIds = Object.keys(parts);
  return {
    apiVersion: 'pss/v1',
    kind: 'PssModel',
    name: 'test',
    timeUnit,
    interactionWeights: { spatial: 0.25, energy: 0.25, information: 0.25, material: 0.25 },
    partRank: { alpha: 1, tolerance: 1e-12, maxIterations: 10000 },
    parts: partIds.map((id) => ({ id, statuses: parts[id].map((s) => (typeof s === 'string' ? { key: s } : s)) })),
    partLinks: [],
    resourceKinds: [],
    resources: [],
    triggers: triggers.map(
      (t): Trigger => ({
        id: t.id,
        monitors: t.monitors ?? partIds,
        ...(t.condition !== undefined ? { condition: t.condition } : {}),
        window: t.window ?? { start: 0, deadline: 24 },
        clear: t.clear ?? 0,
      }),
    ),
    activities: [],
    assignable: [],
    flows: [],
  };
}
