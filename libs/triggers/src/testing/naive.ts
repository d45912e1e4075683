// A naive reference for the property tests: the semantics of README.md written as directly as
// possible. It keeps every sample and every evaluation forever and recomputes windows, `for`
// streaks and hysteresis from that history at each step: slow, obviously right, and independent
// of the incremental machinery (ring buffers, monotonic deques, running sums, since-slots) it
// checks. Late tolerance is 0 here (the incremental reordering path has its own tests).
import { PssModel } from '@pss/model';
import { Expr } from '../ast';
import { parseTriggerCondition, statusRefs } from '../conditions';
import { timeUnitMs } from '../duration';
import { ParsedCondition } from '../parser';
import { Sample, SampleOutcome, TriggerFired } from '../engine';

type Tri = boolean | null;

interface Point {
  time: number;
  value: number;
}

interface NaiveTrigger {
  id: string;
  parsed: ParsedCondition | undefined;
  clearMs: number;
  startMs: number;
  deadlineMs: number;
}

interface NaiveAsset {
  now: number;
  samples: Map<string, Point[]>;
  /** Per trigger: every evaluation of its condition (definitely true or not). */
  evaluations: { time: number; value: boolean }[][];
  /** Per trigger and `for` (pre-order index): every evaluation of the for's inner condition. */
  forHistory: Map<string, { time: number; value: Tri }[]>;
  latched: boolean[];
  open: boolean[];
  eventId: (string | null)[];
}

/** `for(c, d)` by definition: c true now and at every evaluation since a time at least d ago. */
export function naiveFor(history: readonly { time: number; value: Tri }[], now: number, durationMs: number): Tri {
  const last = history[history.length - 1];
  if (last.value !== true) return last.value;
  let i = history.length - 1;
  while (i > 0 && history[i - 1].value === true) i--;
  return now - history[i].time >= durationMs;
}

/** Window functions by definition, over the samples with time in [now - d, now]. */
export function naiveWindow(fn: string, points: readonly Point[], now: number, durationMs: number): number {
  const inside = points.filter((p) => p.time >= now - durationMs && p.time <= now);
  if (fn === 'count') return inside.length;
  if (inside.length === 0) return NaN;
  const values = inside.map((p) => p.value);
  const first = inside[0];
  const last = inside[inside.length - 1];
  switch (fn) {
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    case 'delta':
      return last.value - first.value;
    case 'rate':
      return inside.length >= 2 && last.time > first.time ? ((last.value - first.value) * 1000) / (last.time - first.time) : NaN;
    default:
      throw new Error(fn);
  }
}

export class NaiveEngine {
  readonly fired: TriggerFired[] = [];
  private readonly triggers: NaiveTrigger[];
  private readonly refs: Set<string>;
  private readonly ranges = new Map<string, { min: number; max: number }>();
  private readonly assets = new Map<string, NaiveAsset>();
  private seq = 0;

  constructor(
    model: PssModel,
    private readonly gateway = 'edge',
  ) {
    const unit = timeUnitMs(model.timeUnit);
    this.refs = new Set(statusRefs(model));
    for (const p of model.parts) for (const s of p.statuses) this.ranges.set(`${p.id}.${s.key}`, { min: s.min ?? -Infinity, max: s.max ?? Infinity });
    this.triggers = model.triggers.map((t) => ({
      id: t.id,
      parsed: parseTriggerCondition(model, t),
      clearMs: t.clear * unit,
      startMs: t.window.start * unit,
      deadlineMs: t.window.deadline * unit,
    }));
  }

  private asset(id: string): NaiveAsset {
    let a = this.assets.get(id);
    if (!a) {
      a = {
        now: -Infinity,
        samples: new Map(),
        evaluations: this.triggers.map(() => []),
        forHistory: new Map(),
        latched: this.triggers.map(() => false),
        open: this.triggers.map(() => false),
        eventId: this.triggers.map(() => null),
      };
      this.assets.set(id, a);
    }
    return a;
  }

  ingest(s: Sample): { outcome: SampleOutcome; fired: TriggerFired[] } {
    const ref = `${s.part}.${s.status}`;
    if (!this.refs.has(ref)) return { outcome: 'unknown-status', fired: [] };
    if (!Number.isFinite(s.time)) return { outcome: 'invalid-time', fired: [] };
    if (!Number.isFinite(s.value)) return { outcome: 'non-finite', fired: [] };
    const range = this.ranges.get(ref)!;
    if (s.value < range.min || s.value > range.max) return { outcome: 'out-of-range', fired: [] };
    const a = this.asset(s.asset);
    const points = a.samples.get(ref) ?? [];
    a.samples.set(ref, points);
    const newest = points[points.length - 1];
    let outcome: SampleOutcome = 'accepted';
    if (newest && s.time < newest.time) return { outcome: 'late', fired: [] };
    if (newest && s.time === newest.time) {
      if (s.value === newest.value) return { outcome: 'duplicate', fired: [] };
      newest.value = s.value;
      outcome = 'replaced';
    } else {
      points.push({ time: s.time, value: s.value });
    }
    a.now = Math.max(a.now, s.time);
    const fired: TriggerFired[] = [];
    this.triggers.forEach((t, i) => {
      if (t.parsed?.statuses.includes(ref)) this.step(s.asset, a, i, fired);
    });
    return { outcome, fired };
  }

  tick(time: number): TriggerFired[] {
    const fired: TriggerFired[] = [];
    for (const [id, a] of this.assets) {
      a.now = Math.max(a.now, time);
      this.triggers.forEach((t, i) => {
        if (t.parsed && (t.parsed.windows.length || t.parsed.fors.length)) this.step(id, a, i, fired);
      });
      this.triggers.forEach((_, i) => this.tryUnlatch(a, i));
    }
    return fired;
  }

  close(asset: string, trigger: string, eventId: string): boolean {
    const a = this.assets.get(asset);
    const i = this.triggers.findIndex((t) => t.id === trigger);
    // True when this call closed the service (false for unknown ids and repeated closes).
    if (!a || i < 0 || a.eventId[i] !== eventId || !a.open[i]) return false;
    a.open[i] = false;
    this.tryUnlatch(a, i);
    return true;
  }

  matrix(asset: string): number[] {
    const a = this.assets.get(asset);
    return this.triggers.map((_, i) => (a?.latched[i] ? 1 : 0));
  }

  condition(asset: string, trigger: number): boolean {
    const e = this.assets.get(asset)?.evaluations[trigger];
    return e !== undefined && e.length > 0 && e[e.length - 1].value;
  }

  /** Closed, and the condition has been false (at every evaluation) for at least the clear time. */
  private tryUnlatch(a: NaiveAsset, i: number): void {
    if (!a.latched[i] || a.open[i]) return;
    const e = a.evaluations[i];
    if (e.length === 0 || e[e.length - 1].value) return;
    let j = e.length - 1;
    while (j > 0 && !e[j - 1].value) j--;
    if (a.now - e[j].time >= this.triggers[i].clearMs) a.latched[i] = false;
  }

  private step(assetId: string, a: NaiveAsset, i: number, fired: TriggerFired[]): void {
    const t = this.triggers[i];
    this.tryUnlatch(a, i);
    const forCounter = { n: 0 };
    const value = this.evalBool(t.parsed!.ast, a, i, forCounter) === true;
    const e = a.evaluations[i];
    const wasTrue = e.length > 0 && e[e.length - 1].value;
    e.push({ time: a.now, value });
    if (value && !wasTrue && !a.latched[i]) {
      const seq = ++this.seq;
      const id = `${this.gateway}:${assetId}:${t.id}:${a.now}:${seq}`;
      a.latched[i] = true;
      a.open[i] = true;
      a.eventId[i] = id;
      fired.push({ id, asset: assetId, trigger: t.id, time: a.now, window: { start: a.now + t.startMs, deadline: a.now + t.deadlineMs }, values: this.values(t.parsed!, a, i) });
      this.fired.push(fired[fired.length - 1]);
    }
    if (!value) this.tryUnlatch(a, i);
  }

  private values(parsed: ParsedCondition, a: NaiveAsset, i: number): Record<string, number | null> {
    const out: Record<string, number | null> = {};
    const fin = (x: number) => (Number.isFinite(x) ? x : null);
    for (const ref of parsed.statuses) out[ref] = fin(this.latest(a, ref));
    for (const w of parsed.windows) out[w.label] = fin(naiveWindow(w.fn, a.samples.get(w.ref) ?? [], a.now, w.durationMs));
    parsed.fors.forEach((f, k) => {
      const h = a.forHistory.get(`${i}:${k}`) ?? [];
      let j = h.length - 1;
      if (j < 0 || h[j].value !== true) {
        out[f.label] = null;
        return;
      }
      while (j > 0 && h[j - 1].value === true) j--;
      out[f.label] = (a.now - h[j].time) / 1000;
    });
    return out;
  }

  private latest(a: NaiveAsset, ref: string): number {
    const points = a.samples.get(ref);
    return points && points.length ? points[points.length - 1].value : NaN;
  }

  private evalNum(e: Expr, a: NaiveAsset): number | null {
    const known = (x: number) => (Number.isFinite(x) ? x : null);
    switch (e.kind) {
      case 'number':
        return e.value;
      case 'status':
        return known(this.latest(a, e.ref));
      case 'window':
        return known(naiveWindow(e.fn, a.samples.get(e.ref) ?? [], a.now, e.durationMs));
      case 'unary': {
        const v = this.evalNum(e.operand, a);
        return v === null ? null : -v;
      }
      case 'binary': {
        const l = this.evalNum(e.left, a);
        const r = this.evalNum(e.right, a);
        if (l === null || r === null) return null;
        if (e.op === '/' && r === 0) return null;
        const v = e.op === '+' ? l + r : e.op === '-' ? l - r : e.op === '*' ? l * r : l / r;
        return known(v);
      }
      default:
        throw new Error(`not a number: ${e.kind}`);
    }
  }

  /** Kleene logic; `for` nodes are numbered in pre-order, as the compiler does. */
  private evalBool(e: Expr, a: NaiveAsset, trigger: number, forCounter: { n: number }): Tri {
    switch (e.kind) {
      case 'boolean':
        return e.value;
      case 'for': {
        const key = `${trigger}:${forCounter.n++}`;
        const inner = this.evalBool(e.condition, a, trigger, forCounter);
        const h = a.forHistory.get(key) ?? [];
        a.forHistory.set(key, h);
        h.push({ time: a.now, value: inner });
        return naiveFor(h, a.now, e.durationMs);
      }
      case 'unary': {
        const v = this.evalBool(e.operand, a, trigger, forCounter);
        return v === null ? null : !v;
      }
      case 'binary': {
        if (e.op === '&&' || e.op === '||') {
          const l = this.evalBool(e.left, a, trigger, forCounter);
          const r = this.evalBool(e.right, a, trigger, forCounter);
          if (e.op === '&&') return l === false || r === false ? false : l === true && r === true ? true : null;
          return l === true || r === true ? true : l === false && r === false ? false : null;
        }
        const boolSides = ['boolean', 'for'].includes(e.left.kind) || (e.left.kind === 'unary' && e.left.op === '!') || (e.left.kind === 'binary' && ['&&', '||', '<', '<=', '>', '>=', '==', '!='].includes(e.left.op));
        if (boolSides) {
          const l = this.evalBool(e.left, a, trigger, forCounter);
          const r = this.evalBool(e.right, a, trigger, forCounter);
          if (l === null || r === null) return null;
          return e.op === '==' ? l === r : l !== r;
        }
        const l = this.evalNum(e.left, a);
        const r = this.evalNum(e.right, a);
        if (l === null || r === null) return null;
        switch (e.op) {
          case '<':
            return l < r;
          case '<=':
            return l <= r;
          case '>':
            return l > r;
          case '>=':
            return l >= r;
          case '==':
            return l === r;
          case '!=':
            return l !== r;
          default:
            throw new Error(e.op);
        }
      }
      default:
        throw new Error(`not a boolean: ${e.kind}`);
    }
  }
}
