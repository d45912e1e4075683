// Telemetry: status samples from the gateways into InfluxDB 1.x (or bounded memory), and back to the dashboard.
// docs/telemetry.md describes the schema, retention, continuous query, memory fallback and queries.
export * from './telemetry-store';
export * from './series-ring';
export * from './memory-telemetry-store';
export * from './influx-schema';
export * from './influx-telemetry-store';
export * from './telemetry-ingest';
export * from './telemetry-query';
export * from './telemetry.service';
export * from './telemetry.dto';
export * from './telemetry.controller';
export * from './telemetry-mqtt.controller';
export * from './telemetry.module';
