// CPU time and memory of a process and its descendants, read from /proc (Linux). A system under test may be a
// wrapper plus the process that works, or spawn helpers: the tree is what it costs.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

let clockTicks: number | undefined;

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (`getconf CLK_TCK`, 100 on Linux in practice). */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    const text = execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim();
    const value = Number(text);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`getconf CLK_TCK printed ${JSON.stringify(text)}`);
    clockTicks = value;
  }
  return clockTicks;
}

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
}

/** Fields of /proc/<pid>/stat after the command name, which may itself contain spaces and parentheses. */
function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null; // exited meanwhile
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
  return { pid, ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
}

/** The pid and every descendant living now. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(stat.pid);
    children.set(stat.ppid, list);
  }
  const tree: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** CPU seconds (user + system) used so far by these processes; ones that exited count 0. */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) ticks += readStat(pid)?.cpuTicks ?? 0;
  return ticks / clockTicksPerSecond();
}

/** Resident memory of these processes now, bytes (VmRSS). */
export function rssBytes(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) total += Number(match[1]) * 1024;
    } catch {
      // exited meanwhile: no memory
    }
  }
  return total;
}

/**
 * Watches a set of process trees over the measured interval: CPU seconds between `begin` and `end`, and the peak
 * RSS of each tree sampled every `intervalMs`. Trees are re-read at every sample, so late children count too.
 */
export class ResourceMeter {
  private readonly cpuAtBegin = new Map<string, number>();
  private readonly pidsSeen = new Map<string, Set<number>>();
  private readonly peakRss = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private beganAt = 0;

  constructor(private readonly roots: ReadonlyMap<string, number>) {}

  begin(intervalMs = 500): void {
    this.beganAt = performance.now();
    for (const [name, root] of this.roots) {
      const pids = processTree(root);
      this.pidsSeen.set(name, new Set(pids));
      this.cpuAtBegin.set(name, cpuSeconds(pids));
      this.peakRss.set(name, rssBytes(pids));
    }
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    for (const [name, root] of this.roots) {
      const pids = processTree(root);
      for (const pid of pids) this.pidsSeen.get(name)!.add(pid);
      this.peakRss.set(name, Math.max(this.peakRss.get(name) ?? 0, rssBytes(pids)));
    }
  }

  /** Per tree: CPU as % of one core over the interval, and peak RSS in bytes. */
  end(): Map<string, { cpuPercent: number; peakRssBytes: number }> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    const seconds = (performance.now() - this.beganAt) / 1000;
    const result = new Map<string, { cpuPercent: number; peakRssBytes: number }>();
    for (const [name] of this.roots) {
      // A process that exits within the interval takes its CPU time with it: the systems here keep theirs running.
      const used = cpuSeconds([...this.pidsSeen.get(name)!]) - this.cpuAtBegin.get(name)!;
      result.set(name, { cpuPercent: seconds > 0 ? (100 * Math.max(0, used)) / seconds : 0, peakRssBytes: this.peakRss.get(name) ?? 0 });
    }
    return result;
  }
}
