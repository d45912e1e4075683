// Builds the data sources a configuration asks for: one OPC UA client per endpoint that has bindings, the embedded
// broker when configured, and one client per external broker that has bindings.
import type { GatewayConfig } from '../config/types';
import { EMBEDDED_BROKER, EmbeddedBroker, ExternalBrokerSource, MqttRouter } from '../mqtt';
import { OpcUaSource } from '../opcua';
import type { Logger, SampleSink, SampleSource } from './types';

export function createSources(config: GatewayConfig, sink: SampleSink, logger: Logger): SampleSource[] {
  const sources: SampleSource[] = [];
  for (const endpoint of config.opcuaEndpoints) {
    const bindings = config.opcua.filter((b) => b.endpoint === endpoint.name);
    if (bindings.length === 0) {
      logger.warn({ endpoint: endpoint.name }, `OPC UA endpoint ${endpoint.name} has no bindings: not connecting`);
      continue;
    }
    sources.push(new OpcUaSource({ endpoint, bindings, sink, logger }));
  }
  const router = new MqttRouter(config.mqtt, config.model.parts);
  if (config.embeddedBroker) {
    sources.push(new EmbeddedBroker({ config: config.embeddedBroker, router, sink, logger, refusalLogIntervalMs: config.rejectLogIntervalMs }));
  }
  for (const broker of config.brokers) {
    const topics = router.topics(broker.name);
    if (topics.length === 0) {
      logger.warn({ broker: broker.name }, `MQTT broker ${broker.name} has no bindings: not connecting`);
      continue;
    }
    sources.push(new ExternalBrokerSource({ config: broker, router, topics, sink, logger }));
  }
  if (router.topics(EMBEDDED_BROKER).length > 0 && !config.embeddedBroker) {
    throw new Error('bindings read from the embedded broker, but embeddedBroker is not configured');
  }
  return sources;
}
