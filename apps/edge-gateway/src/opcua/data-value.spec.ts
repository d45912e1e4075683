// DataValue -> reading. The values are built here in node-opcua's shape (see DataValueLike) without importing it;
// opcua-source.spec.ts checks the same conversions on values a real server sends.
import { numericValue, readingOf, type DataValueLike } from './data-value';

const NOW = Date.UTC(2025, 0, 1);
const now = () => NOW;

// OPC UA built-in type ids (Part 6) and array kinds, as node-opcua's DataType and VariantArrayType enums number them.
const T = { Null: 0, Boolean: 1, SByte: 2, Byte: 3, Int16: 4, UInt16: 5, Int32: 6, UInt32: 7, Int64: 8, UInt64: 9, Float: 10, Double: 11, String: 12, DateTime: 13, LocalizedText: 21 };
const SCALAR = 0;
const ARRAY = 1;
const MATRIX = 2;

function scalar(dataType: number, value: unknown): DataValueLike['value'] {
  return { dataType, arrayType: SCALAR, value };
}

/** A status code as node-opcua prints it: `Name (0x........)`. */
function status(value: number, name: string): DataValueLike['statusCode'] {
  return { value, toString: () => `${name} (0x${value.toString(16).padStart(8, '0')})` };
}
const GOOD = status(0, 'Good');

function dataValue(value: DataValueLike['value'], extra: Partial<DataValueLike> = {}): DataValueLike {
  return { value, statusCode: GOOD, sourceTimestamp: null, serverTimestamp: null, ...extra };
}

describe('numericValue', () => {
  test.each([
    ['Double', T.Double, 7.25, 7.25],
    ['Float', T.Float, 1.5, 1.5],
    ['SByte', T.SByte, -8, -8],
    ['Byte', T.Byte, 200, 200],
    ['Int16', T.Int16, -300, -300],
    ['UInt16', T.UInt16, 60000, 60000],
    ['Int32', T.Int32, -70000, -70000],
    ['UInt32', T.UInt32, 4000000000, 4000000000],
    ['Boolean', T.Boolean, true, 1],
    ['Boolean', T.Boolean, false, 0],
  ])('%s %p -> %p', (_name, dataType, value, expected) => {
    expect(numericValue(scalar(dataType, value))).toBe(expected);
  });

  test('64-bit integers, as node-opcua carries them ([high, low]), become the nearest number', () => {
    expect(numericValue(scalar(T.UInt64, [0, 5]))).toBe(5);
    expect(numericValue(scalar(T.UInt64, [1, 0]))).toBe(4294967296);
    expect(numericValue(scalar(T.UInt64, [0xffffffff, 0xffffffff]))).toBe(2 ** 64 - 1); // = 2 ** 64 as a double
    expect(numericValue(scalar(T.Int64, [0xffffffff, 0xffffffff]))).toBe(-1);
    expect(numericValue(scalar(T.Int64, [0xffffffff, 0xfffffffe]))).toBe(-2);
    expect(numericValue(scalar(T.Int64, [0x80000000, 0]))).toBe(-9223372036854775808);
    expect(numericValue(scalar(T.Int64, [2, 3]))).toBe(2 * 4294967296 + 3);
    expect(numericValue(scalar(T.Int64, 42))).toBe(42);
    expect(numericValue(scalar(T.Int64, [1, 2, 3]))).toBeNull();
  });

  test('text, times, arrays, matrices, empty values and a value not of its declared type are not numbers', () => {
    expect(numericValue(scalar(T.String, '12'))).toBeNull();
    expect(numericValue(scalar(T.DateTime, new Date(NOW)))).toBeNull();
    expect(numericValue(scalar(T.LocalizedText, { text: '3' }))).toBeNull();
    expect(numericValue({ dataType: T.Double, arrayType: ARRAY, value: [1, 2] })).toBeNull();
    expect(numericValue({ dataType: T.Double, arrayType: MATRIX, value: [1, 2, 3, 4] })).toBeNull();
    expect(numericValue(scalar(T.Null, null))).toBeNull();
    expect(numericValue(scalar(T.Double, '7'))).toBeNull();
  });
});

describe('readingOf', () => {
  const source = new Date(NOW - 5000);
  const server = new Date(NOW - 1000);

  test('the source timestamp first, then the server timestamp, then now', () => {
    expect(readingOf(dataValue(scalar(T.Double, 3), { sourceTimestamp: source, serverTimestamp: server }), now)).toEqual({ ok: true, value: 3, time: NOW - 5000, overflow: false });
    expect(readingOf(dataValue(scalar(T.Double, 3), { serverTimestamp: server }), now)).toMatchObject({ ok: true, time: NOW - 1000 });
    expect(readingOf(dataValue(scalar(T.Double, 3)), now)).toMatchObject({ ok: true, time: NOW });
    // DateTime 0 (1601) is "no timestamp", and so is anything before 1970.
    expect(readingOf(dataValue(scalar(T.Double, 3), { sourceTimestamp: new Date(Date.UTC(1601, 0, 1)), serverTimestamp: server }), now)).toMatchObject({ time: NOW - 1000 });
  });

  test('Bad and Uncertain values are of bad quality, whatever their value', () => {
    expect(readingOf(dataValue(scalar(T.Double, 3), { statusCode: status(0x808c0000, 'BadSensorFailure') }), now)).toEqual({
      ok: false,
      cause: 'bad-quality',
      reason: 'status BadSensorFailure (0x808c0000)',
    });
    expect(readingOf(dataValue(scalar(T.Double, 3), { statusCode: status(0x40900000, 'UncertainLastUsableValue') }), now)).toEqual({
      ok: false,
      cause: 'bad-quality',
      reason: 'status UncertainLastUsableValue (0x40900000)',
    });
  });

  test('a good value flagged as overflowed (the server dropped older ones) is still a sample, marked', () => {
    // Good + InfoType DataValue (0x400) + Overflow (0x80), as node-opcua's server sets it.
    const overflowed = status(0x480, 'Good#Overflow');
    expect(readingOf(dataValue(scalar(T.Double, 3), { statusCode: overflowed, sourceTimestamp: source }), now)).toEqual({ ok: true, value: 3, time: NOW - 5000, overflow: true });
    // Other info bits of a good value (here: a semantics change) do not make it an overflow.
    expect(readingOf(dataValue(scalar(T.Double, 3), { statusCode: status(0x4000, 'Good#SemanticChanged') }), now)).toMatchObject({ ok: true, overflow: false });
  });

  test('a good value that is not a number says its type', () => {
    expect(readingOf(dataValue(scalar(T.String, 'PSS')), now)).toEqual({ ok: false, cause: 'not-a-number', reason: 'value of type String' });
    expect(readingOf(dataValue({ dataType: T.Int32, arrayType: ARRAY, value: [1] }), now)).toEqual({ ok: false, cause: 'not-a-number', reason: 'value of type Int32[] (Array)' });
    expect(readingOf(dataValue(scalar(T.Null, null)), now)).toEqual({ ok: false, cause: 'not-a-number', reason: 'value of type Null' });
    expect(readingOf(dataValue(scalar(99, 1)), now)).toEqual({ ok: false, cause: 'not-a-number', reason: 'value of type DataType 99' });
  });
});
