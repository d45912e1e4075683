// The condition syntax tree. Every node keeps its source span so that type errors and the
// labels of fired values (`avg(p.x.s, '10m')`) come from the author's own text.

export type WindowFn = 'avg' | 'min' | 'max' | 'delta' | 'rate' | 'count';
export const WINDOW_FNS: readonly WindowFn[] = ['avg', 'min', 'max', 'delta', 'rate', 'count'];

export type ArithmeticOp = '+' | '-' | '*' | '/';
export type ComparisonOp = '<' | '<=' | '>' | '>=' | '==' | '!=';
export type LogicalOp = '&&' | '||';
export type BinaryOp = ArithmeticOp | ComparisonOp | LogicalOp;

export type ValueType = 'number' | 'boolean';

interface Span {
  /** 0-based [start, end) offsets into the condition text. */
  start: number;
  end: number;
}

export type Expr =
  | (Span & { kind: 'number'; value: number })
  | (Span & { kind: 'boolean'; value: boolean })
  | (Span & { kind: 'status'; ref: string })
  | (Span & { kind: 'unary'; op: '-' | '!'; operand: Expr })
  | (Span & { kind: 'binary'; op: BinaryOp; opStart: number; left: Expr; right: Expr })
  | (Span & { kind: 'window'; fn: WindowFn; ref: string; durationMs: number })
  | (Span & { kind: 'for'; condition: Expr; durationMs: number });

/** Children of a node, for walks that do not care about the node kind. */
export function children(e: Expr): Expr[] {
  switch (e.kind) {
    case 'unary':
      return [e.operand];
    case 'binary':
      return [e.left, e.right];
    case 'for':
      return [e.condition];
    default:
      return [];
  }
}

/** Pre-order walk. */
export function walk(e: Expr, visit: (node: Expr) => void): void {
  visit(e);
  for (const c of children(e)) walk(c, visit);
}

/** Whether evaluating the node changes state (a `for` remembers since when its condition holds). */
export function hasState(e: Expr): boolean {
  let found = false;
  walk(e, (n) => {
    if (n.kind === 'for') found = true;
  });
  return found;
}
