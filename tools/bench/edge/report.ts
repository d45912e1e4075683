// Runs → the Markdown the benchmark prints: one row per system and target rate (median over repeats), the highest
// rate each system sustained, and the gateway/Node-RED ratio when both ran.
import { median } from './stats';

/** A run "kept up" only if all of these hold (see `sustainedReasons`). */
export const SUSTAINED_RULES = {
  /** The generator reached at least this share of the target rate (else the load was not offered). */
  minAchievedShare: 0.97,
  /** The events expected in the last seconds arrived within this (ms): the system was not running behind. */
  maxFinalLagMs: 1000,
  /** When the system counts processed samples: it caught up with all samples sent within this (ms). */
  maxDrainMs: 1000,
} as const;

export interface RunResult {
  system: string;
  targetRate: number;
  /** Set when the run could not be made; the other numbers are then NaN. */
  error?: string;
  achievedRate: number;
  /** Samples per second the system counted as processed over the measured interval; null if it cannot tell. */
  processedRate: number | null;
  /** ms after the load stopped until the system had processed every sample sent; null if it cannot tell, Infinity if it never did. */
  drainMs: number | null;
  expected: number;
  received: number;
  lost: number;
  duplicates: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  finalLagMs: number;
  /** Events stamped with a time other than their sample's, and the largest difference (ms): see stats.matchEvents. */
  shifted: number;
  maxShiftMs: number;
  systemCpuPercent: number;
  systemRssMb: number;
  inputBrokerCpuPercent: number;
  outputBrokerCpuPercent: number;
  generatorCpuPercent: number;
  /** 1-minute load average just before the run (other work on the machine). */
  load1: number;
}

/** Why a run does not count as sustained; empty when it does. */
export function sustainedReasons(run: RunResult): string[] {
  if (run.error) return [run.error];
  const reasons: string[] = [];
  if (!(run.achievedRate >= SUSTAINED_RULES.minAchievedShare * run.targetRate)) reasons.push(`generator reached ${Math.round(run.achievedRate)}/s`);
  if (run.expected === 0) reasons.push('no event expected');
  if (run.lost > 0) reasons.push(`${run.lost} events missing`);
  if (!(run.finalLagMs < SUSTAINED_RULES.maxFinalLagMs)) reasons.push(`final lag ${fmtMs(run.finalLagMs)} ms`);
  if (run.drainMs !== null && !(run.drainMs < SUSTAINED_RULES.maxDrainMs)) reasons.push(`drain ${fmtMs(run.drainMs)} ms`);
  return reasons;
}

export interface Row {
  system: string;
  targetRate: number;
  runs: number;
  /** Runs that kept up. */
  sustainedRuns: number;
  /** A majority of the runs kept up. */
  sustained: boolean;
  /** Why the median row does not count as kept up (empty when it does). */
  reasons: string[];
  /** Per numeric field: the median over the runs. */
  median: Omit<RunResult, 'system' | 'targetRate' | 'error' | 'processedRate' | 'drainMs'> & { processedRate: number | null; drainMs: number | null };
}

const MEDIAN_FIELDS = [
  'achievedRate',
  'expected',
  'received',
  'lost',
  'duplicates',
  'p50',
  'p95',
  'p99',
  'max',
  'finalLagMs',
  'shifted',
  'maxShiftMs',
  'systemCpuPercent',
  'systemRssMb',
  'inputBrokerCpuPercent',
  'outputBrokerCpuPercent',
  'generatorCpuPercent',
  'load1',
] as const;

/** Groups runs by (system, target rate), in the order they first appear. */
export function aggregate(runs: readonly RunResult[]): Row[] {
  const groups = new Map<string, RunResult[]>();
  for (const run of runs) {
    const key = `${run.system}\u0000${run.targetRate}`;
    groups.set(key, [...(groups.get(key) ?? []), run]);
  }
  return [...groups.values()].map((group) => {
    const sustainedRuns = group.filter((run) => sustainedReasons(run).length === 0).length;
    const pick = (field: (typeof MEDIAN_FIELDS)[number]): number => median(group.map((run) => run[field]));
    const nullable = (values: (number | null)[]): number | null => (values.every((v) => v === null) ? null : median(values.map((v) => v ?? NaN)));
    const medianOf = Object.fromEntries(MEDIAN_FIELDS.map((f) => [f, pick(f)])) as Record<(typeof MEDIAN_FIELDS)[number], number>;
    const medianRow = { ...medianOf, processedRate: nullable(group.map((r) => r.processedRate)), drainMs: nullable(group.map((r) => r.drainMs)) };
    const errors = [...new Set(group.flatMap((run) => (run.error ? [run.error] : [])))];
    return {
      system: group[0].system,
      targetRate: group[0].targetRate,
      runs: group.length,
      sustainedRuns,
      sustained: sustainedRuns * 2 > group.length,
      reasons: errors.length > 0 ? errors : sustainedReasons({ ...medianRow, system: group[0].system, targetRate: group[0].targetRate }),
      median: medianRow,
    };
  });
}

/** The highest target rate a system sustained (0 when none). */
export function maxSustainedRate(rows: readonly Row[], system: string): number {
  return rows.filter((r) => r.system === system && r.sustained).reduce((best, r) => Math.max(best, r.targetRate), 0);
}

export function fmtRate(x: number): string {
  return Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–';
}

export function fmtMs(x: number): string {
  if (Number.isNaN(x)) return '–';
  if (x === Infinity) return '∞';
  if (Number.isInteger(x) || x >= 10) return String(Math.round(x));
  return x.toFixed(1);
}

function fmtPct(x: number): string {
  return Number.isFinite(x) ? `${Math.round(x)}` : '–';
}

export function markdownTable(rows: readonly Row[]): string {
  const head = [
    'system',
    'target /s',
    'achieved /s',
    'processed /s',
    'events exp / recv',
    'p50 ms',
    'p99 ms',
    'max ms',
    'final lag ms',
    'system CPU %',
    'system RSS MB',
    'in-broker CPU %',
    'generator CPU %',
    'load1',
    'sustained',
  ];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((h, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const row of rows) {
    const m = row.median;
    const sustained = row.sustained ? 'yes' : `no (${row.reasons.join('; ')})`;
    const runs = row.runs > 1 ? ` (${row.sustainedRuns}/${row.runs})` : '';
    lines.push(
      `| ${[
        row.system,
        fmtRate(row.targetRate),
        fmtRate(m.achievedRate),
        m.processedRate === null ? 'n/a' : fmtRate(m.processedRate),
        `${fmtRate(m.expected)} / ${fmtRate(m.received)}`,
        fmtMs(m.p50),
        fmtMs(m.p99),
        fmtMs(m.max),
        fmtMs(m.finalLagMs),
        fmtPct(m.systemCpuPercent),
        fmtPct(m.systemRssMb),
        fmtPct(m.inputBrokerCpuPercent),
        fmtPct(m.generatorCpuPercent),
        Number.isFinite(m.load1) ? m.load1.toFixed(2) : '–',
        sustained + runs,
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

/** The summary lines under the table: max sustained rate per system, the target check, the ratio. */
export function summaryLines(rows: readonly Row[], target: { rate: number; p99Ms: number }): string[] {
  const systems = [...new Set(rows.map((r) => r.system))];
  const lines: string[] = [];
  for (const system of systems) {
    const best = maxSustainedRate(rows, system);
    const atTarget = rows.find((r) => r.system === system && r.targetRate >= target.rate && r.sustained && r.median.p99 < target.p99Ms);
    lines.push(
      `- ${system}: max sustained rate ${best > 0 ? `${fmtRate(best)} samples/s` : 'none of the rates tried'}; ` +
        `target (≥ ${fmtRate(target.rate)} samples/s with p99 < ${target.p99Ms} ms) ${atTarget ? 'met' : 'not met'}`,
    );
  }
  const gateway = maxSustainedRate(rows, 'gateway');
  const nodeRed = maxSustainedRate(rows, 'node-red');
  if (systems.includes('gateway') && systems.includes('node-red')) {
    lines.push(nodeRed > 0 ? `- gateway/node-red ratio (max sustained rate): ${(gateway / nodeRed).toFixed(2)}` : '- gateway/node-red ratio: n/a (Node-RED sustained none of the rates)');
  }
  return lines;
}
