// The points of one series (one status of one asset) in time order, at most `capacity` of them. A circular buffer
// of two Float64Arrays (16 bytes a point) that starts small and doubles up to its capacity, so the thousands of
// series that hold a few points do not each reserve the room of a full one.

export type InsertOutcome =
  /** A new point: the ring holds one more. */
  | 'added'
  /** A point at the same time existed: its value was replaced (InfluxDB does the same for a repeated timestamp). */
  | 'replaced'
  /** The ring was full: its oldest point was dropped to make room. */
  | 'shifted'
  /** The ring was full and the point is older than all it holds: the point itself was dropped. */
  | 'rejected';

const INITIAL_ROOM = 16;

export class SeriesRing {
  private times: Float64Array;
  private values: Float64Array;
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`SeriesRing capacity must be an integer >= 1, got ${capacity}`);
    const room = Math.min(capacity, INITIAL_ROOM);
    this.times = new Float64Array(room);
    this.values = new Float64Array(room);
  }

  get size(): number {
    return this.count;
  }

  /** The time of the i-th point, oldest first (0 <= i < size). */
  timeAt(i: number): number {
    return this.times[this.slot(i)];
  }

  valueAt(i: number): number {
    return this.values[this.slot(i)];
  }

  /** Time of the oldest point; the ring must not be empty. */
  oldestTime(): number {
    return this.timeAt(0);
  }

  latest(): { time: number; value: number } | undefined {
    return this.count === 0 ? undefined : { time: this.timeAt(this.count - 1), value: this.valueAt(this.count - 1) };
  }

  /** Index of the first point with time >= `time` (size when none). */
  lowerBound(time: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeAt(mid) < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Inserts in time order. Appending (the usual case) is O(1); a late point shifts the newer ones. */
  insert(time: number, value: number): InsertOutcome {
    let pos = this.count > 0 && time > this.timeAt(this.count - 1) ? this.count : this.lowerBound(time);
    if (pos < this.count && this.timeAt(pos) === time) {
      this.values[this.slot(pos)] = value;
      return 'replaced';
    }
    let outcome: InsertOutcome = 'added';
    if (this.count === this.capacity) {
      if (pos === 0) return 'rejected';
      this.dropOldest();
      pos--;
      outcome = 'shifted';
    } else if (this.count === this.times.length) {
      this.grow();
    }
    for (let i = this.count; i > pos; i--) {
      this.times[this.slot(i)] = this.times[this.slot(i - 1)];
      this.values[this.slot(i)] = this.values[this.slot(i - 1)];
    }
    this.times[this.slot(pos)] = time;
    this.values[this.slot(pos)] = value;
    this.count++;
    return outcome;
  }

  dropOldest(): void {
    if (this.count === 0) return;
    this.head = (this.head + 1) % this.times.length;
    this.count--;
  }

  private slot(i: number): number {
    return (this.head + i) % this.times.length;
  }

  private grow(): void {
    const room = Math.min(this.capacity, this.times.length * 2);
    const times = new Float64Array(room);
    const values = new Float64Array(room);
    for (let i = 0; i < this.count; i++) {
      times[i] = this.timeAt(i);
      values[i] = this.valueAt(i);
    }
    this.times = times;
    this.values = values;
    this.head = 0;
  }
}
