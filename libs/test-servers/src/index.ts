// @pss/test-servers: real servers (Mosquitto, PostgreSQL, InfluxDB) that integration tests start on free loopback
// ports and stop. Test code only: never imported by what ships.
export * from './ports';
export * from './process';
export * from './mosquitto';
export * from './postgres';
export * from './influxdb';
