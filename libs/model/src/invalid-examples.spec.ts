// Every document in examples/invalid/ must fail to load with an issue line containing its expectation:
// `# expect: <text>` on the first line of a YAML file, the first line of NAME.expect for a JSON file.
// The library does no I/O; this test reads its fixture files itself.
import { existsSync, readFileSync, readdirSync } from 'fs';
import { join } from 'path';
import { formatIssue, guessFormat, parseText, readPssDocument } from './index';

const DIR = join(__dirname, '..', '..', '..', 'examples', 'invalid');

function expectation(file: string, text: string): string {
  if (/\.ya?ml$/.test(file)) {
    const m = /^# expect: (.+)$/.exec(text.split('\n')[0]);
    if (!m) throw new Error(`${file}: the first line must be "# expect: <text>"`);
    return m[1].trim();
  }
  const expectFile = join(DIR, file.replace(/\.json$/, '.expect'));
  if (!existsSync(expectFile)) throw new Error(`${file}: no ${expectFile}`);
  return readFileSync(expectFile, 'utf8').split('\n')[0].trim();
}

/** Every issue line `pss validate` would print for the text: parse errors, else validation errors. */
function issueLines(file: string, text: string): string[] {
  const parsed = parseText(text, guessFormat(text, file));
  if (!parsed.ok) return parsed.issues.map(formatIssue);
  const read = readPssDocument(parsed.value);
  return read.ok ? [] : read.issues.map(formatIssue);
}

const files = readdirSync(DIR)
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .sort();

describe('examples/invalid', () => {
  it('holds 10 to 14 broken documents in both formats, each with its own expectation', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
    expect(files.length).toBeLessThanOrEqual(14);
    expect(files.some((f) => f.endsWith('.json'))).toBe(true);
    expect(files.some((f) => /\.ya?ml$/.test(f))).toBe(true);
    const expectations = files.map((f) => expectation(f, readFileSync(join(DIR, f), 'utf8')));
    expect(new Set(expectations).size).toBe(files.length);
    // every .expect file belongs to a JSON document
    for (const e of readdirSync(DIR).filter((f) => f.endsWith('.expect'))) expect(files).toContain(e.replace(/\.expect$/, '.json'));
  });

  it.each(files)('%s fails with the expected issue', (file) => {
    const text = readFileSync(join(DIR, file), 'utf8');
    const expected = expectation(file, text);
    const lines = issueLines(file, text);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.find((line) => line.includes(expected)) ?? lines).toEqual(expect.stringContaining(expected));
  });

  it.each(files)('%s is broken in one way only: it gives exactly one issue', (file) => {
    // Guards against fixtures that are broken in more ways than the one they are about.
    const text = readFileSync(join(DIR, file), 'utf8');
    expect(issueLines(file, text)).toHaveLength(1);
  });
});
