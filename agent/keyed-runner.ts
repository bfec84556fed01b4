/**
 * @module
 * Runs work per key, one run at a time per key, like the Kubernetes
 * workqueue: a key scheduled while its run is in progress is marked dirty and
 * run again afterwards, so the last state is always acted on and no two runs
 * of a key overlap (the host loop awaits runtime starts and stops).
 */

/** Serialised, deduplicated runs of `work(key)`. */
export class KeyedRunner {
  private readonly active = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();

  constructor(
    private readonly work: (key: string) => Promise<void>,
    private readonly onError: (key: string, err: unknown) => void,
  ) {}

  /** Runs `work(key)` now, or once more after the current run of `key`. */
  schedule(key: string): void {
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    const run = this.loop(key).finally(() => this.active.delete(key));
    this.active.set(key, run);
  }

  /** Resolves once no key is running or dirty. */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.all([...this.active.values()]);
  }

  private async loop(key: string): Promise<void> {
    do {
      this.dirty.delete(key);
      try {
        await this.work(key);
      } catch (err) {
        this.onError(key, err);
      }
    } while (this.dirty.has(key));
  }
}
