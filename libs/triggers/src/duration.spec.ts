import { formatDuration, parseDuration, timeUnitMs } from './duration';

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
    ['1w', 604_800_000],
    ['250ms', 250],
    ['1h30m', 5_400_000],
    ['1h 30m 15s', 5_415_000],
    ['1.5h', 5_400_000],
    ['.5s', 500],
  ])("'%s' is %d ms", (text, ms) => {
    expect(parseDuration(text)).toEqual({ ms });
  });

  it.each(['', '  ', '10', '10y', 'h', '1h30', '-1s', '1e3s'])("rejects '%s'", (text) => {
    expect('error' in parseDuration(text)).toBe(true);
  });
});

describe('timeUnitMs', () => {
  it('converts the model time units', () => {
    expect(timeUnitMs('h')).toBe(3_600_000);
    expect(timeUnitMs('hours')).toBe(3_600_000);
    expect(timeUnitMs('min')).toBe(60_000);
    expect(timeUnitMs('s')).toBe(1000);
    expect(timeUnitMs('d')).toBe(86_400_000);
    expect(timeUnitMs('ms')).toBe(1);
  });

  it('refuses the ambiguous "m" and unknown units', () => {
    expect(() => timeUnitMs('m')).toThrow('unknown model timeUnit "m"');
    expect(() => timeUnitMs('fortnight')).toThrow('unknown model timeUnit');
  });
});

describe('formatDuration', () => {
  it('uses the largest units', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(1500)).toBe('1s500ms');
  });
});
