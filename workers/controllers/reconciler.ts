/**
 * @module
 * One Reconciler Durable Object per key runs that key's reconciles strictly
 * one at a time (Queues deliver at least once and in parallel; the
 * Kubernetes workqueue never runs one key concurrently, and neither do we).
 * Deliveries that arrive while a run is in progress are coalesced into one
 * more run: reconciles are level-based, so a run that starts after a
 * request covers it.
 */
import { DurableObject } from "cloudflare:workers";
import { runController } from "./dispatch";
import type { ReconcileKey } from "./keys";

/** What a reconcile asks of the queue. */
export interface ReconcileResult {
  /** Reconcile this key again after this many seconds (e.g. minReadySeconds). */
  requeueAfterSeconds?: number;
  /** True when this delivery was covered by a run another delivery started. */
  coalesced?: boolean;
}

/** The per-key serialiser. */
export class Reconciler extends DurableObject<Env> {
  private active = false;
  private dirty = false;
  private running = 0;
  private maxRunning = 0;
  private runs = 0;

  /**
   * Reconciles `key`. A delivery that arrives while a run is in progress
   * only marks the key dirty and returns at once: the run in progress goes
   * round again before it finishes. Callers never queue up behind a long
   * reconcile (a scale to 1,000 commits 1,000 children, each enqueueing the
   * owner), and no two runs of a key ever overlap.
   */
  async reconcile(key: ReconcileKey): Promise<ReconcileResult> {
    if (this.active) {
      this.dirty = true;
      return { coalesced: true };
    }
    this.active = true;
    try {
      let result: ReconcileResult;
      do {
        this.dirty = false;
        this.running++;
        this.maxRunning = Math.max(this.maxRunning, this.running);
        try {
          result = await runController(this.env, key);
        } finally {
          this.running--;
        }
        this.runs++;
      } while (this.dirty);
      return result;
    } finally {
      this.active = false;
    }
  }

  /** Test hook: how many runs happened and the most that ever overlapped. */
  async stats(): Promise<{ runs: number; maxRunning: number }> {
    return { runs: this.runs, maxRunning: this.maxRunning };
  }
}
