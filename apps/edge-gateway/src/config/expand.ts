// Small text expansions of the configuration file: environment variables for secrets, ranges for fleets of assets,
// and {asset}/{part}/{status} templates for per-asset topics and node ids.

/** `${env:NAME}` or `${env:NAME:-fallback}`. Names: letters, digits, underscore. */
const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface EnvProblem {
  path: string;
  message: string;
}

/**
 * Replaces environment references in every string of a parsed document (secrets stay out of the file). A missing
 * variable without fallback is a problem at its path; the value is never echoed into messages.
 */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, path = '', problems: EnvProblem[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (_match, name: string, fallback: string | undefined) => {
      const found = env[name];
      if (found !== undefined) return found;
      if (fallback !== undefined) return fallback;
      problems.push({ path, message: `environment variable ${name} is not set (write \${env:${name}:-default} for a default)` });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => substituteEnv(item, env, `${path}[${i}]`, problems));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = substituteEnv(item, env, path ? `${path}.${key}` : key, problems);
    return out;
  }
  return value;
}

const RANGE = /\{(\d+)\.\.(\d+)\}/g;

/** The most asset ids one pattern may produce: a typo like {1..1000000000} must not exhaust memory. */
export const MAX_RANGE = 100_000;

/**
 * Expands one numeric range in an id pattern: `elevator-{01..50}` → elevator-01 … elevator-50 (zero-padded to the
 * width of the first bound when it has a leading zero). Text without a range is one id. Throws a RangeError with a
 * readable message for a second range, a reversed range or one over MAX_RANGE ids.
 */
export function expandIdPattern(pattern: string): string[] {
  const ranges = [...pattern.matchAll(RANGE)];
  if (ranges.length === 0) return [pattern];
  if (ranges.length > 1) throw new RangeError(`has ${ranges.length} ranges; at most one {a..b} per pattern`);
  const [whole, fromText, toText] = ranges[0];
  const from = Number(fromText);
  const to = Number(toText);
  if (to < from) throw new RangeError(`range {${fromText}..${toText}} runs backwards`);
  if (to - from + 1 > MAX_RANGE) throw new RangeError(`range {${fromText}..${toText}} has ${to - from + 1} ids, over the limit of ${MAX_RANGE}`);
  const width = fromText.length > 1 && fromText.startsWith('0') ? fromText.length : 0;
  const at = ranges[0].index ?? 0;
  const head = pattern.slice(0, at);
  const tail = pattern.slice(at + whole.length);
  const ids: string[] = [];
  for (let n = from; n <= to; n++) ids.push(`${head}${String(n).padStart(width, '0')}${tail}`);
  return ids;
}

/** Placeholders a template may use. */
export interface TemplateValues {
  asset: string;
  part?: string;
  status?: string;
}

const PLACEHOLDER = /\{(asset|part|status)\}/g;

/** Fills `{asset}`, `{part}`, `{status}`; a placeholder without a value stays as written (the caller checks). */
export function fillTemplate(template: string, values: TemplateValues): string {
  return template.replace(PLACEHOLDER, (match, key: 'asset' | 'part' | 'status') => values[key] ?? match);
}
