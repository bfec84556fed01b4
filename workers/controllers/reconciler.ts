/**
 * @module
 * One Reconciler Durable Object per key runs that key's reconciles strictly
 * one at a time (Queues deliver at least once and in parallel; the
 * Kubernetes workqueue never runs one key concurrently, and neither do we).
 * Deliveries that arrive while a run is in progress are coalesced into the
 * next run: reconciles are level-based, so one run that starts after a
 * request covers it.
 */
import { DurableObject } from "cloudflare:workers";
import { Mutex } from "../objects/mutex";
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
  private readonly lock = new Mutex();
  private requested = 0;
  private completedThrough = 0;
  private running = 0;
  private maxRunning = 0;
  private runs = 0;

  /** Reconciles `key` once every earlier run of it has finished. */
  async reconcile(key: ReconcileKey): Promise<ReconcileResult> {
    const ticket = ++this.requested;
    return this.lock.run(async () => {
      if (this.completedThrough >= ticket) return { coalesced: true };
      const covers = this.requested;
      this.running++;
      this.maxRunning = Math.max(this.maxRunning, this.running);
      try {
        const result = await runController(this.env, key);
        this.completedThrough = covers;
        this.runs++;
        return result;
      } finally {
        this.running--;
      }
    });
  }

  /** Test hook: how many runs happened and the most that ever overlapped. */
  async stats(): Promise<{ runs: number; maxRunning: number }> {
    return { runs: this.runs, maxRunning: this.maxRunning };
  }
}
