// The configuration from the environment: defaults, and errors that name the variable.
import { ConfigError, loadCloudConfig } from './config';
import { effectiveConfig } from './platform.module';

describe('loadCloudConfig', () => {
  it('runs on embedded defaults without any variable', () => {
    const config = loadCloudConfig({});
    expect(config).toMatchObject({ httpPort: 3000, mqttPort: 1883, mqttHost: '0.0.0.0', tenant: 'demo', logLevel: 'info', selectionPolicy: 'knee' });
    expect(config.mqttUrl).toBeUndefined();
    expect(config.databaseUrl).toBeUndefined();
  });

  it('uses no shared-subscription group with the embedded broker, pss-cloud with an external one unless told', () => {
    expect(loadCloudConfig({}).shareGroup).toBeUndefined();
    expect(loadCloudConfig({ MQTT_SHARE_GROUP: 'g' }).shareGroup).toBeUndefined();
    expect(loadCloudConfig({ MQTT_URL: 'mqtt://broker:1883' }).shareGroup).toBe('pss-cloud');
    expect(loadCloudConfig({ MQTT_URL: 'mqtt://broker:1883', MQTT_SHARE_GROUP: '' }).shareGroup).toBeUndefined();
    expect(loadCloudConfig({ MQTT_URL: 'mqtt://broker:1883', MQTT_SHARE_GROUP: 'east' }).shareGroup).toBe('east');
    expect(effectiveConfig({ ...loadCloudConfig({}), shareGroup: 'pss-cloud' }).shareGroup).toBeUndefined();
  });

  it('names the variable that is wrong', () => {
    expect(() => loadCloudConfig({ PORT: 'eighty' })).toThrow(new ConfigError('PORT', 'must be an integer from 0 to 65535, got "eighty"'));
    expect(() => loadCloudConfig({ LOG_LEVEL: 'loud' })).toThrow(/^LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent, got "loud"$/);
    expect(() => loadCloudConfig({ MQTT_URL: 'mqtt://b', MQTT_SHARE_GROUP: 'a/b' })).toThrow(/^MQTT_SHARE_GROUP: /);
    expect(() => loadCloudConfig({ SELECTION_WEIGHTS: 'time=-1' })).toThrow(/^SELECTION_WEIGHTS: /);
  });
});
