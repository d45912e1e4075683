// The load generator's MQTT 3.1.1 client: CONNECT, then QoS 0 PUBLISH packets written many to a socket write.
// mqtt.js builds, encodes and writes each publication on its own (streams, callbacks, per-packet buffers); on a
// 2-core machine every cycle the generator spends is taken from the system under test, so it does the minimum.
// QoS 0 needs nothing else from the protocol: no packet ids, no acks; keep-alive 0 switches pings off.
import { Socket, connect } from 'node:net';

/** MQTT's variable-length "remaining length": 7 bits per byte, high bit = more bytes follow. */
export function remainingLengthBytes(length: number): number[] {
  if (!Number.isInteger(length) || length < 0 || length > 268_435_455) {
    throw new RangeError(`MQTT remaining length out of range: ${length}`);
  }
  const bytes: number[] = [];
  let rest = length;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0);
  return bytes;
}

/** The topic as MQTT writes it in a PUBLISH: two length bytes, then UTF-8. */
export function encodeTopic(topic: string): Buffer {
  const name = Buffer.from(topic, 'utf8');
  if (name.length === 0 || name.length > 65_535) throw new RangeError(`MQTT topic length out of range: ${name.length}`);
  const out = Buffer.allocUnsafe(2 + name.length);
  out.writeUInt16BE(name.length, 0);
  name.copy(out, 2);
  return out;
}

/** One QoS 0, non-retained PUBLISH packet (fixed header 0x30). `topic` comes from `encodeTopic`. */
export function publishPacket(topic: Buffer, payload: Buffer): Buffer {
  const length = remainingLengthBytes(topic.length + payload.length);
  const out = Buffer.allocUnsafe(1 + length.length + topic.length + payload.length);
  out[0] = 0x30;
  for (let i = 0; i < length.length; i++) out[1 + i] = length[i];
  topic.copy(out, 1 + length.length);
  payload.copy(out, 1 + length.length + topic.length);
  return out;
}

/** CONNECT for MQTT 3.1.1 with a clean session, no credentials, keep-alive off. */
export function connectPacket(clientId: string): Buffer {
  const id = Buffer.from(clientId, 'utf8');
  const variable = Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x00]);
  const body = Buffer.concat([variable, Buffer.from([id.length >> 8, id.length & 0xff]), id]);
  return Buffer.concat([Buffer.from([0x10, ...remainingLengthBytes(body.length)]), body]);
}

export const DISCONNECT_PACKET = Buffer.from([0xe0, 0x00]);

/** A connected publisher: resolves once the broker accepted the CONNECT (CONNACK return code 0). */
export function connectPublisher(host: string, port: number, clientId: string, timeoutMs = 10_000): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setNoDelay(true);
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new Error(`no CONNACK from ${host}:${port} after ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4) return;
      socket.off('data', onData);
      clearTimeout(timer);
      if (received[0] !== 0x20 || received[1] !== 0x02) return fail(new Error(`expected CONNACK, got 0x${received.toString('hex')}`));
      if (received[3] !== 0) return fail(new Error(`broker ${host}:${port} refused the connection: CONNACK return code ${received[3]}`));
      socket.off('error', fail);
      resolve(socket);
    };
    socket.on('data', onData);
    socket.once('error', fail);
    socket.once('connect', () => socket.write(connectPacket(clientId)));
  });
}
