// Durations in conditions ('10m', '1h30m', bare seconds) and the model's time unit, both in ms:
// samples carry ms epoch times, so everything the engine compares is in ms.

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const PART = /(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h|d|w)/y;

/**
 * Parses the text of a quoted duration: one or more `<number><unit>` parts, units ms, s, m
 * (minutes), h, d, w, in any order and summed (`'1h30m'`, `'90s'`, `'1.5h'`). Spaces between
 * parts are allowed. Returns the duration in ms, or an error message.
 */
export function parseDuration(text: string): { ms: number } | { error: string } {
  const compact = text.trim();
  if (compact === '') return { error: "empty duration (write e.g. '10m', '1h30m' or a number of seconds)" };
  let ms = 0;
  let i = 0;
  while (i < compact.length) {
    if (compact[i] === ' ') {
      i++;
      continue;
    }
    PART.lastIndex = i;
    const m = PART.exec(compact);
    if (!m) {
      const unit = /^\d+(?:\.\d+)?([A-Za-z]+)/.exec(compact.slice(i));
      return {
        error: unit
          ? `unknown duration unit "${unit[1]}" in '${text}' (units: ms, s, m, h, d, w)`
          : `cannot read duration '${text}' (write e.g. '30s', '10m', '1h30m', '2d')`,
      };
    }
    ms += Number(m[1]) * UNIT_MS[m[2]];
    i = PART.lastIndex;
  }
  return { ms };
}

const TIME_UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, second: 1000, seconds: 1000,
  min: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000,
};

/**
 * Milliseconds per model time unit (`timeUnit`, default h). `m` is refused on purpose: in a model
 * it could mean minutes or months, and a wrong guess would shift every deadline silently.
 */
export function timeUnitMs(unit: string): number {
  const ms = TIME_UNIT_MS[unit.trim().toLowerCase()];
  if (ms === undefined) {
    throw new Error(`unknown model timeUnit "${unit}" (the trigger engine knows ms, s, min, h, d, w)`);
  }
  return ms;
}

/** A duration for messages: the largest units that divide it ('90m' -> '1h30m'). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return rest > 0 ? `${ms}ms` : out;
}
