// The event collector: subscribes to the system's output on the output broker and notes when each event arrived,
// with the asset and sample time the system wrote into it. It runs in the driver process, which does little else
// during a run (a few hundred events per second), so its receive times are not delayed by the load it measures.
import { MqttClient, connectAsync } from 'mqtt';
import type { OutputMatch } from './system';

export function matchKey(match: OutputMatch): string {
  return `${match.asset}\u0000${match.time}`;
}

export interface ReceivedEvent extends OutputMatch {
  /** Epoch ms when the collector received it. */
  arrivedAt: number;
}

export class EventCollector {
  /** In arrival order; a repeat of an (asset, time) already received is counted in `duplicates` instead. */
  readonly events: ReceivedEvent[] = [];
  duplicates = 0;
  /** Messages on the output filter that `parse` did not recognize. */
  unparsed = 0;
  private readonly seen = new Set<string>();

  private constructor(private readonly client: MqttClient) {}

  static async start(
    url: string,
    topicFilter: string,
    parse: (topic: string, payload: Buffer) => OutputMatch | null,
  ): Promise<EventCollector> {
    const client = await connectAsync(url, { clientId: `bench-collector-${process.pid}-${Date.now()}`, clean: true, reconnectPeriod: 0 });
    const collector = new EventCollector(client);
    client.on('message', (topic, payload) => {
      const arrivedAt = Date.now();
      const match = parse(topic, payload);
      if (!match) {
        collector.unparsed++;
        return;
      }
      const key = matchKey(match);
      if (collector.seen.has(key)) {
        collector.duplicates++;
        return;
      }
      collector.seen.add(key);
      collector.events.push({ asset: match.asset, time: match.time, arrivedAt });
    });
    // QoS 1 on our side: the event's own QoS decides what the broker delivers, up to this.
    const granted = await client.subscribeAsync(topicFilter, { qos: 1 });
    if (granted.some((g) => g.qos > 2)) throw new Error(`the output broker refused the subscription to ${topicFilter}`);
    return collector;
  }

  /** Whether an event with exactly this asset and time has arrived. */
  has(match: OutputMatch): boolean {
    return this.seen.has(matchKey(match));
  }

  /** Resolves once an event with exactly this asset and time has arrived, or with false after timeoutMs. */
  async waitFor(match: OutputMatch, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.has(match)) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  }

  async stop(): Promise<void> {
    await this.client.endAsync();
  }
}
