// Imported first by telemetry.module.spec.ts: the @EventPattern filter is fixed from the environment when
// telemetry-mqtt.controller.ts loads, and the spec wants what an instance on an external broker subscribes to
// (a shared subscription). Jest gives each spec file its own copy of process.env.
process.env.MQTT_URL = 'mqtt://external-broker.invalid:1883';
process.env.MQTT_SHARE_GROUP = 'pss-cloud';
