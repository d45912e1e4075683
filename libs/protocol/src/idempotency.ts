// Delivery is at least once everywhere (MQTT QoS 1, spool replays, cloud re-sends): every consumer must tolerate
// duplicates. Trigger events carry a unique id; the cloud de-duplicates durably by a database constraint (a unique
// key on (tenant, event id), insert-or-ignore, ack after commit); the edge de-duplicates what it receives in memory
// with a DedupWindow.

/**
 * A bounded set of recently seen ids with least-recently-seen eviction: remembers the last `capacity` distinct ids.
 * Memory is O(capacity); every operation is O(1).
 */
export class DedupWindow {
  private readonly seen = new Map<string, true>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`DedupWindow capacity must be an integer >= 1, got ${capacity}`);
  }

  /**
   * True when `id` was seen within the window (a duplicate: skip it). Either way `id` is now the most recently seen.
   */
  isDuplicate(id: string): boolean {
    const duplicate = this.seen.delete(id);
    this.seen.set(id, true);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.keys().next().value as string);
    return duplicate;
  }

  /** Records ids without asking (e.g. the ids still in the spool after a restart). */
  add(...ids: string[]): void {
    for (const id of ids) this.isDuplicate(id);
  }

  /** Whether `id` is in the window; does not change its recency. */
  has(id: string): boolean {
    return this.seen.has(id);
  }

  /** Forgets `id` (e.g. a message whose processing failed and should be accepted when it comes again). */
  forget(id: string): boolean {
    return this.seen.delete(id);
  }

  clear(): void {
    this.seen.clear();
  }

  get size(): number {
    return this.seen.size;
  }

  /** Oldest first. */
  ids(): string[] {
    return [...this.seen.keys()];
  }
}

/**
 * A deterministic trigger event id: `{gateway}:{asset}:{trigger}:{time}`, each part percent-encoded so the id is
 * injective (no part contains `:`). A latched trigger fires at most once per (asset, trigger, time), so ids are
 * unique; and a gateway that re-derives a firing after a crash gets the same id, which the cloud then ignores.
 */
export function eventIdFor(firing: { gateway: string; asset: string; trigger: string; time: number }): string {
  return [firing.gateway, firing.asset, firing.trigger, String(firing.time)].map(encodeURIComponent).join(':');
}
