// The inbound deserializer the cloud's MQTT transport should use (`deserializer: new ProtocolPayloadDeserializer()`
// in the microservice options).
//
// Nest's default deserializer takes any payload with a top-level `pattern`, `data` or `id` key for its own
// {pattern, data, id} envelope: the handler would get `data` instead of the payload, and a payload with an `id`
// would be treated as a request and answered on `<topic>/reply`. Protocol payloads are never envelopes (they have
// no `pattern`/`data` key, and decodeValue rejects one that has), so this deserializer hands every payload to the
// handler of its topic whole, as an event.
import type { ConsumerDeserializer, IncomingEvent } from '@nestjs/microservices';

export class ProtocolPayloadDeserializer implements ConsumerDeserializer {
  deserialize(value: unknown, options?: Record<string, unknown>): IncomingEvent {
    const channel = options?.channel;
    return { pattern: typeof channel === 'string' ? channel : '', data: value };
  }
}
