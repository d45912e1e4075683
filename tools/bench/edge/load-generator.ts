// The load generator, a child process of the driver (its CPU is not the system's): publishes the schedule's samples
// (sample-schedule.ts) to the input broker at the target aggregate rate, QoS 0, then reports every crossing it sent.
//
//   node --import tsx tools/bench/edge/load-generator.ts '<GeneratorOptions as JSON>'   (with an IPC channel)
//
// Pacing: a timer slice about every millisecond sends what is due since the start, at most 50 ms worth at once.
// A setImmediate loop would pace more finely but spin one of the machine's two cores at 100 %, taken from the system
// under test; 1 ms slices are far below the latencies measured. Each sample carries its send time (`time`, epoch ms),
// which is the reference for latency. When the socket pushes back, the generator waits for 'drain': the rate it
// reaches is reported, never assumed.
import type { Socket } from 'node:net';
import type { GeneratorMessage, GeneratorOptions } from './generator-protocol';
import { DISCONNECT_PACKET, connectPublisher, encodeTopic, publishPacket } from './mqtt-wire';
import { Crossing, SampleSchedule } from './sample-schedule';
import { assetIds } from './system';
import { createSystem } from './systems';

function send(message: GeneratorMessage): void {
  process.send?.(message);
}

/** Sends and resolves once the message is handed to the channel, so that disconnecting after it loses nothing. */
function sendLast(message: GeneratorMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, undefined, () => resolve());
  });
}

function parseOptions(text: string | undefined): GeneratorOptions {
  if (!text) throw new Error('usage: load-generator.ts <options JSON>');
  const raw = JSON.parse(text) as Partial<GeneratorOptions>;
  const numbers = ['port', 'assetCount', 'rate', 'warmupMs', 'durationMs', 'crossEveryMs', 'threshold'] as const;
  for (const key of numbers) {
    if (typeof raw[key] !== 'number' || !Number.isFinite(raw[key])) throw new Error(`generator option ${key} must be a number, got ${JSON.stringify(raw[key])}`);
  }
  if (typeof raw.system !== 'string' || typeof raw.host !== 'string') throw new Error('generator options system and host must be strings');
  return raw as GeneratorOptions;
}

async function run(options: GeneratorOptions): Promise<void> {
  const system = createSystem(options.system);
  const assets = assetIds(options.assetCount);
  const topics = new Map(assets.map((asset) => [asset, encodeTopic(system.inputTopic(asset))]));
  const socket = await connectPublisher(options.host, options.port, `bench-generator-${process.pid}`);
  send({ type: 'connected' });

  const start = Date.now();
  const measureStart = start + options.warmupMs;
  const measureEnd = measureStart + options.durationMs;
  const schedule = new SampleSchedule({ assets, rate: options.rate, crossEveryMs: options.crossEveryMs, threshold: options.threshold, start });
  const maxBurst = Math.max(1, Math.ceil(options.rate * 0.05));
  const crossings: Crossing[] = [];
  let measuring = false;
  let lastSlice = start;
  let maxGapMs = 0;

  await new Promise<void>((resolve, reject) => {
    // A broken connection ends the run with its error (also while waiting for 'drain', which would never come).
    socket.once('error', reject);
    socket.once('close', () => reject(new Error('the input broker closed the connection')));
    const slice = (): void => {
      const now = Date.now();
      maxGapMs = Math.max(maxGapMs, now - lastSlice);
      lastSlice = now;
      if (!measuring && now >= measureStart) {
        measuring = true;
        send({ type: 'phase', phase: 'measure-start', sent: schedule.sent, time: now });
      }
      if (now >= measureEnd) {
        send({ type: 'phase', phase: 'measure-end', sent: schedule.sent, time: now });
        socket.removeListener('error', reject);
        socket.removeAllListeners('close');
        return resolve();
      }
      const count = schedule.due(now, maxBurst);
      let flowing = true;
      if (count > 0) {
        const packets: Buffer[] = new Array(count);
        for (let i = 0; i < count; i++) {
          const sample = schedule.next(now);
          if (sample.crossing) crossings.push({ asset: sample.asset, time: now });
          packets[i] = publishPacket(topics.get(sample.asset)!, system.payload(sample.asset, sample.seq, now, sample.value));
        }
        flowing = socket.write(Buffer.concat(packets));
      }
      if (flowing) setTimeout(slice, 1);
      else socket.once('drain', slice);
    };
    slice();
  });

  const end = Date.now();
  const behind = Math.max(0, Math.floor((options.rate * (end - start)) / 1000) - schedule.sent);
  await closeGracefully(socket);
  await sendLast({ type: 'done', sent: schedule.sent, start, end, crossings, maxGapMs, behind });
}

function closeGracefully(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    // The samples are sent: an error while saying goodbye changes nothing the run reports.
    socket.once('error', () => resolve());
    socket.end(DISCONNECT_PACKET);
  });
}

run(parseOptions(process.argv[2]))
  .then(() => process.disconnect?.())
  .catch(async (e: unknown) => {
    const message = e instanceof Error ? e.message : String(e);
    console.error(`load generator: ${message}`);
    process.exitCode = 1;
    await sendLast({ type: 'error', message });
    process.disconnect?.();
  });
