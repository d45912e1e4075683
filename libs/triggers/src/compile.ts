// Compiles a checked syntax tree into closures, once per trigger. Evaluation then allocates
// nothing: numbers are plain doubles (NaN = unknown) and truth values are small integers.
//
// Unknown data: a status that never reported, a window with no samples, a division by zero or
// an overflow yields the number NaN, which this module treats as "unknown", never as a value.
// Comparisons with an unknown operand are unknown; `&&`, `||`, `!` follow Kleene's three-valued
// logic (`unknown || true` is true, `unknown && false` is false, `!unknown` is unknown). The
// engine fires only on a definite true, so missing data can never make a trigger fire and a NaN
// can never leak into a decision.
import { Expr, hasState } from './ast';
import { WindowAggregate } from './series';

/** Truth values. Numbers, not booleans, so that `1 - v` negates and U survives. */
export const F = 0;
export const T = 1;
export const U = 2;
export type Truth = typeof F | typeof T | typeof U;

/** What compiled conditions read: the per-asset state the engine keeps. */
export interface EvalState {
  /** Evaluation time, ms epoch (the asset's clock). */
  now: number;
  /** Latest value of each status slot; NaN when the status never reported. */
  latest: Float64Array;
  /** Window aggregates by slot (only the slots an asset's triggers use are filled). */
  aggs: WindowAggregate[];
  /** For each `for` slot, since when its condition holds (ms epoch), NaN when it does not. */
  since: Float64Array;
}

export type NumFn = (s: EvalState) => number;
export type BoolFn = (s: EvalState) => number;

/** Maps references in a condition to slots of the engine's per-asset arrays. */
export interface SlotResolver {
  status(ref: string): number;
  aggregate(ref: string, durationMs: number): number;
  /** The slot of the next `for` of the condition being compiled (in source order). */
  nextFor(): number;
}

/** Compiles a boolean expression (already type-checked). `for` slots are taken in source (pre-)order. */
export function compileBool(e: Expr, slots: SlotResolver): BoolFn {
  switch (e.kind) {
    case 'boolean': {
      const v = e.value ? T : F;
      return () => v;
    }
    case 'for': {
      // Slot first: pre-order, the same order as ParsedCondition.fors.
      const k = slots.nextFor();
      const inner = compileBool(e.condition, slots);
      const d = e.durationMs;
      return (s) => {
        const v = inner(s);
        if (v === T) {
          let since = s.since[k];
          if (since !== since) since = s.since[k] = s.now;
          return s.now - since >= d ? T : F;
        }
        // False or unknown breaks the streak: "held continuously" needs a known true throughout.
        s.since[k] = NaN;
        return v;
      };
    }
    case 'unary': {
      const operand = compileBool(e.operand, slots);
      return (s) => {
        const v = operand(s);
        return v === U ? U : 1 - v;
      };
    }
    case 'binary':
      return compileBinaryBool(e, slots);
    default:
      throw new Error(`internal: ${e.kind} is not a boolean expression`);
  }
}

function compileBinaryBool(e: Extract<Expr, { kind: 'binary' }>, slots: SlotResolver): BoolFn {
  const op = e.op;
  if (op === '&&' || op === '||') {
    const l = compileBool(e.left, slots);
    const r = compileBool(e.right, slots);
    // Skipping the right side is safe unless it holds a `for`, whose streak must see every
    // evaluation (a skipped false would otherwise leave a stale "holding since").
    const lazy = !hasState(e.right);
    if (op === '&&') {
      return lazy
        ? (s) => {
            const a = l(s);
            if (a === F) return F;
            const b = r(s);
            return b === F ? F : a === T && b === T ? T : U;
          }
        : (s) => {
            const a = l(s);
            const b = r(s);
            return a === F || b === F ? F : a === T && b === T ? T : U;
          };
    }
    return lazy
      ? (s) => {
          const a = l(s);
          if (a === T) return T;
          const b = r(s);
          return b === T ? T : a === F && b === F ? F : U;
        }
      : (s) => {
          const a = l(s);
          const b = r(s);
          return a === T || b === T ? T : a === F && b === F ? F : U;
        };
  }
  // Equality of truth values: unknown on either side is unknown.
  if ((op === '==' || op === '!=') && isBoolean(e.left)) {
    const l = compileBool(e.left, slots);
    const r = compileBool(e.right, slots);
    const eq = op === '==' ? T : F;
    const ne = op === '==' ? F : T;
    return (s) => {
      const a = l(s);
      const b = r(s);
      return a === U || b === U ? U : a === b ? eq : ne;
    };
  }
  return compileComparison(e, slots);
}

/** Numeric comparisons, specialized for the common "status vs constant" shape of threshold rules. */
function compileComparison(e: Extract<Expr, { kind: 'binary' }>, slots: SlotResolver): BoolFn {
  const op = e.op;
  const left = e.left;
  const right = e.right;
  if (left.kind === 'status' && constantValue(right) !== undefined) {
    return statusVsConstant(op, slots.status(left.ref), constantValue(right)!);
  }
  if (right.kind === 'status' && constantValue(left) !== undefined) {
    return statusVsConstant(mirror(op), slots.status(right.ref), constantValue(left)!);
  }
  const l = compileNum(left, slots);
  if (constantValue(right) !== undefined) return numberVsConstant(op, l, constantValue(right)!);
  if (constantValue(left) !== undefined) return numberVsConstant(mirror(op), compileNum(right, slots), constantValue(left)!);
  const r = compileNum(right, slots);
  // NaN fails every ordered comparison, so "false" is re-checked for unknown operands.
  switch (op) {
    case '<':
      return (s) => {
        const a = l(s);
        const b = r(s);
        return a < b ? T : a === a && b === b ? F : U;
      };
    case '<=':
      return (s) => {
        const a = l(s);
        const b = r(s);
        return a <= b ? T : a === a && b === b ? F : U;
      };
    case '>':
      return (s) => {
        const a = l(s);
        const b = r(s);
        return a > b ? T : a === a && b === b ? F : U;
      };
    case '>=':
      return (s) => {
        const a = l(s);
        const b = r(s);
        return a >= b ? T : a === a && b === b ? F : U;
      };
    case '==':
      return (s) => {
        const a = l(s);
        const b = r(s);
        return a === b ? T : a === a && b === b ? F : U;
      };
    case '!=':
      return (s) => {
        const a = l(s);
        const b = r(s);
        return a !== a || b !== b ? U : a !== b ? T : F;
      };
    default:
      throw new Error(`internal: ${op} is not a comparison`);
  }
}

function statusVsConstant(op: string, i: number, c: number): BoolFn {
  switch (op) {
    case '<':
      return (s) => {
        const a = s.latest[i];
        return a < c ? T : a === a ? F : U;
      };
    case '<=':
      return (s) => {
        const a = s.latest[i];
        return a <= c ? T : a === a ? F : U;
      };
    case '>':
      return (s) => {
        const a = s.latest[i];
        return a > c ? T : a === a ? F : U;
      };
    case '>=':
      return (s) => {
        const a = s.latest[i];
        return a >= c ? T : a === a ? F : U;
      };
    case '==':
      return (s) => {
        const a = s.latest[i];
        return a === c ? T : a === a ? F : U;
      };
    case '!=':
      return (s) => {
        const a = s.latest[i];
        return a !== a ? U : a !== c ? T : F;
      };
    default:
      throw new Error(`internal: ${op} is not a comparison`);
  }
}

/** Any number expression against a constant (`avg(...) > 7.1`): one closure call less per evaluation. */
function numberVsConstant(op: string, l: NumFn, c: number): BoolFn {
  switch (op) {
    case '<':
      return (s) => {
        const a = l(s);
        return a < c ? T : a === a ? F : U;
      };
    case '<=':
      return (s) => {
        const a = l(s);
        return a <= c ? T : a === a ? F : U;
      };
    case '>':
      return (s) => {
        const a = l(s);
        return a > c ? T : a === a ? F : U;
      };
    case '>=':
      return (s) => {
        const a = l(s);
        return a >= c ? T : a === a ? F : U;
      };
    case '==':
      return (s) => {
        const a = l(s);
        return a === c ? T : a === a ? F : U;
      };
    case '!=':
      return (s) => {
        const a = l(s);
        return a !== a ? U : a !== c ? T : F;
      };
    default:
      throw new Error(`internal: ${op} is not a comparison`);
  }
}

/** `c < x` is `x > c`. */
function mirror(op: string): string {
  return op === '<' ? '>' : op === '>' ? '<' : op === '<=' ? '>=' : op === '>=' ? '<=' : op;
}

/** Compiles a number expression. Results are finite or NaN (unknown). */
export function compileNum(e: Expr, slots: SlotResolver): NumFn {
  const constant = constantValue(e);
  if (constant !== undefined) return () => constant;
  switch (e.kind) {
    case 'status': {
      const i = slots.status(e.ref);
      return (s) => s.latest[i];
    }
    case 'window': {
      const k = slots.aggregate(e.ref, e.durationMs);
      switch (e.fn) {
        case 'avg':
          return (s) => s.aggs[k].avg(s.now);
        case 'min':
          return (s) => s.aggs[k].min(s.now);
        case 'max':
          return (s) => s.aggs[k].max(s.now);
        case 'delta':
          return (s) => s.aggs[k].delta(s.now);
        case 'rate':
          return (s) => s.aggs[k].rate(s.now);
        case 'count':
          return (s) => s.aggs[k].count(s.now);
      }
      break;
    }
    case 'unary': {
      const operand = compileNum(e.operand, slots);
      return (s) => -operand(s);
    }
    case 'binary': {
      const l = compileNum(e.left, slots);
      const r = compileNum(e.right, slots);
      // r - r is 0 for finite r and NaN for NaN and ±Infinity: overflow becomes unknown.
      switch (e.op) {
        case '+':
          return (s) => {
            const v = l(s) + r(s);
            return v - v === 0 ? v : NaN;
          };
        case '-':
          return (s) => {
            const v = l(s) - r(s);
            return v - v === 0 ? v : NaN;
          };
        case '*':
          return (s) => {
            const v = l(s) * r(s);
            return v - v === 0 ? v : NaN;
          };
        case '/':
          return (s) => {
            const b = r(s);
            if (b === 0) return NaN;
            const v = l(s) / b;
            return v - v === 0 ? v : NaN;
          };
        default:
          break;
      }
      break;
    }
    default:
      break;
  }
  throw new Error(`internal: ${e.kind} is not a number expression`);
}

/** The value of a constant number expression (folded at compile time), else undefined. */
export function constantValue(e: Expr): number | undefined {
  switch (e.kind) {
    case 'number':
      return e.value;
    case 'unary': {
      if (e.op !== '-') return undefined;
      const v = constantValue(e.operand);
      return v === undefined ? undefined : -v;
    }
    case 'binary': {
      if (e.op !== '+' && e.op !== '-' && e.op !== '*' && e.op !== '/') return undefined;
      const a = constantValue(e.left);
      const b = constantValue(e.right);
      if (a === undefined || b === undefined) return undefined;
      const v = e.op === '+' ? a + b : e.op === '-' ? a - b : e.op === '*' ? a * b : b === 0 ? NaN : a / b;
      // A constant that is unknown (1/0) is left to the runtime path, which yields NaN as well.
      return Number.isFinite(v) ? v : undefined;
    }
    default:
      return undefined;
  }
}

function isBoolean(e: Expr): boolean {
  switch (e.kind) {
    case 'boolean':
    case 'for':
      return true;
    case 'unary':
      return e.op === '!';
    case 'binary':
      return e.op === '&&' || e.op === '||' || e.op === '<' || e.op === '<=' || e.op === '>' || e.op === '>=' || e.op === '==' || e.op === '!=';
    default:
      return false;
  }
}
