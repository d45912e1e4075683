// Injection tokens and the small ports every cloud module shares. The app module (app.module.ts) provides them;
// domain modules inject them and never build their own database, broker client or clock.
import { SetMetadata } from '@nestjs/common';

/** The Database (persistence/database.ts): PostgreSQL through pg, or PGlite. */
export const DATABASE = Symbol('DATABASE');
/** The MqttPublisher below. */
export const MQTT_PUBLISHER = Symbol('MQTT_PUBLISHER');
/** The CloudConfig (platform/config.ts). */
export const CLOUD_CONFIG = Symbol('CLOUD_CONFIG');
/** A Clock: epoch ms now. Tests provide a controllable one. */
export const CLOCK = Symbol('CLOCK');

export type Clock = () => number;

/**
 * Publishes raw protocol payloads (libs/protocol `toPublications`). Not a Nest ClientProxy: its `emit` wraps
 * payloads in a {pattern, data} envelope that the protocol's consumers (gateways, technicians' apps) do not read.
 */
export interface MqttPublisher {
  publish(topic: string, payload: Uint8Array, options: { qos: 0 | 1; retain?: boolean }): Promise<void>;
  /** Whether the client is connected now (health endpoint). */
  readonly connected: boolean;
}

export type Role = 'viewer' | 'planner' | 'admin' | 'technician' | 'gateway';
export const ROLES: readonly Role[] = ['viewer', 'planner', 'admin', 'technician', 'gateway'];

/** The roles allowed on a route (any of them); routes without @Roles are refused, except those marked @Public. */
export const ROLES_KEY = 'pss:roles';
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);
export const PUBLIC_KEY = 'pss:public';
/** A route anyone may call (health, metrics, OpenAPI). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Who is calling, attached to the request by the auth guard (request.principal). */
export interface Principal {
  tenant: string;
  role: Role;
  /** The API key's id or the token subject, for audit fields (approved_by, history `by`). */
  subject: string;
  /** For technicians: the resource (model resource id) they are. */
  resource?: string;
}

/** The pino Logger (platform/logger.ts): structured JSON logs. Prefer a child per module: `logger.child({ module })`. */
export const LOGGER = Symbol('LOGGER');
/**
 * The prom-client Registry served at GET /metrics. Modules add their own metrics to it
 * (`new Counter({ name: 'pss_...', help, registers: [registry] })`), never to prom-client's global registry.
 */
export const METRICS = Symbol('METRICS');
/** The HealthRegistry (platform/health.ts): modules register a check that GET /health reports. */
export const HEALTH = Symbol('HEALTH');
/** The MqttConnection below: where the cloud's own MQTT clients (publisher, Nest MQTT transport) connect. */
export const MQTT_CONNECTION = Symbol('MQTT_CONNECTION');

export interface MqttConnection {
  url: string;
  username?: string;
  password?: string;
  /** Whether the broker is the embedded one (no shared subscriptions: aedes speaks MQTT 3.1.1). */
  embedded: boolean;
}
