/**
 * @module
 * A bounded map that forgets its least recently used entry first, each entry
 * valid until its own deadline. Per-isolate caches use it so a flood of new
 * keys pushes out only the oldest entries, never the whole cache at once.
 */

/** A least-recently-used cache of at most `capacity` entries with per-entry expiry. */
export class LruCache<K, V> {
  /** Map iteration order is insertion order: the first key is the least recently used. */
  private readonly entries = new Map<K, { value: V; until: number }>();

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError("capacity must be at least 1");
  }

  /** The live value for `key` (marking it recently used), or undefined when absent or expired. */
  get(key: K, now: number): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    if (hit.until <= now) return undefined;
    this.entries.set(key, hit);
    return hit.value;
  }

  /** Stores `value` until `until` (ms), evicting the least recently used entries beyond capacity. */
  set(key: K, value: V, until: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, until });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  /** Forgets `key`. */
  delete(key: K): void {
    this.entries.delete(key);
  }

  /** How many entries are held (expired ones included until touched or evicted). */
  get size(): number {
    return this.entries.size;
  }

  /** Forgets everything. */
  clear(): void {
    this.entries.clear();
  }
}
