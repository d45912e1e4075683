// Small builders for the persistence specs: a model, an asset, trigger events, and a batch carried to an
// approved run, told with the protocol examples' story (car-0017, ss.running, gw-depot-1).
import { Queryable } from '../database';
import { Repositories, repositories } from '../repositories';
import { NewTriggerEvent } from '../repositories/trigger-events';

export const T0 = 1772439300000;

export function newEvent(overrides: Partial<NewTriggerEvent> & { eventId: string }): NewTriggerEvent {
  return {
    tenant: 'acme',
    gateway: 'gw-depot-1',
    asset: 'car-0017',
    trigger: 'ss.running',
    firedAt: T0,
    windowStart: T0,
    deadline: T0 + 72 * 3600_000,
    values: { 'p.axle.vibration_rms': 7.42 },
    windowValues: null,
    source: 'edge',
    receivedAt: T0 + 1000,
    ...overrides,
  };
}

/** A model `car` version 1 and asset `car-0017` of tenant `tenant`. */
export async function seedModelAndAsset(db: Queryable, tenant = 'acme'): Promise<void> {
  const repos = repositories(db);
  await repos.models.addVersion({ tenant, id: 'car', name: 'Passenger car', kind: 'model', document: { kind: 'PssModel', name: 'car' }, createdAt: T0 });
  await repos.assets.upsert({ tenant, id: 'car-0017', modelId: 'car', modelVersion: 1, gateway: 'gw-depot-1', contractTriggers: null, createdAt: T0 });
}

export interface ApprovedRun {
  batchId: string;
  runId: string;
  eventIds: string[];
}

/**
 * Stores the events, batches them, claims the batch as `instance`, saves a solved run with a one-solution front
 * and approves it.
 */
export async function approvedRunFor(repos: Repositories, events: NewTriggerEvent[], instance = 'cloud-a', now = T0 + 60_000): Promise<ApprovedRun> {
  for (const e of events) await repos.events.insertIfNew(e);
  const tenant = events[0].tenant;
  const attached = await repos.batches.attachOpenEvents(tenant, now);
  const batch = await repos.batches.claim(instance, now, { collectMs: 0, leaseMs: 60_000 });
  if (batch === null || batch.id !== attached.batchId) throw new Error('fixture: the batch was not claimed');
  const saved = await repos.runs.save({
    tenant,
    batchId: batch.id,
    problem: { kind: 'ConfigurationProblem' },
    algorithm: 'exact',
    state: 'solved',
    front: { kind: 'ParetoFront', solutions: [{ objectives: { time: 2.5, cost: 300, reliability: 0.93 } }] },
    stats: { evaluations: 10 },
    chosenIndex: 0,
    policy: 'min-cost',
    explanation: { why: 'cheapest' },
    createdAt: now,
  });
  await repos.batches.finish(tenant, batch.id, instance, { state: 'solved' }, now);
  const approved = await repos.runs.approve(tenant, saved.run.id, { by: 'planner-1', at: now });
  if (!approved.ok) throw new Error(`fixture: approval failed (${approved.reason})`);
  return { batchId: batch.id, runId: saved.run.id, eventIds: attached.attached };
}
