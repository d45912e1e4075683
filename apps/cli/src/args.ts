// Command-line options shared by the commands, parsed strictly: an unknown flag is an error.
import { parseArgs } from 'util';
import { UsageError } from './io';

export type Format = 'json' | 'table';

export interface CommonOptions {
  format: Format;
  positionals: string[];
  values: Record<string, string | boolean | undefined>;
}

export function parseCommand(argv: string[], extra: Record<string, { type: 'string' | 'boolean' }>, defaultFormat: Format): CommonOptions {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { format: { type: 'string' }, help: { type: 'boolean', short: 'h' }, ...extra } });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
  const format = (parsed.values.format as string | undefined) ?? defaultFormat;
  if (format !== 'json' && format !== 'table') throw new UsageError(`--format must be json or table, got "${format}"`);
  return { format, positionals: parsed.positionals, values: parsed.values as Record<string, string | boolean | undefined> };
}

export function intOption(values: CommonOptions['values'], name: string, min = 0): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== 'string' || !/^-?\d+(\.\d+)?(e\d+)?$/i.test(raw) || !Number.isFinite(n) || n < min || (!Number.isInteger(n) && name !== 'exact-limit')) {
    throw new UsageError(`--${name} must be ${name === 'exact-limit' ? 'a number' : 'an integer'} >= ${min}, got "${String(raw)}"`);
  }
  return n;
}
