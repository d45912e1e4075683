import mqtt from 'mqtt';
import { startMosquitto } from './mosquitto';

jest.setTimeout(30_000);

describe('startMosquitto', () => {
  it('starts a real broker on a free port that delivers, and keeps a persistent session across a restart', async () => {
    const broker = await startMosquitto();
    try {
      const sub = await mqtt.connectAsync(broker.url, { clientId: 'sub-1', clean: false, protocolVersion: 4, reconnectPeriod: 0 });
      await sub.subscribeAsync('t/x', { qos: 1 });
      await sub.endAsync();

      const pub = await mqtt.connectAsync(broker.url, { clientId: 'pub-1', protocolVersion: 4, reconnectPeriod: 0 });
      await pub.publishAsync('t/x', 'queued', { qos: 1 });
      await pub.endAsync();

      await broker.restart();

      // The queued message may come right behind the CONNACK: listen before connecting.
      const again = mqtt.connect(broker.url, { clientId: 'sub-1', clean: false, protocolVersion: 4, reconnectPeriod: 0 });
      const got = await new Promise<string>((resolve) => again.on('message', (_t, p) => resolve(p.toString())));
      expect(got).toBe('queued');
      await again.endAsync();
    } finally {
      await broker.dispose();
    }
    expect(broker.process.running).toBe(false);
  });
});
