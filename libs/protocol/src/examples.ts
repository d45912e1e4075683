// One valid example of every message, the same story throughout: on 2026-03-02 at 08:15 UTC, car-0017's axle
// vibrates too much; gateway gw-depot-1 fires ss.running; the cloud dispatches sa.axle to pr.li and pr.wang.
// docs/protocol.md shows these (a test keeps the two in step); tests start from them.
import {
  CloseAck,
  CloseCommand,
  EventAck,
  GatewayStatus,
  Message,
  ProgressReport,
  SCHEMAS,
  SchemaId,
  TelemetryBatch,
  TriggerEvent,
  WorkOrderMessage,
} from './types';

const triggerEvent: TriggerEvent = {
  schema: SCHEMAS.triggerEvent,
  id: 'gw-depot-1:car-0017:ss.running:1772439300000',
  tenant: 'acme',
  gateway: 'gw-depot-1',
  asset: 'car-0017',
  trigger: 'ss.running',
  time: 1772439300000,
  window: { start: 1772439300000, deadline: 1772698500000 },
  values: { 'p.axle.vibration_rms': 7.42, 'p.frame.crack_len': 0.6 },
  windowValues: { "avg(p.axle.vibration_rms, '10m')": 7.18 },
};

const eventAck: EventAck = {
  schema: SCHEMAS.eventAck,
  tenant: 'acme',
  gateway: 'gw-depot-1',
  ids: ['gw-depot-1:car-0017:ss.running:1772439300000'],
  time: 1772439302000,
};

const telemetryBatch: TelemetryBatch = {
  schema: SCHEMAS.telemetryBatch,
  tenant: 'acme',
  gateway: 'gw-depot-1',
  seq: 4711,
  samples: [
    { asset: 'car-0017', part: 'p.axle', status: 'vibration_rms', time: 1772439290000, value: 7.05 },
    { asset: 'car-0017', part: 'p.axle', status: 'vibration_rms', time: 1772439300000, value: 7.42 },
    { asset: 'car-0017', part: 'p.frame', status: 'crack_len', time: 1772439300000, value: 0.6 },
  ],
  downsampling: { method: 'avg', intervalMs: 10000, sourceSamples: 300 },
};

const gatewayStatus: GatewayStatus = {
  schema: SCHEMAS.gatewayStatus,
  tenant: 'acme',
  gateway: 'gw-depot-1',
  state: 'online',
  session: 'gw-depot-1.1772438400000',
  version: '0.4.0',
  startedAt: 1772431200000,
  time: 1772438400000,
  spoolDepth: 0,
};

/** The death certificate registered as last will with the birth above. */
export const EXAMPLE_LAST_WILL: GatewayStatus = {
  schema: SCHEMAS.gatewayStatus,
  tenant: 'acme',
  gateway: 'gw-depot-1',
  state: 'offline',
  session: 'gw-depot-1.1772438400000',
  version: '0.4.0',
  startedAt: 1772431200000,
  time: 1772438400000,
  reason: 'connection-lost',
};

const closeCommand: CloseCommand = {
  schema: SCHEMAS.closeCommand,
  tenant: 'acme',
  gateway: 'gw-depot-1',
  event: 'gw-depot-1:car-0017:ss.running:1772439300000',
  asset: 'car-0017',
  trigger: 'ss.running',
  time: 1772451660000,
};

const closeAck: CloseAck = {
  schema: SCHEMAS.closeAck,
  tenant: 'acme',
  gateway: 'gw-depot-1',
  ids: ['gw-depot-1:car-0017:ss.running:1772439300000'],
  time: 1772451660000,
};

const workOrder: WorkOrderMessage = {
  schema: SCHEMAS.workOrder,
  tenant: 'acme',
  id: 'wo-2026-000123',
  version: 1,
  state: 'assigned',
  asset: 'car-0017',
  trigger: 'ss.running',
  event: 'gw-depot-1:car-0017:ss.running:1772439300000',
  activity: 'sa.axle',
  interval: { start: 1772442000000, end: 1772451000000 },
  resources: ['pr.li', 'pr.wang'],
  note: 'Axle maintenance, bay 3',
};

const progressReport: ProgressReport = {
  schema: SCHEMAS.progressReport,
  tenant: 'acme',
  workOrder: 'wo-2026-000123',
  resource: 'pr.li',
  version: 1,
  from: 'assigned',
  to: 'accepted',
  time: 1772439600000,
  note: 'On my way',
};

export const EXAMPLES: { readonly [S in SchemaId]: Extract<Message, { schema: S }> } = {
  [SCHEMAS.triggerEvent]: triggerEvent,
  [SCHEMAS.eventAck]: eventAck,
  [SCHEMAS.telemetryBatch]: telemetryBatch,
  [SCHEMAS.gatewayStatus]: gatewayStatus,
  [SCHEMAS.closeCommand]: closeCommand,
  [SCHEMAS.closeAck]: closeAck,
  [SCHEMAS.workOrder]: workOrder,
  [SCHEMAS.progressReport]: progressReport,
};
