// Turning an OPC UA DataValue into a sample's value and time, or into the reason it cannot be one.
//
// No runtime import of node-opcua here: importing it starts a reverse DNS lookup of this host (node-opcua-hostname)
// that can keep a process alive for many seconds where reverse DNS does not answer, which unit tests would pay for.
// node-opcua's DataValue fits DataValueLike (the compiler checks it where the source passes one in); the numbers
// below are the OPC UA built-in type ids (Part 6, 5.1.2) and array kinds that node-opcua's enums carry.

/** The parts of node-opcua's DataValue read here. */
export interface DataValueLike {
  value: { dataType: number; arrayType: number; value: unknown };
  statusCode: { value: number; toString(): string };
  sourceTimestamp: Date | null;
  serverTimestamp: Date | null;
}

const BUILT_IN_TYPES = [
  'Null', 'Boolean', 'SByte', 'Byte', 'Int16', 'UInt16', 'Int32', 'UInt32', 'Int64', 'UInt64', 'Float', 'Double', 'String',
  'DateTime', 'Guid', 'ByteString', 'XmlElement', 'NodeId', 'ExpandedNodeId', 'StatusCode', 'QualifiedName', 'LocalizedText',
  'ExtensionObject', 'DataValue', 'Variant', 'DiagnosticInfo',
] as const;
type BuiltInType = (typeof BUILT_IN_TYPES)[number];
const typeId = (name: BuiltInType): number => BUILT_IN_TYPES.indexOf(name);
const BOOLEAN = typeId('Boolean');
const INT64 = typeId('Int64');
const UINT64 = typeId('UInt64');
/** Built-in types whose value node-opcua gives as a JS number. */
const PLAIN_NUMBERS = new Set((['SByte', 'Byte', 'Int16', 'UInt16', 'Int32', 'UInt32', 'Float', 'Double'] as const).map(typeId));
const ARRAY_KINDS = ['Scalar', 'Array', 'Matrix'];
const SCALAR = 0;

export type Reading =
  | { ok: true; value: number; time: number; overflow: boolean }
  | { ok: false; cause: 'bad-quality' | 'not-a-number'; reason: string };

const TWO_POW_32 = 4294967296;

/** The severity bits of a status code (OPC UA Part 4, 7.39): 0 Good, 1 Uncertain, 2 and 3 Bad. */
function severity(statusCode: DataValueLike['statusCode']): 'Good' | 'Uncertain' | 'Bad' {
  const bits = statusCode.value >>> 30;
  return bits === 0 ? 'Good' : bits === 1 ? 'Uncertain' : 'Bad';
}

/**
 * Whether the server dropped values of this item because its queue was full (the Overflow info bit, Part 4 7.39.1):
 * the value itself is good. StatusCode.isGood() is false for it, which is why severity() reads the bits instead.
 */
function overflowed(statusCode: DataValueLike['statusCode']): boolean {
  const INFO_TYPE_DATA_VALUE = 0x400;
  const OVERFLOW = 0x80;
  return (statusCode.value & INFO_TYPE_DATA_VALUE) !== 0 && (statusCode.value & OVERFLOW) !== 0;
}

/** Numbers (all integer and float types, 64-bit ones as the nearest double) and booleans (1/0); null otherwise. */
export function numericValue(variant: DataValueLike['value']): number | null {
  if (variant.arrayType !== SCALAR) return null;
  const v = variant.value;
  if (PLAIN_NUMBERS.has(variant.dataType)) return typeof v === 'number' ? v : null;
  if (variant.dataType === BOOLEAN) return typeof v === 'boolean' ? (v ? 1 : 0) : null;
  if (variant.dataType === INT64 || variant.dataType === UINT64) return int64Value(v, variant.dataType === INT64);
  return null;
}

/** node-opcua carries 64-bit integers as [high, low] 32-bit words; a plain number is accepted too. */
function int64Value(v: unknown, signed: boolean): number | null {
  if (typeof v === 'number') return v;
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'number' || typeof v[1] !== 'number') return null;
  const [high, low] = v as [number, number];
  const hi = signed && high >= 0x80000000 ? high - TWO_POW_32 : high;
  return hi * TWO_POW_32 + low;
}

function epochMs(date: Date | null | undefined): number | null {
  if (!date) return null;
  const ms = date.getTime();
  // node-opcua decodes an absent timestamp (DateTime 0, year 1601) as null, but a server may still send 1601.
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}

/** A DataValue as a reading: the value if it is a good number, its time from the source, the server or `now`. */
export function readingOf(dataValue: DataValueLike, now: () => number): Reading {
  if (severity(dataValue.statusCode) !== 'Good') return { ok: false, cause: 'bad-quality', reason: `status ${dataValue.statusCode.toString()}` };
  const value = numericValue(dataValue.value);
  if (value === null) return { ok: false, cause: 'not-a-number', reason: `value of type ${describeType(dataValue.value)}` };
  const time = epochMs(dataValue.sourceTimestamp) ?? epochMs(dataValue.serverTimestamp) ?? now();
  return { ok: true, value, time, overflow: overflowed(dataValue.statusCode) };
}

function describeType(variant: DataValueLike['value']): string {
  const name = BUILT_IN_TYPES[variant.dataType] ?? `DataType ${variant.dataType}`;
  return variant.arrayType === SCALAR ? name : `${name}[] (${ARRAY_KINDS[variant.arrayType] ?? `array kind ${variant.arrayType}`})`;
}
