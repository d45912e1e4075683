// Endpoint configurations and bindings for the elevator fleet simulator, built from the example model the way the
// gateway's configuration loader would. Test and benchmark code only.
import { join } from 'path';
import { loadDocument } from '@pss/documents';
import type { OpcUaBinding, OpcUaEndpointConfig } from '../../config/types';

const ROOT = join(__dirname, '..', '..', '..', '..', '..');
export const ELEVATOR_MODEL = join(ROOT, 'examples', 'elevator-fleet.model.yaml');

export interface StatusRef {
  part: string;
  status: string;
}

/** Every status of every part of the example elevator model (18). */
export function elevatorStatuses(): StatusRef[] {
  const loaded = loadDocument(ELEVATOR_MODEL);
  if (loaded.document.kind !== 'PssModel') throw new Error(`${ELEVATOR_MODEL} is a ${loaded.document.kind}, not a PssModel`);
  return loaded.document.value.parts.flatMap((part) => part.statuses.map((s) => ({ part: part.id, status: s.key })));
}

/** elevator-01, elevator-02, ... as the simulator names them (as many digits as the fleet size has, at least 2). */
export function elevatorIds(n: number): string[] {
  const width = Math.max(2, String(n).length);
  return Array.from({ length: n }, (_, i) => `elevator-${String(i + 1).padStart(width, '0')}`);
}

/** The simulator's NodeId of a status: ns=1;s=<elevator>/<part>/<status>. */
export function statusNodeId(asset: string, ref: StatusRef): string {
  return `ns=1;s=${asset}/${ref.part}/${ref.status}`;
}

export function bindingsFor(endpoint: string, assets: readonly string[], statuses: readonly StatusRef[], samplingIntervalMs: number): OpcUaBinding[] {
  return assets.flatMap((asset) => statuses.map((ref) => ({ asset, part: ref.part, status: ref.status, endpoint, nodeId: statusNodeId(asset, ref), samplingIntervalMs })));
}

/** A validated endpoint configuration as the loader produces it, with fast test settings unless overridden. */
export function endpointConfig(url: string, pkiDir: string, overrides: Partial<OpcUaEndpointConfig> = {}): OpcUaEndpointConfig {
  return {
    name: 'sim',
    url,
    securityMode: 'None',
    securityPolicy: 'None',
    user: { type: 'anonymous' },
    publishingIntervalMs: 200,
    maxItemsPerSubscription: 5000,
    maxItemsPerCreateCall: 1000,
    pkiDir,
    trustUnknownServerCertificate: true,
    reconnectInitialDelayMs: 200,
    reconnectMaxDelayMs: 1000,
    ...overrides,
  };
}
