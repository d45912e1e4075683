import { JsonPathError, compileJsonPath, readJsonPath } from './json-path';
import { parseSampleTime } from './sample-time';

describe('compileJsonPath', () => {
  it.each([
    ['$', []],
    ['$.time', ['time']],
    ['$.values.car-0001', ['values', 'car-0001']],
    ["$.values['p.axle.vibration_rms']", ['values', 'p.axle.vibration_rms']],
    ['$["with space"][2]', ['with space', 2]],
    ["$['it\\'s']", ["it's"]],
    ['$["back\\\\slash"]', ['back\\slash']],
    ['$[0][10].a_b$', [0, 10, 'a_b$']],
    ['$.température', ['température']],
  ])('compiles %s', (path, segments) => {
    expect(compileJsonPath(path)).toEqual({ source: path, segments });
  });

  it.each([
    ['', 0, 'empty'],
    ['time', 0, 'starts with "$"'],
    ['$time', 1, 'unexpected'],
    ['$..time', 1, 'recursive descent'],
    ['$.*', 2, 'wildcards'],
    ['$[*]', 2, 'wildcards'],
    ['$[?(@.a > 1)]', 2, 'filters'],
    ['$[-1]', 2, 'negative'],
    ['$[1:3]', 3, 'slices'],
    ['$.', 2, 'missing'],
    ["$['open", 2, 'not closed'],
    ["$['a'", 5, 'expected "]"'],
    ["$['a\\n']", 4, 'unsupported escape'],
    ['$[1', 3, 'expected "]"'],
    ['$.a b', 3, 'unexpected'],
  ])('refuses %j at position %d', (path, position, reason) => {
    let error: unknown;
    try {
      compileJsonPath(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(JsonPathError);
    const e = error as JsonPathError;
    expect(e.position).toBe(position);
    expect(e.path).toBe(path);
    expect(e.message).toContain(reason);
    expect(e.message).toContain(`position ${position}`);
  });
});

describe('readJsonPath', () => {
  const doc = { time: 5, values: { 'p.axle.wear': 1.5, list: [10, { x: 7 }] }, nothing: null };

  it('follows members and indexes', () => {
    expect(readJsonPath(compileJsonPath('$'), doc)).toBe(doc);
    expect(readJsonPath(compileJsonPath("$.values['p.axle.wear']"), doc)).toBe(1.5);
    expect(readJsonPath(compileJsonPath('$.values.list[1].x'), doc)).toBe(7);
    expect(readJsonPath(compileJsonPath('$.nothing'), doc)).toBeNull();
  });

  it('finds nothing where a step does not apply', () => {
    for (const path of ['$.missing', '$.values.list[2]', '$.time.x', '$.values[0]', '$.values.list.x', '$.nothing.x']) {
      expect(readJsonPath(compileJsonPath(path), doc)).toBeUndefined();
    }
  });

  it('never reaches the prototype', () => {
    expect(readJsonPath(compileJsonPath('$.constructor'), {})).toBeUndefined();
    expect(readJsonPath(compileJsonPath("$['__proto__']"), {})).toBeUndefined();
    expect(readJsonPath(compileJsonPath('$.length'), [1, 2])).toBeUndefined();
  });
});

describe('parseSampleTime', () => {
  it('takes epoch ms numbers', () => {
    expect(parseSampleTime(1736150400000)).toEqual({ ok: true, time: 1736150400000 });
    expect(parseSampleTime(0)).toEqual({ ok: true, time: 0 });
  });

  it.each([
    ['2025-01-06T08:00:00Z', Date.UTC(2025, 0, 6, 8)],
    ['2025-01-06T08:00:00.250Z', Date.UTC(2025, 0, 6, 8, 0, 0, 250)],
    ['2025-01-06T08:00:00.1234567Z', Date.UTC(2025, 0, 6, 8, 0, 0, 123)],
    ['2025-01-06T09:00:00+01:00', Date.UTC(2025, 0, 6, 8)],
    ['2025-01-06T03:30:00-0430', Date.UTC(2025, 0, 6, 8)],
    ['2025-01-06T10:00+02', Date.UTC(2025, 0, 6, 8)],
    ['2025-01-06 08:00:00z', Date.UTC(2025, 0, 6, 8)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
  ])('takes ISO 8601 %s', (text, time) => {
    expect(parseSampleTime(text)).toEqual({ ok: true, time });
  });

  it.each([
    ['2025-01-06T08:00:00', 'with a zone'],
    ['2025-01-06', 'with a zone'],
    ['2025-02-30T08:00:00Z', 'no valid date'],
    ['2025-01-06T24:00:00Z', 'no valid date'],
    ['2025-13-01T08:00:00Z', 'no valid date'],
    ['2025-01-06T08:00:00+25:00', 'invalid zone'],
    ['1736150400000', 'not an ISO 8601'],
    ['NaN', 'not an ISO 8601'],
    ['yesterday', 'not an ISO 8601'],
  ])('refuses %j', (text, problem) => {
    const r = parseSampleTime(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toContain(problem);
  });

  it('refuses what is neither a number nor text', () => {
    for (const v of [true, null, {}, [], Number.NaN, Number.POSITIVE_INFINITY, 9e15]) expect(parseSampleTime(v).ok).toBe(false);
  });
});
