// The condition lexer. Hand-written because status references cannot be found by a regular
// expression alone: part ids may contain dots and hyphens, so `p.a.x-p.b.y` is one word to a regex
// but a subtraction to a person. References are resolved against the known `<part>.<status>`
// names while lexing (longest known prefix that ends at a hyphen or at the end of the word), which
// is the same reading as @pss/model's unknownStatusRefs.
import { ConditionError } from './errors';

export type TokenKind = 'number' | 'duration' | 'status' | 'name' | 'op' | '(' | ')' | ',' | 'eof';

export interface Token {
  kind: TokenKind;
  /** The source text of the token (for a duration: without the quotes). */
  text: string;
  /** The number's value, for number tokens. */
  value: number;
  /** 0-based offsets into the condition: [start, end). */
  start: number;
  end: number;
}

/** Operators, longest first so that `<=` is not read as `<` then `=`. */
const OPERATORS = ['&&', '||', '<=', '>=', '==', '!=', '<', '>', '+', '-', '*', '/', '!'] as const;

const isDigit = (c: string) => c >= '0' && c <= '9';
const isNameStart = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isNameChar = (c: string) => isNameStart(c) || isDigit(c);
const isWordChar = (c: string) => isNameChar(c) || c === '.' || c === '-';

export interface LexOptions {
  /** Known status references `<part id>.<status key>`. */
  statuses: ReadonlySet<string>;
  /** Explains an unknown reference (e.g. lists the part's statuses); optional. */
  explainUnknown?: (word: string) => string;
}

export function tokenize(source: string, options: LexOptions): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (at: number, reason: string): never => {
    throw new ConditionError(source, at, reason);
  };
  while (i < source.length) {
    const c = source[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(c) || (c === '.' && isDigit(source[i + 1] ?? ''))) {
      i = scanNumber(source, i);
      const text = source.slice(start, i);
      // `10m` without quotes is the likeliest slip; say what to write instead.
      if (isNameStart(source[i] ?? '')) {
        const tail = /^[A-Za-z_]\w*/.exec(source.slice(i))![0];
        fail(start, /^(ms|s|m|h|d|w)$/.test(tail) ? `a duration needs quotes: '${text}${tail}'` : `unexpected "${text}${tail}"`);
      }
      tokens.push({ kind: 'number', text, value: Number(text), start, end: i });
      continue;
    }
    if (c === "'" || c === '"') {
      const close = source.indexOf(c, i + 1);
      if (close < 0) fail(start, `unterminated duration: missing closing ${c}`);
      tokens.push({ kind: 'duration', text: source.slice(i + 1, close), value: NaN, start, end: close + 1 });
      i = close + 1;
      continue;
    }
    if (isNameStart(c)) {
      tokens.push(scanWord(source, i, options));
      i = tokens[tokens.length - 1].end;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: c, text: c, value: NaN, start, end: i + 1 });
      i++;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (op) {
      tokens.push({ kind: 'op', text: op, value: NaN, start, end: i + op.length });
      i += op.length;
      continue;
    }
    if (c === '=') fail(start, 'use == to compare (a single = is not an operator)');
    if (c === '&' || c === '|') fail(start, `use ${c}${c} (a single ${c} is not an operator)`);
    fail(start, `unexpected character "${c}"`);
  }
  tokens.push({ kind: 'eof', text: '', value: NaN, start: source.length, end: source.length });
  return tokens;
}

/** digits [. digits] [e [+-] digits], or . digits; returns the end offset. */
function scanNumber(source: string, i: number): number {
  while (isDigit(source[i] ?? '')) i++;
  if (source[i] === '.' && isDigit(source[i + 1] ?? '')) {
    i++;
    while (isDigit(source[i] ?? '')) i++;
  }
  if (source[i] === 'e' || source[i] === 'E') {
    let j = i + 1;
    if (source[j] === '+' || source[j] === '-') j++;
    if (isDigit(source[j] ?? '')) {
      i = j;
      while (isDigit(source[i] ?? '')) i++;
    }
  }
  return i;
}

/**
 * A word starting with a letter: a name (true, false, a function) when it has no dot before its
 * first hyphen, else a status reference: the longest known reference that is a prefix of the word
 * ending at a hyphen or at the word's end. The rest (from that hyphen) is lexed again as a minus.
 */
function scanWord(source: string, start: number, options: LexOptions): Token {
  let end = start;
  while (end < source.length && isWordChar(source[end])) end++;
  // Trailing dots or hyphens belong to no id (`p.x.s-` is "p.x.s" then a minus).
  while (end > start && (source[end - 1] === '.' || source[end - 1] === '-')) end--;
  const word = source.slice(start, end);
  const firstHyphen = word.indexOf('-');
  const head = firstHyphen < 0 ? word : word.slice(0, firstHyphen);
  if (!head.includes('.')) {
    // A plain name: letters, digits and underscores only; anything else is an operator after it.
    let nameEnd = start;
    while (nameEnd < source.length && isNameChar(source[nameEnd])) nameEnd++;
    return { kind: 'name', text: source.slice(start, nameEnd), value: NaN, start, end: nameEnd };
  }
  for (let cut = word.length; cut > 0; cut = word.lastIndexOf('-', cut - 1)) {
    const candidate = word.slice(0, cut);
    if (options.statuses.has(candidate)) return { kind: 'status', text: candidate, value: NaN, start, end: start + cut };
  }
  const hint = options.explainUnknown?.(word);
  throw new ConditionError(source, start, `unknown status "${word}"${hint ? ` (${hint})` : ''}`);
}
