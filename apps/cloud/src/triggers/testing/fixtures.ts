// The pipeline specs' data: the elevator-fleet example model (examples/elevator-fleet.model.yaml), stored the way
// the models module stores a model (the parsed document), and assets of it behind one gateway.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PssModel, parseText, readPssModel } from '@pss/model';
import { SCHEMAS, TriggerEvent, eventIdFor } from '@pss/protocol';
import { Queryable, repositories } from '../../persistence';

export const EXAMPLES_DIR = join(__dirname, '..', '..', '..', '..', '..', 'examples');
export const MODEL_ID = 'elevator-fleet';
export const HOUR = 3_600_000;

export function elevatorDocument(): Record<string, unknown> {
  const parsed = parseText(readFileSync(join(EXAMPLES_DIR, 'elevator-fleet.model.yaml'), 'utf8'), 'yaml');
  if (!parsed.ok) throw new Error('examples/elevator-fleet.model.yaml does not parse');
  return parsed.value as Record<string, unknown>;
}

export function elevatorModel(): PssModel {
  const read = readPssModel(elevatorDocument());
  if (!read.ok) throw new Error('examples/elevator-fleet.model.yaml is not a valid model');
  return read.value;
}

export const assetId = (n: number): string => `elevator-${String(n).padStart(2, '0')}`;

/** The model (version 1) and assets elevator-01..count behind `gateway`. */
export async function seedElevatorFleet(db: Queryable, options: { tenant: string; gateway: string; count: number; now?: number }): Promise<void> {
  const repos = repositories(db);
  const now = options.now ?? Date.now();
  const stored = await repos.models.addVersion({ tenant: options.tenant, id: MODEL_ID, name: 'elevator-fleet', kind: 'model', document: elevatorDocument(), createdAt: now });
  for (let n = 1; n <= options.count; n++) {
    await repos.assets.upsert({ tenant: options.tenant, id: assetId(n), modelId: MODEL_ID, modelVersion: stored.version, gateway: options.gateway, contractTriggers: null, createdAt: now });
  }
}

/** A trigger event as a gateway sends it: fired at `time`, with the model's window for the trigger. */
export function triggerEvent(options: { tenant: string; gateway: string; asset: string; trigger: string; time: number; windowHours?: number }): TriggerEvent {
  const window = options.windowHours ?? (elevatorModel().triggers.find((t) => t.id === options.trigger)?.window.deadline ?? 12);
  return {
    schema: SCHEMAS.triggerEvent,
    id: eventIdFor({ gateway: options.gateway, asset: options.asset, trigger: options.trigger, time: options.time }),
    tenant: options.tenant,
    gateway: options.gateway,
    asset: options.asset,
    trigger: options.trigger,
    time: options.time,
    window: { start: options.time, deadline: options.time + Math.round(window * HOUR) },
    values: { 'p.doors.door_obstruction': 2 },
  };
}
