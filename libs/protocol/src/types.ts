// The messages edge gateways, the cloud and technicians exchange. Every payload names its own schema and major
// version (`schema: 'pss.<name>/v<major>'`); see docs/protocol.md for the rules of compatibility.
//
// Times are epoch milliseconds (UTC by definition): integers, exact through JSON, cheap to compare, and with no
// time zone or fractional-digit variants to normalize. Convert at the edges of the system (`new Date(ms)`).
//
// No schema has a top-level `pattern` or `data` key: @nestjs/microservices would take such a payload for its own
// `{pattern, data}` envelope (see RESERVED_TOP_LEVEL_KEYS).

/** Milliseconds since 1970-01-01T00:00:00Z, an integer >= 0. */
export type EpochMs = number;

export const SCHEMAS = {
  triggerEvent: 'pss.trigger-event/v1',
  eventAck: 'pss.event-ack/v1',
  telemetryBatch: 'pss.telemetry-batch/v1',
  gatewayStatus: 'pss.gateway-status/v1',
  closeCommand: 'pss.close-command/v1',
  closeAck: 'pss.close-ack/v1',
  workOrder: 'pss.work-order/v1',
  progressReport: 'pss.progress-report/v1',
} as const;

export type SchemaId = (typeof SCHEMAS)[keyof typeof SCHEMAS];

/** Keys no payload may carry at its top level: @nestjs/microservices reads them as its own envelope. */
export const RESERVED_TOP_LEVEL_KEYS = ['pattern', 'data'] as const;

/** A service trigger fired at the edge (MODEL.md section 6): one rising edge of one trigger on one asset. */
export interface TriggerEvent {
  schema: typeof SCHEMAS.triggerEvent;
  /** Unique per firing; de-duplication key everywhere (see `eventIdFor`). */
  id: string;
  tenant: string;
  gateway: string;
  asset: string;
  /** The model's trigger id (`ss.running`). */
  trigger: string;
  /** When the condition became true. */
  time: EpochMs;
  /** Absolute service window: `time` plus the trigger's `window` from the model, in epoch ms. */
  window: { start: EpochMs; deadline: EpochMs };
  /** The status values that made the condition true, by status reference `<part>.<status>` (`p.axle.vibration_rms`). */
  values: Record<string, number>;
  /**
   * Values of the condition's window functions at the firing, keyed by the call as written in the condition
   * (`avg(p.axle.vibration_rms, '10m')`); `for(...)` reports 1 (held) or 0.
   */
  windowValues?: Record<string, number>;
}

export interface TelemetrySample {
  asset: string;
  /** The model's part id (`p.axle`). */
  part: string;
  /** The part's status key (`vibration_rms`). */
  status: string;
  time: EpochMs;
  value: number;
}

export const DOWNSAMPLING_METHODS = ['avg', 'min', 'max', 'last'] as const;
export type DownsamplingMethod = (typeof DOWNSAMPLING_METHODS)[number];

/** Present when the gateway aggregated raw readings before sending: each sample stands for one interval. */
export interface Downsampling {
  method: DownsamplingMethod;
  /** Length of the aggregation interval; a sample's `time` is the start of its interval. */
  intervalMs: number;
  /** Raw readings that went into this batch's samples, when the gateway counts them. */
  sourceSamples?: number;
}

export interface TelemetryBatch {
  schema: typeof SCHEMAS.telemetryBatch;
  tenant: string;
  gateway: string;
  /** Per-gateway sequence number, +1 per batch, persisted with the spool: gaps show loss, repeats show duplicates. */
  seq: number;
  samples: TelemetrySample[];
  downsampling?: Downsampling;
}

export const GATEWAY_STATES = ['online', 'offline'] as const;
export type GatewayState = (typeof GATEWAY_STATES)[number];
export const OFFLINE_REASONS = ['shutdown', 'connection-lost'] as const;
export type OfflineReason = (typeof OFFLINE_REASONS)[number];

/** Birth (online, published after connecting) and death (offline: the last will, or published on shutdown). */
export interface GatewayStatus {
  schema: typeof SCHEMAS.gatewayStatus;
  tenant: string;
  gateway: string;
  state: GatewayState;
  /** One id per MQTT connection; a death applies only to the birth with the same session. */
  session: string;
  /** Gateway software version. */
  version: string;
  /** When the gateway process started. */
  startedAt: EpochMs;
  /** When this status was composed (for a last will: when it was registered at connect time). */
  time: EpochMs;
  /** Messages waiting in the store-and-forward spool. Required online; a last will cannot know it. */
  spoolDepth?: number;
  /** Offline only: `shutdown` when the gateway said goodbye, `connection-lost` in its last will. */
  reason?: OfflineReason;
}

/** Cloud → edge: the service started by `event` is closed; the gateway may unlatch the trigger. */
export interface CloseCommand {
  schema: typeof SCHEMAS.closeCommand;
  tenant: string;
  gateway: string;
  /** The trigger event whose service was closed. */
  event: string;
  asset: string;
  trigger: string;
  /** When the service was closed. */
  time: EpochMs;
}

/** Cloud → edge: these trigger events are stored durably; the gateway may drop them from its spool. */
export interface EventAck {
  schema: typeof SCHEMAS.eventAck;
  tenant: string;
  gateway: string;
  ids: string[];
  time: EpochMs;
}

/** Edge → cloud: these close commands (by event id) were applied; the cloud stops re-sending them. */
export interface CloseAck {
  schema: typeof SCHEMAS.closeAck;
  tenant: string;
  gateway: string;
  ids: string[];
  time: EpochMs;
}

export const WORK_ORDER_STATES = ['assigned', 'accepted', 'in_progress', 'done', 'failed', 'cancelled'] as const;
export type WorkOrderState = (typeof WORK_ORDER_STATES)[number];

/** Cloud → resource: one occurrence of a service activity, dispatched or updated. */
export interface WorkOrderMessage {
  schema: typeof SCHEMAS.workOrder;
  tenant: string;
  id: string;
  /** Optimistic concurrency: 1 at dispatch, +1 on every change. Apply an update only if newer than what you hold. */
  version: number;
  state: WorkOrderState;
  asset: string;
  trigger: string;
  /** The trigger event that started the service, when there is one. */
  event?: string;
  activity: string;
  /** Planned execution, [start, end) in epoch ms. */
  interval: { start: EpochMs; end: EpochMs };
  /** Every resource on the order; each receives a copy on its own topic. */
  resources: string[];
  note?: string;
}

export const PROGRESS_FROM_STATES = ['assigned', 'accepted', 'in_progress'] as const;
export type ProgressFromState = (typeof PROGRESS_FROM_STATES)[number];
export const PROGRESS_STATES = ['accepted', 'in_progress', 'done', 'failed'] as const;
export type ProgressState = (typeof PROGRESS_STATES)[number];

/** Resource → cloud: a state transition of a work order, made against a known version. */
export interface ProgressReport {
  schema: typeof SCHEMAS.progressReport;
  tenant: string;
  workOrder: string;
  resource: string;
  /** The work order version the report was made against (the cloud rejects stale reports). */
  version: number;
  from: ProgressFromState;
  to: ProgressState;
  time: EpochMs;
  note?: string;
}

export type Message = TriggerEvent | EventAck | TelemetryBatch | GatewayStatus | CloseCommand | CloseAck | WorkOrderMessage | ProgressReport;

/** The message type of a schema id. */
export type MessageOf<S extends SchemaId> = Extract<Message, { schema: S }>;
