import { Expr } from './ast';
import { ConditionError } from './errors';
import { tokenize } from './lexer';
import { parseCondition } from './parser';

const statuses = new Set(['p.a.x', 'p.a.y', 'p.b-c.z', 'p.traction.vibration_rms', 'p.a-b.x', 'p.motor-bearing.bearing_temp']);
const parse = (source: string) => parseCondition(source, { statuses });

/** The tree in a compact prefix notation, to assert precedence and associativity. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'number':
      return String(e.value);
    case 'boolean':
      return String(e.value);
    case 'status':
      return e.ref;
    case 'unary':
      return `(${e.op} ${show(e.operand)})`;
    case 'binary':
      return `(${e.op} ${show(e.left)} ${show(e.right)})`;
    case 'window':
      return `${e.fn}[${e.ref},${e.durationMs}]`;
    case 'for':
      return `for[${show(e.condition)},${e.durationMs}]`;
  }
}

const tree = (source: string) => show(parse(source).ast);

function error(source: string): ConditionError {
  try {
    parse(source);
  } catch (e) {
    if (e instanceof ConditionError) return e;
    throw e;
  }
  throw new Error(`expected an error for: ${source}`);
}

describe('lexer', () => {
  it('reads numbers with fractions and exponents', () => {
    const tokens = tokenize('1 2.5 .5 1e-3 2E+2 7e3', { statuses });
    expect(tokens.filter((t) => t.kind === 'number').map((t) => t.value)).toEqual([1, 2.5, 0.5, 0.001, 200, 7000]);
  });

  it('resolves dotted and hyphenated references against the known names (longest known prefix at a hyphen)', () => {
    const kinds = (s: string) => tokenize(s, { statuses }).map((t) => `${t.kind}:${t.text}`).slice(0, -1);
    expect(kinds('p.b-c.z')).toEqual(['status:p.b-c.z']);
    // A minus without spaces between two known references is a subtraction.
    expect(kinds('p.a.x-p.a.y')).toEqual(['status:p.a.x', 'op:-', 'status:p.a.y']);
    expect(kinds('p.a.x-2')).toEqual(['status:p.a.x', 'op:-', 'number:2']);
    expect(kinds('p.a-b.x-p.a.x')).toEqual(['status:p.a-b.x', 'op:-', 'status:p.a.x']);
    expect(kinds('avg(p.a.x,60)')).toEqual(['name:avg', '(:(', 'status:p.a.x', ',:,', 'number:60', '):)']);
    expect(kinds("x-y")).toEqual(['name:x', 'op:-', 'name:y']);
  });

  it('records 0-based spans', () => {
    const [a, op, b] = tokenize('p.a.x  >= 3', { statuses });
    expect([a.start, a.end, op.start, op.end, b.start]).toEqual([0, 5, 7, 9, 10]);
  });
});

describe('parser: precedence and associativity', () => {
  it.each([
    ['p.a.x > 7.1 || p.a.y >= 2', '(|| (> p.a.x 7.1) (>= p.a.y 2))'],
    ['p.a.x > 1 || p.a.y > 2 && p.b-c.z > 3', '(|| (> p.a.x 1) (&& (> p.a.y 2) (> p.b-c.z 3)))'],
    ['p.a.x + p.a.y * 2 > 1', '(> (+ p.a.x (* p.a.y 2)) 1)'],
    ['p.a.x - p.a.y - 1 > 0', '(> (- (- p.a.x p.a.y) 1) 0)'],
    ['p.a.x / p.a.y / 2 > 0', '(> (/ (/ p.a.x p.a.y) 2) 0)'],
    ['-p.a.x * 2 < -3', '(< (* (- p.a.x) 2) (- 3))'],
    ['p.a.x - -p.a.y > 0', '(> (- p.a.x (- p.a.y)) 0)'],
    ['(p.a.x + p.a.y) * 2 > 1', '(> (* (+ p.a.x p.a.y) 2) 1)'],
    ['!p.a.x > 5', '(! (> p.a.x 5))'],
    ['!p.a.x > 5 && p.a.y < 1', '(&& (! (> p.a.x 5)) (< p.a.y 1))'],
    ['!(p.a.x > 5) || !true', '(|| (! (> p.a.x 5)) (! true))'],
    ['(p.a.x > 1) == (p.a.y > 1)', '(== (> p.a.x 1) (> p.a.y 1))'],
    ['true && !false', '(&& true (! false))'],
    ['p.a.x != 1e-3', '(!= p.a.x 0.001)'],
  ])('%s', (source, expected) => {
    expect(tree(source)).toBe(expected);
  });
});

describe('parser: window functions and durations', () => {
  it.each([
    ["avg(p.traction.vibration_rms, '10m') > 7.1", '(> avg[p.traction.vibration_rms,600000] 7.1)'],
    ["min(p.a.x, '30s') < 1", '(< min[p.a.x,30000] 1)'],
    ["max(p.a.x, '1h') > 1", '(> max[p.a.x,3600000] 1)'],
    ["delta(p.a.x, '2d') > 1", '(> delta[p.a.x,172800000] 1)'],
    ["rate(p.a.x, '1h30m') > 1", '(> rate[p.a.x,5400000] 1)'],
    ['count(p.a.x, 90) >= 3', '(>= count[p.a.x,90000] 3)'],
    ["for(p.a.x > 0, '5m')", 'for[(> p.a.x 0),300000]'],
    ['for(p.a.x > 0 || p.b-c.z > 1, "2m") && true', '(&& for[(|| (> p.a.x 0) (> p.b-c.z 1)),120000] true)'],
    ["for(for(p.a.x > 0, '1m'), '2m')", 'for[for[(> p.a.x 0),60000],120000]'],
    ["avg(p.a.x, '1.5h') - avg(p.a.x, '10m') > 0", '(> (- avg[p.a.x,5400000] avg[p.a.x,600000]) 0)'],
  ])('%s', (source, expected) => {
    expect(tree(source)).toBe(expected);
  });

  it('lists statuses, window calls (with their source text) and for() calls', () => {
    const p = parse("avg(p.traction.vibration_rms, '10m') > 7.1 || p.motor-bearing.bearing_temp > 85 || for(p.a.x > 45, '2m') || p.a.x > 99");
    expect(p.statuses).toEqual(['p.traction.vibration_rms', 'p.motor-bearing.bearing_temp', 'p.a.x']);
    expect(p.windows).toEqual([{ fn: 'avg', ref: 'p.traction.vibration_rms', durationMs: 600000, label: "avg(p.traction.vibration_rms, '10m')" }]);
    expect(p.fors).toEqual([{ durationMs: 120000, label: "for(p.a.x > 45, '2m')" }]);
  });
});

describe('parser: errors point at the column', () => {
  it.each([
    ['p.a.x > 7.1 && 3', 16, '`&&` needs booleans, got a number'],
    ['p.a.x && p.a.y > 1', 1, '`&&` needs booleans, got a number'],
    ['p.a.x + (p.a.y > 1) > 0', 9, '`+` needs numbers, got a boolean'],
    ['!p.a.x', 2, '`!` needs booleans, got a number'],
    ['-(p.a.x > 1) > 0', 2, '`-` needs numbers, got a boolean'],
    ['(p.a.x > 1) == 3', 16, '`==` compares values of one type, got a boolean and a number'],
    ['p.a.x + 1', 1, 'a condition must be true or false, got a number'],
    ["for(p.a.x, '5m')", 5, '`for` needs booleans, got a number'],
    ['p.a.x > 1 > 2', 11, 'comparisons do not chain'],
    ['p.a.x > ', 9, 'unexpected end of condition, expected a value'],
    ['p.a.x > 1)', 10, 'unmatched ")"'],
    ['(p.a.x > 1', 11, 'expected ")", got the end'],
    ['p.a.x > 1 p.a.y', 11, 'expected an operator or the end, got "p.a.y"'],
    ['p.a.q > 1', 1, 'unknown status "p.a.q"'],
    ['p.a.x > 1 || p.zz.y > 1', 14, 'unknown status "p.zz.y"'],
    ['p.a.x = 1', 7, 'use == to compare'],
    ['p.a.x > 1 & true', 11, 'use &&'],
    ['p.a.x > 1 | true', 11, 'use ||'],
    ['p.a.x > 1 # x', 11, 'unexpected character "#"'],
    ['speed > 1', 1, 'unknown name "speed"'],
    ["median(p.a.x, '1m') > 1", 1, 'unknown function "median"'],
    ['avg > 1', 1, 'avg is a function'],
    ["avg(3, '1m') > 1", 5, 'avg takes a status reference as its first argument'],
    ["avg(p.a.x + 1, '1m') > 1", 11, 'avg reads the samples of one status'],
    ['avg(p.a.x, 10m) > 1', 12, "a duration needs quotes: '10m'"],
    ["avg(p.a.x, '10y') > 1", 12, 'unknown duration unit "y"'],
    ["avg(p.a.x, '') > 1", 12, 'empty duration'],
    ["avg(p.a.x, '0s') > 1", 12, 'a duration must be more than 0'],
    ['avg(p.a.x) > 1', 10, 'expected "," and a duration, got ")"'],
    ["avg(p.a.x, p.a.y) > 1", 12, "expected a duration such as '10m'"],
    ["p.a.x > '10m'", 9, 'a duration is only allowed as the second argument'],
    ["avg(p.a.x, '10m > 1", 12, 'unterminated duration'],
    ['p.a.x > 1e999', 9, 'number 1e999 is out of range'],
    ['', 1, 'empty condition'],
  ])('%s', (source, column, reason) => {
    const e = error(source);
    expect(e.reason).toContain(reason);
    expect(e.column).toBe(column);
    expect(e.message).toBe(`${e.reason} at column ${column}`);
  });

  it('formats an excerpt with a caret under the column', () => {
    const e = error('p.a.x > 7.1 && 3');
    expect(e.message).toBe('`&&` needs booleans, got a number at column 16');
    expect(e.excerpt).toBe('  p.a.x > 7.1 && 3\n                 ^');
    expect(e.format()).toBe(`${e.message}\n${e.excerpt}`);
  });

  it('names line and column in multi-line conditions', () => {
    const e = error('p.a.x > 1 ||\n  p.a.y > true');
    expect(e.line).toBe(2);
    expect(e.column).toBe(11);
    expect(e.message).toBe('`>` needs numbers, got a boolean at line 2, column 11');
    expect(e.excerpt).toBe('    p.a.y > true\n            ^');
  });

  it('attributes an error to a trigger on request', () => {
    const e = error('p.a.q > 1').forTrigger('ss.x');
    expect(e.trigger).toBe('ss.x');
    expect(e.message).toBe('trigger ss.x: unknown status "p.a.q" at column 1');
  });

  it('explains unknown references when given a hint', () => {
    try {
      parseCondition('p.a.q > 1', { statuses, explainUnknown: () => 'part p.a has x, y' });
      throw new Error('no error');
    } catch (e) {
      expect((e as ConditionError).reason).toBe('unknown status "p.a.q" (part p.a has x, y)');
    }
  });
});
