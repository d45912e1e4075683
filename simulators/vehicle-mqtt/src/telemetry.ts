// Plain JSON telemetry: one batched message per vehicle and sample (pure).
//
//   {prefix}/{vehicle}/telemetry   QoS 0, not retained   TelemetryMessage
//   {prefix}/{vehicle}/status      QoS 1, retained       StatusMessage (online on connect; offline as last will
//                                                        and on a clean stop)
import { StatusChannel, VehicleFrame } from './fleet';

export const DEFAULT_TOPIC_PREFIX = 'vehicles';

export interface TelemetryMessage {
  vehicle: string;
  /** Name of the model the statuses come from. */
  model: string;
  /** Sample time: simulated clock, ms since the epoch. */
  time: number;
  /** Per vehicle and connection-independent: 0 for the first sample, +1 per sample published. */
  seq: number;
  /** Every status of the model, keyed `<part>.<status>` (the part id may contain dots, the status key does not). */
  values: Record<string, number>;
}

export interface StatusMessage {
  vehicle: string;
  online: boolean;
  /** Wall-clock time of the change (ms since the epoch); absent in the last will, which is written at connect. */
  time?: number;
}

export function telemetryTopic(prefix: string, vehicle: string): string {
  return `${prefix}/${vehicle}/telemetry`;
}

export function statusTopic(prefix: string, vehicle: string): string {
  return `${prefix}/${vehicle}/status`;
}

export function telemetryMessage(model: string, channels: readonly StatusChannel[], frame: VehicleFrame, time: number, seq: number): TelemetryMessage {
  const values: Record<string, number> = {};
  for (let i = 0; i < channels.length; i++) values[channels[i].ref] = frame.values[i];
  return { vehicle: frame.vehicle, model, time, seq, values };
}
