// Metrics in the Prometheus text exposition format (version 0.0.4). The hot path increments plain numbers held
// per label set (a Map lookup by a pre-joined key, no allocation for a label set seen before); values computed from
// other components (spool depth, connection states) are read at scrape time through callbacks.

type Labels = Readonly<Record<string, string>>;

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  labelNames: readonly string[];
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatLabels(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return '';
  return `{${names.map((n, i) => `${n}="${escapeLabel(values[i])}"`).join(',')}}`;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** A counter or gauge with a fixed list of label names, its series keyed by label values. */
export class Metric<L extends string = never> {
  private readonly series = new Map<string, { values: string[]; value: number }>();

  constructor(readonly family: Family) {}

  /** The series for these label values; keep it to update without lookups. */
  child(labels: Record<L, string>): { value: number } {
    const values = this.family.labelNames.map((n) => (labels as Labels)[n] ?? '');
    const key = values.join('\u0000');
    let s = this.series.get(key);
    if (!s) {
      s = { values, value: 0 };
      this.series.set(key, s);
    }
    return s;
  }

  inc(labels: Record<L, string>, by = 1): void {
    this.child(labels).value += by;
  }

  set(labels: Record<L, string>, value: number): void {
    this.child(labels).value = value;
  }

  /** Drops every series (for gauges re-filled on each scrape). */
  clear(): void {
    this.series.clear();
  }

  render(): string {
    const f = this.family;
    const lines = [`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`];
    for (const s of this.series.values()) lines.push(`${f.name}${formatLabels(f.labelNames, s.values)} ${formatValue(s.value)}`);
    return lines.join('\n');
  }

  total(): number {
    let sum = 0;
    for (const s of this.series.values()) sum += s.value;
    return sum;
  }
}

/** A set of metrics plus callbacks that refresh gauges just before each scrape. */
export class MetricsRegistry {
  private readonly metrics: Metric<string>[] = [];
  private readonly collectors: (() => void)[] = [];

  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Metric<L> {
    return this.add(new Metric<L>({ name, help, type: 'counter', labelNames }));
  }

  gauge<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Metric<L> {
    return this.add(new Metric<L>({ name, help, type: 'gauge', labelNames }));
  }

  /** Runs before every render: set gauges from live state there. */
  onCollect(fn: () => void): void {
    this.collectors.push(fn);
  }

  render(): string {
    for (const c of this.collectors) c();
    return this.metrics.map((m) => m.render()).join('\n') + '\n';
  }

  private add<L extends string>(metric: Metric<L>): Metric<L> {
    if (this.metrics.some((m) => m.family.name === metric.family.name)) throw new Error(`metric ${metric.family.name} is registered twice`);
    this.metrics.push(metric as unknown as Metric<string>);
    return metric;
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
