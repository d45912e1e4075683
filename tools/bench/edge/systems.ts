// The systems the benchmark knows, by the name given to --systems. A factory builds an idle system: the load
// generator process builds one too, for its inputTopic and payload only.
import { createGatewaySystem } from './gateway-system';
import { createNodeRedSystem } from './node-red-system';
import type { SystemUnderTest } from './system';

const FACTORIES: Readonly<Record<string, () => SystemUnderTest>> = {
  'node-red': createNodeRedSystem,
  gateway: createGatewaySystem,
};

export const SYSTEM_NAMES: readonly string[] = Object.keys(FACTORIES);

export function createSystem(name: string): SystemUnderTest {
  const factory = FACTORIES[name];
  if (!factory) throw new Error(`unknown system ${JSON.stringify(name)} (known: ${SYSTEM_NAMES.join(', ')})`);
  return factory();
}
