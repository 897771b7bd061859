/**
 * RingBuffer keeps the most recent `capacity` (time, value) samples of one series, oldest first.
 * Times are milliseconds; appends must not go back in time (older samples are ignored).
 */
export class RingBuffer {
  readonly #t: Float64Array;
  readonly #v: Float64Array;
  #start = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring buffer capacity must be a positive integer, got ${capacity}`);
    this.#t = new Float64Array(capacity);
    this.#v = new Float64Array(capacity);
  }

  /** Number of samples held. */
  get size(): number {
    return this.#size;
  }

  /** Appends a sample; returns false (and keeps nothing) when `tMs` is not after the newest sample. */
  push(tMs: number, value: number): boolean {
    if (this.#size > 0 && tMs <= this.#t[(this.#start + this.#size - 1) % this.capacity]) return false;
    const idx = (this.#start + this.#size) % this.capacity;
    this.#t[idx] = tMs;
    this.#v[idx] = value;
    if (this.#size < this.capacity) this.#size++;
    else this.#start = (this.#start + 1) % this.capacity;
    return true;
  }

  /** Time of the newest sample, or undefined when empty. */
  lastTime(): number | undefined {
    return this.#size === 0 ? undefined : this.#t[(this.#start + this.#size - 1) % this.capacity];
  }

  /** The samples with `fromMs <= t <= toMs`, oldest first. */
  range(fromMs: number, toMs: number): { t: number[]; v: number[] } {
    const t: number[] = [];
    const v: number[] = [];
    for (let k = 0; k < this.#size; k++) {
      const idx = (this.#start + k) % this.capacity;
      const time = this.#t[idx];
      if (time < fromMs || time > toMs) continue;
      t.push(time);
      v.push(this.#v[idx]);
    }
    return { t, v };
  }
}
