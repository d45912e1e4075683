// What each MQTT client of the embedded broker may publish and subscribe to (docs: "Cloud service", MQTT access).
//
//   the cloud itself (internal credential)  everything except $SYS
//   admin key                              pss/v1/{its tenant}/# (publish and subscribe)
//   gateway key                            publish what edges publish (trigger events, telemetry, status, close
//                                          acks) under pss/v1/{its tenant}/{gateway}/...; subscribe to what edges
//                                          receive (event acks, close commands) under its tenant
//   technician key                         publish pss/v1/{tenant}/workorders/{its resource}/progress; subscribe to
//                                          pss/v1/{tenant}/workorders/{its resource}
//   viewer, planner keys                   no MQTT access (refused at connect)
//
// A gateway key is bound to a tenant, not to one gateway: gateways of a tenant trust each other (the database
// has no gateway column on api_keys). Topics are checked with @pss/protocol's parser, so a topic that is not a
// PSS topic is refused for keys.
import { TOPIC_ROOT, TOPIC_SPECS, TOPIC_VERSION, TopicKind, WORKORDERS_LEVEL, checkSegment, parseTopic } from '@pss/protocol';
import { Principal, Role } from './tokens';

export type BrokerIdentity = { kind: 'internal' } | { kind: 'key'; principal: Principal };

/** Roles that may connect to the broker at all. */
export const MQTT_ROLES: readonly Role[] = ['admin', 'gateway', 'technician'];

export function mayConnect(identity: BrokerIdentity): boolean {
  return identity.kind === 'internal' || MQTT_ROLES.includes(identity.principal.role);
}

export function mayPublish(identity: BrokerIdentity, topic: string): boolean {
  if (topic === '$SYS' || topic.startsWith('$')) return false;
  if (identity.kind === 'internal') return true;
  const { principal } = identity;
  if (principal.role === 'admin') return underTenant(topic.split('/'), principal.tenant);
  const parsed = parseTopic(topic);
  if (!parsed.ok || parsed.value.tenant !== principal.tenant) return false;
  const address = parsed.value;
  if (principal.role === 'gateway') return TOPIC_SPECS[address.kind].publisher === 'edge';
  if (principal.role === 'technician') return address.kind === 'progress' && 'resource' in address && address.resource === principal.resource;
  return false;
}

export function maySubscribe(identity: BrokerIdentity, topicFilter: string): boolean {
  if (identity.kind === 'internal') return !topicFilter.startsWith('$SYS');
  const { principal } = identity;
  // Shared subscriptions and $-topics are the cloud's business (and aedes does not implement $share anyway).
  if (topicFilter.startsWith('$')) return false;
  const levels = topicFilter.split('/');
  if (!underTenant(levels, principal.tenant)) return false;
  if (principal.role === 'admin') return true;
  if (principal.role === 'gateway') return gatewayFilterAllowed(levels);
  if (principal.role === 'technician') {
    return principal.resource !== undefined && levels.length === 5 && levels[3] === WORKORDERS_LEVEL && levels[4] === principal.resource;
  }
  return false;
}

/** pss/v1/{tenant}/... with the three first levels literal (no wildcard can reach another tenant). */
function underTenant(levels: readonly string[], tenant: string): boolean {
  return levels.length >= 4 && levels[0] === TOPIC_ROOT && levels[1] === TOPIC_VERSION && levels[2] === tenant;
}

const EDGE_RECEIVES: readonly TopicKind[] = (Object.keys(TOPIC_SPECS) as TopicKind[]).filter((kind) => TOPIC_SPECS[kind].subscriber === 'edge');

/** pss/v1/{tenant}/{gateway or +}/{leaf of a kind edges receive}, the leaf without wildcards. */
function gatewayFilterAllowed(levels: readonly string[]): boolean {
  const gateway = levels[3];
  if (gateway !== '+' && checkSegment('gateway', gateway) !== undefined) return false;
  const leaf = levels.slice(4).join('/');
  return EDGE_RECEIVES.some((kind) => TOPIC_SPECS[kind].leaf.join('/') === leaf);
}
