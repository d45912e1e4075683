// The condition parser (Pratt: one loop over binary operators by binding power) and the type
// checker. Numbers and booleans are different types: `p.x.s && 1` is a mistake in a model file,
// and saying so at load time beats a trigger that silently never fires.
import { BinaryOp, ComparisonOp, Expr, ValueType, WINDOW_FNS, WindowFn, walk } from './ast';
import { parseDuration } from './duration';
import { ConditionError } from './errors';
import { LexOptions, Token, tokenize } from './lexer';

/**
 * Binding powers. Comparisons do not associate (`a < b < c` is an error, not `(a < b) < c`).
 * `!` binds looser than comparisons and tighter than `&&`, as Python's `not`: `!p.x.s > 5` is
 * `!(p.x.s > 5)` (the only reading that type-checks, since `!` needs a boolean).
 */
const INFIX: Readonly<Record<string, number>> = {
  '||': 1,
  '&&': 2,
  '<': 4, '<=': 4, '>': 4, '>=': 4, '==': 4, '!=': 4,
  '+': 5, '-': 5,
  '*': 6, '/': 6,
};
const NOT_OPERAND_BP = 3;
const COMPARISON_BP = 4;
const NEGATE_OPERAND_BP = 7;

export interface WindowUse {
  fn: WindowFn;
  ref: string;
  durationMs: number;
  /** The call as written, e.g. `avg(p.x.s, '10m')`: the key of its value in a firing. */
  label: string;
}

export interface ForUse {
  durationMs: number;
  label: string;
}

/** A parsed, resolved and type-checked condition. */
export interface ParsedCondition {
  source: string;
  ast: Expr;
  /** Every status referenced anywhere (plain or inside window functions), first use first. */
  statuses: string[];
  /** Window-function calls in source order (duplicates kept: each call is its own node). */
  windows: WindowUse[];
  /** `for(...)` calls in source order; their position is their identity in a snapshot. */
  fors: ForUse[];
}

export type ParseOptions = LexOptions;

/** Parses, resolves and type-checks a condition; throws ConditionError at the first problem. */
export function parseCondition(source: string, options: ParseOptions): ParsedCondition {
  const ast = new Parser(source, tokenize(source, options)).parse();
  const type = typeOf(ast, source);
  if (type !== 'boolean') {
    throw new ConditionError(source, ast.start, 'a condition must be true or false, got a number (compare it, e.g. "... > 7")');
  }
  const statuses: string[] = [];
  const windows: WindowUse[] = [];
  const fors: ForUse[] = [];
  walk(ast, (n) => {
    if ((n.kind === 'status' || n.kind === 'window') && !statuses.includes(n.ref)) statuses.push(n.ref);
    if (n.kind === 'window') windows.push({ fn: n.fn, ref: n.ref, durationMs: n.durationMs, label: source.slice(n.start, n.end) });
    if (n.kind === 'for') fors.push({ durationMs: n.durationMs, label: source.slice(n.start, n.end) });
  });
  return { source, ast, statuses, windows, fors };
}

class Parser {
  private pos = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: Token[],
  ) {}

  parse(): Expr {
    if (this.peek().kind === 'eof') this.fail(this.peek(), 'empty condition');
    const e = this.expression(0);
    const t = this.peek();
    if (t.kind !== 'eof') this.fail(t, t.kind === ')' ? 'unmatched ")"' : `expected an operator or the end, got "${t.text}"`);
    return e;
  }

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private next(): Token {
    return this.tokens[this.pos++];
  }

  private fail(t: Token, reason: string): never {
    throw new ConditionError(this.source, t.start, reason);
  }

  private expect(kind: Token['kind'], what: string): Token {
    const t = this.peek();
    if (t.kind !== kind) this.fail(t, `expected ${what}, got ${t.kind === 'eof' ? 'the end' : `"${t.text}"`}`);
    return this.next();
  }

  private expression(minBp: number): Expr {
    let left = this.prefix();
    let comparedAtThisLevel = false;
    for (;;) {
      const t = this.peek();
      const bp = t.kind === 'op' ? INFIX[t.text] : undefined;
      if (bp === undefined || bp < minBp) break;
      if (bp === COMPARISON_BP) {
        if (comparedAtThisLevel) this.fail(t, `comparisons do not chain: write "a < b && b < c", or add parentheses`);
        comparedAtThisLevel = true;
      }
      this.next();
      // Left-associative: the right operand binds strictly tighter. Comparisons too, which is
      // what makes them non-associative together with the check above.
      const right = this.expression(bp + 1);
      left = { kind: 'binary', op: t.text as BinaryOp, opStart: t.start, left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private prefix(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'number':
        if (!Number.isFinite(t.value)) this.fail(t, `number ${t.text} is out of range`);
        return { kind: 'number', value: t.value, start: t.start, end: t.end };
      case 'status':
        return { kind: 'status', ref: t.text, start: t.start, end: t.end };
      case '(': {
        const inner = this.expression(0);
        const close = this.expect(')', '")"');
        // The span covers the parentheses so that error carets and labels include them.
        return { ...inner, start: t.start, end: close.end };
      }
      case 'op':
        if (t.text === '-') {
          const operand = this.expression(NEGATE_OPERAND_BP);
          return { kind: 'unary', op: '-', operand, start: t.start, end: operand.end };
        }
        if (t.text === '!') {
          const operand = this.expression(NOT_OPERAND_BP);
          return { kind: 'unary', op: '!', operand, start: t.start, end: operand.end };
        }
        return this.fail(t, `expected a value before "${t.text}"`);
      case 'name':
        return this.name(t);
      case 'duration':
        return this.fail(t, "a duration is only allowed as the second argument of a window function or for(), e.g. avg(p.x.s, '10m')");
      case 'eof':
        return this.fail(t, 'unexpected end of condition, expected a value');
      default:
        return this.fail(t, `expected a value, got "${t.text}"`);
    }
  }

  private name(t: Token): Expr {
    if (t.text === 'true' || t.text === 'false') return { kind: 'boolean', value: t.text === 'true', start: t.start, end: t.end };
    const isWindow = (WINDOW_FNS as readonly string[]).includes(t.text);
    if (!isWindow && t.text !== 'for') {
      if (this.peek().kind === '(') this.fail(t, `unknown function "${t.text}" (functions: ${[...WINDOW_FNS, 'for'].join(', ')})`);
      this.fail(t, `unknown name "${t.text}" (a status is written <part id>.<status key>)`);
    }
    if (this.peek().kind !== '(') {
      this.fail(t, isWindow ? `${t.text} is a function: ${t.text}(<part>.<status>, '10m')` : "for is a function: for(<condition>, '5m')");
    }
    this.next();
    if (t.text === 'for') {
      const condition = this.expression(0);
      this.expect(',', '"," and a duration');
      const durationMs = this.duration();
      const close = this.expect(')', '")"');
      return { kind: 'for', condition, durationMs, start: t.start, end: close.end };
    }
    const arg = this.peek();
    if (arg.kind !== 'status') {
      this.fail(arg, `${t.text} takes a status reference as its first argument, e.g. ${t.text}(p.part.status, '10m')`);
    }
    this.next();
    const after = this.peek();
    if (after.kind === 'op') {
      this.fail(after, `${t.text} reads the samples of one status: its first argument is a status reference, not an expression`);
    }
    this.expect(',', '"," and a duration');
    const durationMs = this.duration();
    const close = this.expect(')', '")"');
    return { kind: 'window', fn: t.text as WindowFn, ref: arg.text, durationMs, start: t.start, end: close.end };
  }

  /** A quoted duration ('10m', '1h30m') or a bare number of seconds; must be > 0. */
  private duration(): number {
    const t = this.next();
    let ms: number;
    if (t.kind === 'number') {
      ms = t.value * 1000;
    } else if (t.kind === 'duration') {
      const d = parseDuration(t.text);
      if ('error' in d) return this.fail(t, d.error);
      ms = d.ms;
    } else {
      return this.fail(t, `expected a duration such as '10m' or a number of seconds, got ${t.kind === 'eof' ? 'the end' : `"${t.text}"`}`);
    }
    if (!(ms > 0) || !Number.isFinite(ms)) this.fail(t, 'a duration must be more than 0');
    return ms;
  }
}

const article = (type: ValueType) => (type === 'number' ? 'a number' : 'a boolean');

/** The type of an expression; throws at the first operand of the wrong type. */
export function typeOf(e: Expr, source: string): ValueType {
  const need = (operand: Expr, want: ValueType, what: string): void => {
    const got = typeOf(operand, source);
    if (got !== want) throw new ConditionError(source, operand.start, `${what} needs ${want}s, got ${article(got)}`);
  };
  switch (e.kind) {
    case 'number':
    case 'status':
    case 'window':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'for':
      need(e.condition, 'boolean', '`for`');
      return 'boolean';
    case 'unary':
      need(e.operand, e.op === '-' ? 'number' : 'boolean', `\`${e.op}\``);
      return e.op === '-' ? 'number' : 'boolean';
    case 'binary': {
      const op = e.op;
      if (op === '&&' || op === '||') {
        need(e.left, 'boolean', `\`${op}\``);
        need(e.right, 'boolean', `\`${op}\``);
        return 'boolean';
      }
      if (op === '==' || op === '!=') {
        const l = typeOf(e.left, source);
        const r = typeOf(e.right, source);
        if (l !== r) throw new ConditionError(source, e.right.start, `\`${op}\` compares values of one type, got ${article(l)} and ${article(r)}`);
        return 'boolean';
      }
      need(e.left, 'number', `\`${op}\``);
      need(e.right, 'number', `\`${op}\``);
      return isComparison(op) ? 'boolean' : 'number';
    }
  }
}

export function isComparison(op: BinaryOp): op is ComparisonOp {
  return op === '<' || op === '<=' || op === '>' || op === '>=' || op === '==' || op === '!=';
}
