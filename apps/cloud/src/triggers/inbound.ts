// Inbound MQTT: the subscription filters of the @EventPattern handlers, and the checks every payload passes
// (docs/protocol.md, "Error handling"): decodeValue(topic, payload); an invalid message is counted by kind and
// cause, logged once per cause, and dropped. Nothing here throws.
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Message, MessageOf, SchemaId, Subscription, TopicKind, cloudSubscriptions, decodeValue } from '@pss/protocol';
import type { ValidationIssue } from '@pss/model';
import { Counter, Registry } from 'prom-client';
import { METRICS } from '../platform/tokens';

/**
 * The share group of the inbound subscriptions, by the rule of platform/config.ts (MQTT_SHARE_GROUP; unset:
 * pss-cloud; empty: none). Read from the environment when this module loads, because @EventPattern filters are
 * fixed when the handler classes are declared; the modules compare it with the CloudConfig at start.
 */
export function shareGroupFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const share = env.MQTT_SHARE_GROUP;
  return share === undefined ? 'pss-cloud' : share === '' ? undefined : share;
}

const SUBSCRIPTIONS: readonly Subscription[] = cloudSubscriptions({ group: shareGroupFromEnv() });

/** The filter a cloud instance subscribes to for `kind` (shared where the protocol shares it). */
export function inboundFilter(kind: TopicKind): string {
  const found = SUBSCRIPTIONS.find((s) => s.kind === kind);
  if (found === undefined) throw new Error(`the cloud does not subscribe to ${kind} topics`);
  return found.filter;
}

/** Extras of an @EventPattern: the maximum QoS to subscribe with (the MQTT transport's default would be 0). */
export function inboundExtras(kind: TopicKind): { qos: 0 | 1 } {
  const found = SUBSCRIPTIONS.find((s) => s.kind === kind);
  return { qos: found?.qos ?? 1 };
}

/** The share group the filters above were built with. */
export const INBOUND_SHARE_GROUP = shareGroupFromEnv();

const INVALID_METRIC = 'pss_messages_invalid_total';

/** The counter in the instance's registry (the platform's METRICS), shared with whoever registered it first. */
function invalidCounter(registry: Registry | undefined): Counter<'kind' | 'cause'> | undefined {
  if (registry === undefined) return undefined;
  const existing = registry.getSingleMetric(INVALID_METRIC);
  if (existing instanceof Counter) return existing as Counter<'kind' | 'cause'>;
  if (existing !== undefined) return undefined;
  return new Counter({ name: INVALID_METRIC, help: 'Inbound MQTT messages dropped as invalid, by topic kind and cause', labelNames: ['kind', 'cause'], registers: [registry] });
}

/**
 * The cause of an invalid message for counting and logging: the first issue's path (array indices removed) and
 * the rule it broke, without the values it quoted, so that one faulty field of many messages is one cause.
 */
export function causeOf(issues: readonly ValidationIssue[]): string {
  const first = issues[0];
  if (first === undefined) return 'unknown';
  const path = first.path.replace(/\[\d+\]/g, '[]');
  const rule = first.message.split(/, got |"|\(|\d/)[0].trim().replace(/[:,]$/, '');
  return path === '' ? rule : `${path}: ${rule}`;
}

@Injectable()
export class InboundMessages {
  private readonly logger = new Logger('InboundMessages');
  private readonly counts = new Map<string, number>();
  private readonly warned = new Set<string>();
  private readonly metric: Counter<'kind' | 'cause'> | undefined;

  constructor(@Optional() @Inject(METRICS) registry?: Registry) {
    this.metric = invalidCounter(registry);
  }

  /**
   * The message on `topic` when it is valid and of the expected schema; null when it is not (counted and logged
   * once per cause). `payload` is what the MQTT transport parsed: a JSON value, or the raw text.
   */
  read<S extends SchemaId>(kind: TopicKind, schema: S, topic: string, payload: unknown): MessageOf<S> | null {
    const result = decodeValue(topic, payload);
    if (!result.ok) {
      this.invalid(kind, topic, result.issues);
      return null;
    }
    for (const warning of result.warnings ?? []) {
      const key = `${result.value.schema}|${warning.path}`;
      if (this.warned.has(key)) continue;
      this.warned.add(key);
      this.logger.warn(`${kind} on ${topic}: ${warning.path}: ${warning.message} (logged once per field)`);
    }
    const message: Message = result.value;
    if (message.schema !== schema) {
      this.invalid(kind, topic, [{ path: 'schema', message: `expected ${schema} on a ${kind} topic` }]);
      return null;
    }
    return message as MessageOf<S>;
  }

  /** Counts and logs (once per cause) a message that cannot be used. */
  invalid(kind: TopicKind, topic: string, issues: readonly ValidationIssue[]): void {
    const cause = causeOf(issues);
    const key = `${kind}|${cause}`;
    const seen = this.counts.get(key) ?? 0;
    this.counts.set(key, seen + 1);
    try {
      this.metric?.inc({ kind, cause });
    } catch (error) {
      // Another module registered the metric with other labels: the in-process count above still holds.
      if (seen === 0) this.logger.warn(`${INVALID_METRIC}: ${(error as Error).message}`);
    }
    if (seen === 0) {
      const all = issues.map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`)).join('; ');
      this.logger.warn(`invalid ${kind} message dropped (cause "${cause}", logged once per cause) on ${topic}: ${all}`);
    }
  }

  /** Invalid messages dropped so far, of one kind or of all. */
  invalidCount(kind?: TopicKind): number {
    let total = 0;
    for (const [key, n] of this.counts) if (kind === undefined || key.startsWith(`${kind}|`)) total += n;
    return total;
  }

  /** Counts by `kind|cause`. */
  invalidCounts(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}
