// The trigger engine of an edge gateway: samples in, firings out, a trigger matrix per asset.
//
// Per asset the engine keeps the latest value of every status, the recent samples of the statuses
// that window functions read (SampleSeries), the `for` streaks, and per trigger a small state
// machine: last condition value, latched, service open, since when the condition is false.
// Everything is indexed by integer slots fixed when the model is compiled, so that ingesting a
// sample is three map lookups, a few array writes and the evaluation of exactly the rules that read
// that status; it allocates nothing unless a trigger fires or the sample is rejected.
import { PssModel } from '@pss/model';
import { BoolFn, EvalState, SlotResolver, T, compileBool } from './compile';
import { parseTriggerCondition, statusRefs } from './conditions';
import { timeUnitMs } from './duration';
import { ConditionError, TriggerModelError } from './errors';
import { ParsedCondition } from './parser';
import { SampleSeries, WindowAggregate } from './series';
import { WindowFn } from './ast';

/** One reading of one status of one part of one asset. */
export interface Sample {
  asset: string;
  part: string;
  status: string;
  /** ms since the epoch. */
  time: number;
  value: number;
}

/**
 * What happened to a sample. Accepted: `accepted` (the newest for its status), `replaced` (same
 * time as the newest, other value: last write wins), `reordered` (older than the newest, within
 * the late tolerance). Ignored: `duplicate` (same time and value as a held sample). Rejected:
 * `late`, `non-finite`, `out-of-range`, `invalid-time`, `unknown-status`, `unknown-asset`.
 */
export type SampleOutcome =
  | 'accepted'
  | 'replaced'
  | 'reordered'
  | 'duplicate'
  | 'late'
  | 'non-finite'
  | 'out-of-range'
  | 'invalid-time'
  | 'unknown-status'
  | 'unknown-asset';

export const SAMPLE_OUTCOMES: readonly SampleOutcome[] = [
  'accepted', 'replaced', 'reordered', 'duplicate', 'late', 'non-finite', 'out-of-range', 'invalid-time', 'unknown-status', 'unknown-asset',
];

/** A trigger fired: a service is needed. Times are ms epoch. */
export interface TriggerFired {
  /** Unique per gateway (see TriggerEngineOptions.eventId). */
  id: string;
  asset: string;
  trigger: string;
  /** The evaluation time at which the condition became true (the asset's clock). */
  time: number;
  /** time + the trigger's window, converted from the model's time unit. */
  window: { start: number; deadline: number };
  /**
   * What made it true: the latest value of every status the condition references, the result of
   * every window function (keyed by the call as written), and for each `for(...)` the seconds its
   * condition has held. null = unknown (no data, empty window).
   */
  values: Record<string, number | null>;
}

export interface IngestResult {
  readonly outcome: SampleOutcome;
  /** Whether the sample entered the engine's state. */
  readonly accepted: boolean;
  /** Why a sample was not accepted; null when it was. */
  readonly reason: string | null;
  /** Triggers that fired because of this sample, in model order. */
  readonly fired: readonly TriggerFired[];
}

export type CloseResult =
  | { ok: true; alreadyClosed: boolean; /** Whether the trigger is free to fire again now. */ unlatched: boolean }
  | { ok: false; reason: string };

export interface EventIdInput {
  gateway: string;
  asset: string;
  trigger: string;
  time: number;
  /** The engine's firing counter: 1, 2, ... (kept in snapshots). */
  seq: number;
}

export type EventIdFactory = (e: EventIdInput) => string;

export interface TriggerEngineOptions {
  /** This gateway's id, the first part of default event ids. Default "edge". */
  gateway?: string;
  /** Makes event ids. Default `${gateway}:${asset}:${trigger}:${time}:${seq}`. */
  eventId?: EventIdFactory;
  /** A sample older than its status's newest by more than this (ms) is rejected as late. Default 0. */
  lateToleranceMs?: number;
  /** Per asset, the triggers it runs (e.g. those of its service contract). Others run all triggers. */
  assets?: Readonly<Record<string, readonly string[]>>;
  /** What to do with samples of assets not listed in `assets`: run all triggers (default) or reject. */
  unlistedAssets?: 'all' | 'reject';
}

/** The state of one trigger on one asset, for dashboards and tests. */
export interface TriggerView {
  trigger: string;
  /** Whether the asset runs this trigger. */
  active: boolean;
  /** The condition at the last evaluation (true only when definitely true). */
  condition: boolean;
  latched: boolean;
  /** Whether the service started by the last firing is still open (not closed by the cloud). */
  open: boolean;
  /** The id of the last firing, null before the first. */
  eventId: string | null;
  /** Since when the condition is false (ms epoch), null while true or never true. */
  falseSince: number | null;
}

export interface AssetView {
  asset: string;
  /** The asset's clock: the newest sample or tick time (ms epoch); null before any. */
  clock: number | null;
  /** The trigger matrix row: 1 = latched, in model order. */
  matrix: number[];
  triggers: TriggerView[];
  /** Latest value and its time per status that has reported. */
  values: Record<string, { time: number; value: number }>;
}

// ---- Snapshots: plain JSON (no NaN or Infinity: those become null) ----

export const SNAPSHOT_FORMAT = 'pss-triggers/v1';

export interface EngineSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  model: string;
  gateway: string;
  seq: number;
  counts: Record<SampleOutcome | 'fired', number>;
  assets: AssetSnapshot[];
}

export interface AssetSnapshot {
  asset: string;
  clock: number | null;
  /** The asset's trigger subset when set by assignTriggers (null: from the options). */
  triggers: string[] | null;
  statuses: { ref: string; time: number; value: number; samples?: [number, number][] }[];
  fors: { trigger: string; index: number; since: number }[];
  triggerStates: { trigger: string; condition: boolean; latched: boolean; open: boolean; eventId: string | null; falseSince: number | null }[];
}

// ---- Internals ----

interface CompiledTrigger {
  id: string;
  fn: BoolFn | null;
  parsed: ParsedCondition | null;
  statusSlots: number[];
  windowSlots: number[];
  forSlots: number[];
  timeDependent: boolean;
  clearMs: number;
  windowStartMs: number;
  windowDeadlineMs: number;
}

interface AggregateDef {
  status: number;
  durationMs: number;
  fns: Set<WindowFn>;
}

/** What an asset runs: compiled once per distinct trigger subset and shared by its assets. */
interface Profile {
  active: Uint8Array;
  activeList: Int32Array;
  /** Per status slot, the active triggers that read it (null: none). */
  rulesByStatus: (Int32Array | null)[];
  /** Active triggers whose value can change with time alone (windows, for). */
  timeDependent: Int32Array;
  /** Per status slot, the aggregate slots the active triggers use (null: no window). */
  aggsByStatus: (number[] | null)[];
}

class AssetState implements EvalState {
  now = -Infinity;
  readonly latest: Float64Array;
  /** Newest sample time per status; -Infinity before the first. */
  readonly newest: Float64Array;
  readonly series: (SampleSeries | null)[];
  readonly aggs: WindowAggregate[];
  readonly since: Float64Array;
  readonly condTrue: Uint8Array;
  readonly latched: Uint8Array;
  readonly open: Uint8Array;
  readonly eventId: (string | null)[];
  readonly falseSince: Float64Array;
  /** Set by assignTriggers (persisted); null when the subset comes from the options. */
  assigned: string[] | null = null;

  constructor(
    readonly id: string,
    public profile: Profile,
    nStatuses: number,
    nAggs: number,
    nFors: number,
    nTriggers: number,
  ) {
    this.latest = new Float64Array(nStatuses).fill(NaN);
    this.newest = new Float64Array(nStatuses).fill(-Infinity);
    this.series = new Array<SampleSeries | null>(nStatuses).fill(null);
    this.aggs = new Array<WindowAggregate>(nAggs);
    this.since = new Float64Array(nFors).fill(NaN);
    this.condTrue = new Uint8Array(nTriggers);
    this.latched = new Uint8Array(nTriggers);
    this.open = new Uint8Array(nTriggers);
    this.eventId = new Array<string | null>(nTriggers).fill(null);
    this.falseSince = new Float64Array(nTriggers).fill(NaN);
  }
}

const EMPTY: readonly TriggerFired[] = Object.freeze([]);
const result = (outcome: SampleOutcome, accepted: boolean): IngestResult => Object.freeze({ outcome, accepted, reason: null, fired: EMPTY });
// Shared results: the common outcomes allocate nothing.
const ACCEPTED = result('accepted', true);
const REPLACED = result('replaced', true);
const REORDERED = result('reordered', true);

const jsonNumber = (x: number): number | null => (Number.isFinite(x) ? x : null);

export class TriggerEngine {
  /** The model's trigger ids in model order: the columns of the trigger matrix. */
  readonly triggerIds: readonly string[];
  readonly gateway: string;
  readonly lateToleranceMs: number;

  private readonly model: PssModel;
  private readonly triggers: CompiledTrigger[];
  /** The compiled conditions by trigger slot (kept apart from the rest: the hot loop reads only these). */
  private readonly fns: BoolFn[];
  private readonly triggerIndex = new Map<string, number>();
  private readonly statusRefs: string[];
  private readonly statusParts: string[];
  private readonly statusKeys: string[];
  private readonly slotIndex = new Map<string, Map<string, number>>();
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly aggDefs: AggregateDef[] = [];
  private readonly forOwners: { trigger: number; index: number }[] = [];
  private readonly eventIdOf: EventIdFactory;
  private readonly assetTriggers: Readonly<Record<string, readonly string[]>>;
  private readonly rejectUnlisted: boolean;
  private readonly profiles = new Map<string, Profile>();
  private readonly assets = new Map<string, AssetState>();
  private lastAsset: AssetState | null = null;
  /** The profile of assets that run every trigger (the common case), built on first use. */
  private allTriggers: Profile | null = null;
  private seq = 0;
  private counts: Record<SampleOutcome | 'fired', number> = TriggerEngine.zeroCounts();

  /** Compiles every condition of the model; throws TriggerModelError listing all that fail. */
  constructor(model: PssModel, options: TriggerEngineOptions = {}) {
    this.model = model;
    this.gateway = options.gateway ?? 'edge';
    this.lateToleranceMs = options.lateToleranceMs ?? 0;
    if (!(this.lateToleranceMs >= 0) || !Number.isFinite(this.lateToleranceMs)) throw new Error(`lateToleranceMs must be a finite number >= 0, got ${options.lateToleranceMs}`);
    this.eventIdOf = options.eventId ?? ((e) => `${e.gateway}:${e.asset}:${e.trigger}:${e.time}:${e.seq}`);
    this.assetTriggers = options.assets ?? {};
    this.rejectUnlisted = options.unlistedAssets === 'reject';
    const unitMs = timeUnitMs(model.timeUnit);

    this.statusRefs = statusRefs(model);
    this.statusParts = model.parts.flatMap((p) => p.statuses.map(() => p.id));
    this.statusKeys = model.parts.flatMap((p) => p.statuses.map((s) => s.key));
    const defs = model.parts.flatMap((p) => p.statuses);
    this.lo = Float64Array.from(defs, (s) => s.min ?? -Infinity);
    this.hi = Float64Array.from(defs, (s) => s.max ?? Infinity);
    this.statusRefs.forEach((_, i) => {
      const byKey = this.slotIndex.get(this.statusParts[i]) ?? new Map<string, number>();
      byKey.set(this.statusKeys[i], i);
      this.slotIndex.set(this.statusParts[i], byKey);
    });
    const statusSlot = new Map(this.statusRefs.map((ref, i) => [ref, i]));
    const known = new Set(this.statusRefs);

    const errors: Error[] = [];
    const aggKey = new Map<string, number>();
    this.triggers = model.triggers.map((trigger, t): CompiledTrigger => {
      this.triggerIndex.set(trigger.id, t);
      const base: CompiledTrigger = {
        id: trigger.id,
        fn: null,
        parsed: null,
        statusSlots: [],
        windowSlots: [],
        forSlots: [],
        timeDependent: false,
        clearMs: trigger.clear * unitMs,
        windowStartMs: trigger.window.start * unitMs,
        windowDeadlineMs: trigger.window.deadline * unitMs,
      };
      let parsed: ParsedCondition | undefined;
      try {
        parsed = parseTriggerCondition(model, trigger, known);
      } catch (error) {
        if (error instanceof ConditionError) errors.push(error);
        else throw error;
      }
      if (!parsed) return base;
      let forIndex = 0;
      const resolver: SlotResolver = {
        status: (ref) => statusSlot.get(ref)!,
        aggregate: (ref, durationMs) => {
          const status = statusSlot.get(ref)!;
          const key = `${status}:${durationMs}`;
          let k = aggKey.get(key);
          if (k === undefined) {
            k = this.aggDefs.length;
            aggKey.set(key, k);
            this.aggDefs.push({ status, durationMs, fns: new Set() });
          }
          return k;
        },
        nextFor: () => {
          this.forOwners.push({ trigger: t, index: forIndex++ });
          return this.forOwners.length - 1;
        },
      };
      const firstFor = this.forOwners.length;
      const fn = compileBool(parsed.ast, resolver);
      const windowSlots = parsed.windows.map((w) => {
        const k = resolver.aggregate(w.ref, w.durationMs);
        this.aggDefs[k].fns.add(w.fn);
        return k;
      });
      return {
        ...base,
        fn,
        parsed,
        statusSlots: parsed.statuses.map((ref) => statusSlot.get(ref)!),
        windowSlots,
        forSlots: parsed.fors.map((_, i) => firstFor + i),
        timeDependent: parsed.windows.length > 0 || parsed.fors.length > 0,
      };
    });
    for (const [asset, ids] of Object.entries(this.assetTriggers)) {
      for (const id of ids) if (!this.triggerIndex.has(id)) errors.push(new Error(`options.assets["${asset}"] names unknown trigger "${id}"`));
    }
    if (errors.length) throw new TriggerModelError(errors);
    this.triggerIds = model.triggers.map((t) => t.id);
    this.fns = this.triggers.map((c) => c.fn ?? (() => 0));
  }

  private static zeroCounts(): Record<SampleOutcome | 'fired', number> {
    const counts = { fired: 0 } as Record<SampleOutcome | 'fired', number>;
    for (const o of SAMPLE_OUTCOMES) counts[o] = 0;
    return counts;
  }

  // ---------------------------------------------------------------------------------------------
  // Samples

  /** Validates a sample, updates the asset's state, evaluates the triggers that read the status. */
  ingest(sample: Sample): IngestResult {
    const assetId = sample.asset;
    let st = this.lastAsset;
    let newProfile: Profile | null = null;
    if (st === null || st.id !== assetId) {
      st = this.assets.get(assetId) ?? null;
      if (st === null) {
        // A new asset gets its state with its first valid sample: garbage allocates nothing.
        newProfile = this.profileFor(assetId);
        if (newProfile === null) return this.reject('unknown-asset', `asset "${assetId}" is not served by this gateway`);
      } else {
        this.lastAsset = st;
      }
    }
    const slot = this.slotIndex.get(sample.part)?.get(sample.status);
    if (slot === undefined) return this.reject('unknown-status', `no status "${sample.part}.${sample.status}" in the model`);
    const time = sample.time;
    const value = sample.value;
    if (!Number.isFinite(time)) return this.reject('invalid-time', `time must be a finite number of ms, got ${String(time)}`);
    if (!Number.isFinite(value)) return this.reject('non-finite', `${this.statusRefs[slot]}: value must be a finite number, got ${String(value)}`);
    if (value < this.lo[slot] || value > this.hi[slot]) {
      return this.reject('out-of-range', `${this.statusRefs[slot]}: ${value} is outside [${this.lo[slot]}, ${this.hi[slot]}]`);
    }
    if (st === null) st = this.lastAsset = this.newAsset(assetId, newProfile!);

    const newest = st.newest[slot];
    let res: IngestResult;
    if (time > newest) {
      st.newest[slot] = time;
      st.latest[slot] = value;
      res = ACCEPTED;
    } else if (time === newest) {
      if (value === st.latest[slot]) return this.ignoreDuplicate(slot, time);
      st.latest[slot] = value;
      res = REPLACED;
    } else if (newest - time > this.lateToleranceMs) {
      return this.reject('late', `${this.statusRefs[slot]} at ${time} is ${newest - time} ms older than the newest sample (${newest}); tolerance ${this.lateToleranceMs} ms`);
    } else {
      // Within tolerance: it joins the windows in time order; the latest value stays the newest's.
      res = REORDERED;
    }
    if (time > st.now) st.now = time;
    const series = st.series[slot];
    if (series !== null) {
      const pushed = series.push(time, value, st.now);
      if (pushed === 'duplicate') return this.ignoreDuplicate(slot, time);
      // An older sample within the tolerance may hit a held time: that is a replacement too.
      if (pushed === 'replaced') res = REPLACED;
    } else if (res === REORDERED) {
      // No window reads this status and its latest value did not change: nothing to evaluate.
      this.counts.reordered++;
      return res;
    }
    this.counts[res.outcome]++;

    const rules = st.profile.rulesByStatus[slot];
    if (rules === null) return res;
    let fired: TriggerFired[] | null = null;
    for (let i = 0; i < rules.length; i++) {
      const t = rules[i];
      if (this.step(st, t)) (fired ??= []).push(this.fire(st, t));
    }
    return fired === null ? res : { outcome: res.outcome, accepted: true, reason: null, fired };
  }

  /**
   * Advances time without a sample (a gateway calls it every second or so): for() conditions and
   * windows change with time alone, and a latched trigger's clear time can run out. Asset clocks
   * move to `time` (never back). Returns the firings, in asset then model order.
   */
  tick(time: number, asset?: string): TriggerFired[] {
    if (!Number.isFinite(time)) throw new Error(`tick: time must be a finite number of ms, got ${time}`);
    const fired: TriggerFired[] = [];
    const states = asset === undefined ? this.assets.values() : [this.assets.get(asset)].filter((s): s is AssetState => s !== undefined);
    for (const st of states) {
      if (time > st.now) st.now = time;
      const timed = st.profile.timeDependent;
      for (let i = 0; i < timed.length; i++) if (this.step(st, timed[i])) fired.push(this.fire(st, timed[i]));
      for (const t of st.profile.activeList) if (st.latched[t]) this.maybeUnlatch(st, t);
    }
    return fired;
  }

  /**
   * The cloud closed the service a firing started (relayed by the gateway). The trigger unlatches
   * once its condition has also been false for its clear time, now or at a later sample or tick.
   * Closing an already closed event again is harmless (messages may be redelivered).
   */
  close(asset: string, trigger: string, eventId: string): CloseResult {
    const st = this.assets.get(asset);
    const t = this.triggerIndex.get(trigger);
    if (t === undefined) return { ok: false, reason: `unknown trigger "${trigger}"` };
    if (!st || st.eventId[t] === null) return { ok: false, reason: `trigger ${trigger} has not fired on asset ${asset}` };
    if (st.eventId[t] !== eventId) return { ok: false, reason: `event "${eventId}" is not the latest firing of ${trigger} on ${asset} (that is "${st.eventId[t]}")` };
    if (!st.open[t]) return { ok: true, alreadyClosed: true, unlatched: !st.latched[t] };
    st.open[t] = 0;
    this.maybeUnlatch(st, t);
    return { ok: true, alreadyClosed: false, unlatched: !st.latched[t] };
  }

  /**
   * Re-applies a firing that the state does not reflect: a gateway that crashed after storing a trigger event but
   * before saving its snapshot restores the older snapshot, then adopts the stored events (in the order they fired)
   * so that the trigger stays latched instead of firing again under a new id. A firing at or before the asset's
   * clock is already in the state (firings happen at the clock) unless it is newer than the trigger's last firing
   * at that same time; such and repeated calls change nothing. Returns whether the firing was applied.
   */
  adoptFiring(firing: { id: string; asset: string; trigger: string; time: number }): boolean {
    const t = this.triggerIndex.get(firing.trigger);
    if (t === undefined || !Number.isFinite(firing.time)) return false;
    let st = this.assets.get(firing.asset);
    if (!st) {
      const profile = this.profileFor(firing.asset);
      if (!profile) return false;
      st = this.newAsset(firing.asset, profile);
    }
    if (st.eventId[t] === firing.id || firing.time < st.now) return false;
    if (firing.time > st.now) st.now = firing.time;
    st.latched[t] = 1;
    st.open[t] = 1;
    st.condTrue[t] = 1;
    st.falseSince[t] = NaN;
    st.eventId[t] = firing.id;
    return true;
  }

  /** The trigger matrix row of an asset: 1 = latched, over the model's triggers in model order. */
  matrix(asset: string): number[] {
    const st = this.assets.get(asset);
    return this.triggers.map((_, t) => (st && st.profile.active[t] && st.latched[t] ? 1 : 0));
  }

  /** The assets the engine has state for, in first-seen order. */
  assetIds(): string[] {
    return [...this.assets.keys()];
  }

  /** Counts of sample outcomes and firings since construction (or as restored). */
  stats(): Record<SampleOutcome | 'fired', number> {
    return { ...this.counts };
  }

  /** A readable view of one asset's state. */
  inspect(asset: string): AssetView {
    const st = this.assets.get(asset);
    const values: Record<string, { time: number; value: number }> = {};
    if (st) this.statusRefs.forEach((ref, i) => {
      if (st.newest[i] > -Infinity) values[ref] = { time: st.newest[i], value: st.latest[i] };
    });
    return {
      asset,
      clock: st ? jsonNumber(st.now) : null,
      matrix: this.matrix(asset),
      triggers: this.triggers.map((c, t) => ({
        trigger: c.id,
        active: st ? st.profile.active[t] === 1 : this.profileFor(asset)?.active[t] === 1,
        condition: st ? st.condTrue[t] === 1 : false,
        latched: st ? st.latched[t] === 1 : false,
        open: st ? st.open[t] === 1 : false,
        eventId: st ? st.eventId[t] : null,
        falseSince: st ? jsonNumber(st.falseSince[t]) : null,
      })),
      values,
    };
  }

  /**
   * Changes the triggers an asset runs (e.g. a new service contract). Triggers that stop running
   * keep their latch state (a service they started can still be closed) but are no longer
   * evaluated and show 0 in the matrix. Windows of newly read statuses start empty.
   */
  assignTriggers(asset: string, triggers: readonly string[]): void {
    for (const id of triggers) if (!this.triggerIndex.has(id)) throw new Error(`assignTriggers: unknown trigger "${id}"`);
    const profile = this.profile(triggers.map((id) => this.triggerIndex.get(id)!));
    const st = this.assets.get(asset) ?? this.newAsset(asset, profile);
    st.assigned = [...triggers];
    this.applyProfile(st, profile);
  }

  // ---------------------------------------------------------------------------------------------
  // Trigger state machine

  /**
   * Evaluates trigger t at the asset's clock; returns whether it fires. Fires on a rising edge
   * (not definitely true before, definitely true now) when not latched. Unknown counts as false.
   */
  private step(st: AssetState, t: number): boolean {
    // Clear time may have run out since the last evaluation (the condition stayed false meanwhile).
    if (st.latched[t]) this.maybeUnlatch(st, t);
    const isTrue = this.fns[t](st) === T;
    if (isTrue) {
      if (st.condTrue[t]) return false;
      st.condTrue[t] = 1;
      st.falseSince[t] = NaN;
      return st.latched[t] === 0;
    }
    if (st.condTrue[t]) {
      st.condTrue[t] = 0;
      st.falseSince[t] = st.now;
    } else if (st.falseSince[t] !== st.falseSince[t]) {
      st.falseSince[t] = st.now;
    }
    if (st.latched[t]) this.maybeUnlatch(st, t);
    return false;
  }

  /** Unlatches when the service is closed and the condition has been false for the clear time. */
  private maybeUnlatch(st: AssetState, t: number): void {
    if (!st.open[t] && !st.condTrue[t] && st.now - st.falseSince[t] >= this.triggers[t].clearMs) st.latched[t] = 0;
  }

  private fire(st: AssetState, t: number): TriggerFired {
    const c = this.triggers[t];
    const seq = ++this.seq;
    this.counts.fired++;
    const time = st.now;
    const id = this.eventIdOf({ gateway: this.gateway, asset: st.id, trigger: c.id, time, seq });
    st.latched[t] = 1;
    st.open[t] = 1;
    st.eventId[t] = id;
    return { id, asset: st.id, trigger: c.id, time, window: { start: time + c.windowStartMs, deadline: time + c.windowDeadlineMs }, values: this.firingValues(st, c) };
  }

  private firingValues(st: AssetState, c: CompiledTrigger): Record<string, number | null> {
    const values: Record<string, number | null> = {};
    const parsed = c.parsed!;
    parsed.statuses.forEach((ref, i) => (values[ref] = jsonNumber(st.latest[c.statusSlots[i]])));
    parsed.windows.forEach((w, i) => (values[w.label] = jsonNumber(st.aggs[c.windowSlots[i]][w.fn](st.now))));
    parsed.fors.forEach((f, i) => {
      const since = st.since[c.forSlots[i]];
      values[f.label] = since === since ? (st.now - since) / 1000 : null;
    });
    return values;
  }

  private reject(outcome: SampleOutcome, reason: string): IngestResult {
    this.counts[outcome]++;
    return { outcome, accepted: false, reason, fired: EMPTY };
  }

  private ignoreDuplicate(slot: number, time: number): IngestResult {
    return this.reject('duplicate', `${this.statusRefs[slot]} at ${time}: same time and value as a sample already held (ignored)`);
  }

  // ---------------------------------------------------------------------------------------------
  // Assets and profiles

  private profileFor(asset: string): Profile | null {
    const ids = this.assetTriggers[asset];
    if (ids) return this.profile(ids.map((id) => this.triggerIndex.get(id)!));
    if (this.rejectUnlisted) return null;
    return (this.allTriggers ??= this.profile(this.triggers.map((_, t) => t)));
  }

  private newAsset(asset: string, profile: Profile): AssetState {
    const st = new AssetState(asset, profile, this.statusRefs.length, this.aggDefs.length, this.forOwners.length, this.triggers.length);
    this.applyProfile(st, profile);
    this.assets.set(asset, st);
    return st;
  }

  /** Creates the series and aggregates the profile needs (existing ones are kept). */
  private applyProfile(st: AssetState, profile: Profile): void {
    st.profile = profile;
    profile.aggsByStatus.forEach((aggs, slot) => {
      if (aggs === null) return;
      const series = st.series[slot] ?? (st.series[slot] = new SampleSeries());
      if (st.now > -Infinity) series.advance(st.now);
      for (const k of aggs) st.aggs[k] = series.aggregate(this.aggDefs[k].durationMs, this.aggDefs[k].fns);
    });
  }

  private profile(triggers: readonly number[]): Profile {
    const sorted = [...new Set(triggers)].sort((a, b) => a - b);
    const key = sorted.join(',');
    const cached = this.profiles.get(key);
    if (cached) return cached;
    const n = this.statusRefs.length;
    const active = new Uint8Array(this.triggers.length);
    const rules: number[][] = Array.from({ length: n }, () => []);
    const aggs: Set<number>[] = Array.from({ length: n }, () => new Set());
    const timeDependent: number[] = [];
    for (const t of sorted) {
      active[t] = 1;
      const c = this.triggers[t];
      if (!c.fn) continue;
      for (const s of new Set(c.statusSlots)) rules[s].push(t);
      for (const k of c.windowSlots) aggs[this.aggDefs[k].status].add(k);
      if (c.timeDependent) timeDependent.push(t);
    }
    const profile: Profile = {
      active,
      activeList: Int32Array.from(sorted),
      rulesByStatus: rules.map((r) => (r.length ? Int32Array.from(r) : null)),
      timeDependent: Int32Array.from(timeDependent),
      aggsByStatus: aggs.map((a) => (a.size ? [...a] : null)),
    };
    this.profiles.set(key, profile);
    return profile;
  }

  // ---------------------------------------------------------------------------------------------
  // Snapshots

  /** The whole state as plain JSON, for a gateway to persist across restarts. */
  snapshot(): EngineSnapshot {
    const assets: AssetSnapshot[] = [];
    for (const st of this.assets.values()) {
      const statuses: AssetSnapshot['statuses'] = [];
      this.statusRefs.forEach((ref, i) => {
        if (!(st.newest[i] > -Infinity)) return;
        const series = st.series[i];
        // Windows slide lazily; slide them now so that the snapshot holds only what still counts.
        if (series) series.advance(st.now);
        statuses.push({ ref, time: st.newest[i], value: st.latest[i], ...(series && series.size ? { samples: series.samples() } : {}) });
      });
      const fors: AssetSnapshot['fors'] = [];
      this.forOwners.forEach((owner, k) => {
        if (st.since[k] === st.since[k]) fors.push({ trigger: this.triggers[owner.trigger].id, index: owner.index, since: st.since[k] });
      });
      const triggerStates: AssetSnapshot['triggerStates'] = [];
      this.triggers.forEach((c, t) => {
        if (!st.condTrue[t] && !st.latched[t] && st.eventId[t] === null && st.falseSince[t] !== st.falseSince[t]) return;
        triggerStates.push({ trigger: c.id, condition: st.condTrue[t] === 1, latched: st.latched[t] === 1, open: st.open[t] === 1, eventId: st.eventId[t], falseSince: jsonNumber(st.falseSince[t]) });
      });
      assets.push({ asset: st.id, clock: jsonNumber(st.now), triggers: st.assigned ? [...st.assigned] : null, statuses, fors, triggerStates });
    }
    return { format: SNAPSHOT_FORMAT, model: this.model.name, gateway: this.gateway, seq: this.seq, counts: { ...this.counts }, assets };
  }

  /**
   * Replaces the whole state with a snapshot. Statuses, triggers and `for` positions the model no
   * longer has are skipped and listed (the model may have changed between a save and a restore);
   * a malformed snapshot throws and leaves the state untouched.
   */
  restore(snapshot: EngineSnapshot): { skipped: string[] } {
    checkSnapshot(snapshot);
    const skipped: string[] = [];
    const statusSlot = new Map(this.statusRefs.map((ref, i) => [ref, i]));
    const assets = new Map<string, AssetState>();
    for (const a of snapshot.assets) {
      let assigned: string[] | null = null;
      if (a.triggers) {
        assigned = a.triggers.filter((id) => this.triggerIndex.has(id));
        for (const id of a.triggers) if (!this.triggerIndex.has(id)) skipped.push(`${a.asset}: trigger ${id}`);
      }
      const profile = assigned ? this.profile(assigned.map((id) => this.triggerIndex.get(id)!)) : this.profileFor(a.asset);
      if (!profile) {
        skipped.push(`asset ${a.asset} (not served by this gateway)`);
        continue;
      }
      const st = new AssetState(a.asset, profile, this.statusRefs.length, this.aggDefs.length, this.forOwners.length, this.triggers.length);
      st.assigned = assigned;
      st.now = a.clock ?? -Infinity;
      this.applyProfile(st, profile);
      for (const s of a.statuses) {
        const i = statusSlot.get(s.ref);
        if (i === undefined) {
          skipped.push(`${a.asset}: status ${s.ref}`);
          continue;
        }
        st.newest[i] = s.time;
        st.latest[i] = s.value;
        const series = st.series[i];
        if (series) for (const [time, value] of s.samples ?? []) series.push(time, value, st.now);
      }
      for (const f of a.fors) {
        const t = this.triggerIndex.get(f.trigger);
        const k = this.forOwners.findIndex((o) => o.trigger === t && o.index === f.index);
        if (k < 0) skipped.push(`${a.asset}: for #${f.index} of ${f.trigger}`);
        else st.since[k] = f.since;
      }
      for (const s of a.triggerStates) {
        const t = this.triggerIndex.get(s.trigger);
        if (t === undefined) {
          skipped.push(`${a.asset}: trigger ${s.trigger}`);
          continue;
        }
        st.condTrue[t] = s.condition ? 1 : 0;
        st.latched[t] = s.latched ? 1 : 0;
        st.open[t] = s.open ? 1 : 0;
        st.eventId[t] = s.eventId;
        st.falseSince[t] = s.falseSince ?? NaN;
      }
      assets.set(a.asset, st);
    }
    this.assets.clear();
    for (const [id, st] of assets) this.assets.set(id, st);
    this.lastAsset = null;
    this.seq = snapshot.seq;
    this.counts = { ...TriggerEngine.zeroCounts(), ...snapshot.counts };
    return { skipped };
  }
}

/** Shape checks of a snapshot read back from disk (plain JSON, possibly hand-edited or truncated). */
function checkSnapshot(s: EngineSnapshot): void {
  const fail = (what: string): never => {
    throw new Error(`invalid trigger engine snapshot: ${what}`);
  };
  if (typeof s !== 'object' || s === null) fail('not an object');
  if (s.format !== SNAPSHOT_FORMAT) fail(`format must be ${SNAPSHOT_FORMAT}, got ${JSON.stringify(s.format)}`);
  if (!Number.isInteger(s.seq) || s.seq < 0) fail('seq must be an integer >= 0');
  if (!Array.isArray(s.assets)) fail('assets must be a list');
  const num = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
  s.assets.forEach((a, i) => {
    const at = `assets[${i}]`;
    if (typeof a?.asset !== 'string') fail(`${at}.asset must be a string`);
    if (a.clock !== null && !num(a.clock)) fail(`${at}.clock must be a number or null`);
    if (!Array.isArray(a.statuses) || !Array.isArray(a.fors) || !Array.isArray(a.triggerStates)) fail(`${at}: statuses, fors and triggerStates must be lists`);
    a.statuses.forEach((st, j) => {
      if (typeof st?.ref !== 'string' || !num(st.time) || !num(st.value)) fail(`${at}.statuses[${j}] needs ref, time and value`);
      if (st.samples !== undefined && (!Array.isArray(st.samples) || !st.samples.every((p) => Array.isArray(p) && num(p[0]) && num(p[1])))) {
        fail(`${at}.statuses[${j}].samples must be [time, value] pairs`);
      }
    });
    a.fors.forEach((f, j) => {
      if (typeof f?.trigger !== 'string' || !Number.isInteger(f.index) || !num(f.since)) fail(`${at}.fors[${j}] needs trigger, index and since`);
    });
    a.triggerStates.forEach((t, j) => {
      if (typeof t?.trigger !== 'string' || typeof t.latched !== 'boolean' || typeof t.open !== 'boolean') fail(`${at}.triggerStates[${j}] needs trigger, latched and open`);
    });
  });
}
