import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfluxDB } from 'influx';
import { startInfluxDb } from './influxdb';
import { waitForPort } from './ports';

jest.setTimeout(120_000);

describe('startInfluxDb', () => {
  it('starts a real server on free ports that stores and answers, keeps its data across a restart and a kill, and removes its directory', async () => {
    const server = await startInfluxDb();
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      const config = readFileSync(join(server.dir, 'influxdb.conf'), 'utf8');
      expect(config).toContain('reporting-disabled = true');
      // The RPC (backup) listener is moved off its fixed default 8088, to a port of its own that it really binds.
      const rpcPort = Number(/^bind-address = "127\.0\.0\.1:(\d+)"$/m.exec(config)?.[1]);
      expect(rpcPort).toBeGreaterThan(0);
      expect(rpcPort).not.toBe(server.port);
      await waitForPort(rpcPort);

      const influx = new InfluxDB({ host: '127.0.0.1', port: server.port, database: 'telemetry' });
      await influx.createDatabase('telemetry');
      await influx.writePoints([
        { measurement: 'status', tags: { asset: 'car-0017', part: 'p.axle' }, fields: { vibration_rms: 7.42 }, timestamp: new Date(1772439300000) },
        { measurement: 'status', tags: { asset: 'car-0017', part: 'p.axle' }, fields: { vibration_rms: 7.05 }, timestamp: new Date(1772439290000) },
      ]);
      const read = async (): Promise<number[]> =>
        (await influx.query<{ vibration_rms: number }>(`SELECT vibration_rms FROM status WHERE asset = 'car-0017' ORDER BY time`)).map(
          (row) => row.vibration_rms,
        );
      expect(await read()).toEqual([7.05, 7.42]);

      await server.restart();
      expect(await read()).toEqual([7.05, 7.42]);

      // A crash: the write is in the WAL (fsynced before the write returned) and is replayed on the next start.
      await influx.writePoints([{ measurement: 'status', tags: { asset: 'car-0017', part: 'p.axle' }, fields: { vibration_rms: 8.1 }, timestamp: new Date(1772439310000) }]);
      await server.kill();
      expect(server.process.running).toBe(false);
      await server.restart();
      expect(await read()).toEqual([7.05, 7.42, 8.1]);
    } finally {
      await server.dispose();
    }
    expect(server.process.running).toBe(false);
    expect(existsSync(server.dir)).toBe(false);
  });
});
