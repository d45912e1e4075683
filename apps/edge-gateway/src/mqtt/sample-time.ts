// Sample times in MQTT messages: epoch milliseconds as a JSON number, or ISO 8601 date-time text with a zone.
//
// A date-time without a zone designator is refused rather than read in the gateway's local zone: the same device
// message would otherwise mean different instants on differently configured gateways.
import { describeJsonValue } from './json-path';

export type TimeParse = { ok: true; time: number } | { ok: false; problem: string };

/** The range of ECMAScript dates, ±100,000,000 days around the epoch. */
const MAX_EPOCH_MS = 8.64e15;

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)$/i;

export function parseSampleTime(value: unknown): TimeParse {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || Math.abs(value) > MAX_EPOCH_MS) return { ok: false, problem: `${value} is not a valid epoch ms time` };
    return { ok: true, time: value };
  }
  if (typeof value === 'string') return parseIsoDateTime(value);
  return { ok: false, problem: `is ${describeJsonValue(value)}, not epoch ms or ISO 8601 text` };
}

/** `2025-01-06T08:00:00Z`, `2025-01-06T09:00:00.250+01:00`, `...+0100`, `...+01`; seconds and fraction optional. */
export function parseIsoDateTime(text: string): TimeParse {
  const m = ISO_DATE_TIME.exec(text);
  const quoted = JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text);
  if (m === null) return { ok: false, problem: `${quoted} is not an ISO 8601 date-time with a zone (e.g. 2025-01-06T08:00:00Z)` };
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  const ms = frac === undefined ? 0 : Number(frac.padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC rolls 2025-02-30 over to March: a round trip finds fields out of range.
  const check = new Date(utc);
  if (month < 1 || month > 12 || check.getUTCDate() !== day || check.getUTCMonth() !== month - 1 || hour > 23 || minute > 59 || second > 59) {
    return { ok: false, problem: `${quoted} names no valid date and time` };
  }
  let offsetMinutes = 0;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (oh > 23 || om > 59) return { ok: false, problem: `${quoted} has an invalid zone offset` };
    offsetMinutes = sign * (oh * 60 + om);
  }
  return { ok: true, time: utc - offsetMinutes * 60_000 };
}
