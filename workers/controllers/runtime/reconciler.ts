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
import { costEnv } from "../../cost/wiring";
import { runController } from "./dispatch";
import { auditRecordsOf, runAsController } from "../../audit/controller-audit";
import { bufferAudit } from "../../audit/audit-buffer";
import { keyName, type ReconcileKey } from "./keys";
import { backoffSeconds } from "./consumer";
import { observeWorkDuration, recordWorkqueueAdds } from "../../metrics/workqueue-metrics";
import { eventsWritten } from "../shared/event-broadcaster";

/** How long a delivery waits for its run before answering and letting it go on (see Reconciler.reconcile). */
export const DELIVERY_WAIT_MS = 5000;

/** A pending requeue this close to due may be the delivery running now, so it covers nothing. */
const REQUEUE_SLACK_MS = 1000;

/**
 * The longest delay one queue message may carry: Cloudflare Queues' limit
 * per message is 12 hours (miniflare's a day); a longer `delaySeconds`
 * makes the send throw, the delivery fail and, after its retries, the key
 * land in the dead-letter queue.
 */
export const MAX_QUEUE_DELAY_SECONDS = 43_200;

/**
 * The delay a requeue is sent with: at least 1 s, at most
 * {@link MAX_QUEUE_DELAY_SECONDS}, finite for any input.
 *
 * A longer wait (minReadySeconds: 100000, a VMI's grace period of days) is
 * cut to the maximum and re-checked on delivery rather than kept as a
 * Durable Object alarm: reconciles are level-based, each run computes what
 * is left from the objects themselves (when the pod turned Ready, the VMI's
 * deletionTimestamp), so an early delivery finds nothing due and asks again,
 * for one no-op run per 12 hours of waiting. An alarm would be exact but is a
 * second, stateful path into the queue that must survive eviction; the
 * delayed message needs nothing new, and the resync already repairs a lost one.
 */
export function queueDelaySeconds(requested: number): number {
  if (!(requested > 1)) return 1;
  return Math.min(MAX_QUEUE_DELAY_SECONDS, Math.ceil(requested));
}

/** The delay asked for, in ms, within what one message can carry (`rounded` is its whole-second delay). */
function exactDelayMs(requested: number, rounded: number): number {
  if (!(requested > 1)) return rounded * 1000;
  return Math.min(requested, MAX_QUEUE_DELAY_SECONDS) * 1000;
}

/** A delayed message already sent: when it is due, and the deadline it was sent for (ms). */
export interface SentRequeue {
  at: number;
  for: number;
}

/**
 * Whether the message already sent serves a requeue for `deadline` asked at
 * `now`: it is not the delivery running now (due more than a second ahead),
 * and it was sent for a deadline no later than this one (1 ms of float slack).
 * Deadlines are compared, not rounded due times: the same deadline asked for
 * again a few ms later can round to a due time a second earlier than the
 * message's, and that message still serves it.
 */
export function requeueCovered(sent: SentRequeue, now: number, deadline: number): boolean {
  return sent.at > now + REQUEUE_SLACK_MS && sent.for <= deadline + 1;
}

/** What a reconcile asks of the queue. */
export interface ReconcileResult {
  /** Reconcile this key again after this many seconds (e.g. minReadySeconds); the Reconciler sends the delayed message. */
  requeueAfterSeconds?: number;
  /** True when this delivery was covered by a run another delivery started. */
  coalesced?: boolean;
  /** True when the run outlasted the delivery's wait and goes on after it (see Reconciler.reconcile). */
  detached?: boolean;
}

/** The per-key serialiser. */
export class Reconciler extends DurableObject<Env> {
  private active = false;
  /** Failures in a row of runs that outlasted their delivery (their retries' backoff). */
  private detachedFailures = 0;
  private dirty = false;
  private running = 0;
  /** Counters tests read through runInDurableObject (test/do-internals.ts). */
  private maxRunning = 0;
  private runs = 0;
  private requeues = 0;
  /** When the delayed message of the last requested requeue is due (ms; 0 when none is known). */
  private requeueAt = 0;
  /** The deadline that message was sent for, before its delay was rounded up to whole seconds (ms). */
  private requeueFor = 0;
  /**
   * When this Reconciler began observing its key: memory only, so a
   * restarted control plane starts observing afresh, as a restarted
   * controller-manager does. A key that runs at least every resync (30 s)
   * keeps its Reconciler in memory, so this moves only on a restart.
   */
  private observingSince = Date.now();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, costEnv(env));
  }

  /**
   * Reconciles `key`. A delivery that arrives while a run is in progress
   * only marks the key dirty and returns at once: the run in progress goes
   * round again before it finishes. Callers never queue up behind a long
   * reconcile (a scale to 1,000 commits 1,000 children, each enqueueing the
   * owner), and no two runs of a key ever overlap.
   *
   * The delivery itself waits for its run at most {@link DELIVERY_WAIT_MS}.
   * The local queue hands its consumer one batch at a time and starts the
   * next only once every message of it is answered, so one long pass (a
   * scheduler pass binding a burst, a ReplicaSet creating 500 pods) held
   * every other key back for its whole length — a fleet's owners then took
   * turns instead of working at once. Past that wait the run goes on in this
   * object and the delivery is answered; a run that then fails is retried by
   * a delayed message of its own, with the consumer's backoff.
   */
  async reconcile(key: ReconcileKey): Promise<ReconcileResult> {
    if (this.active) {
      this.dirty = true;
      return { coalesced: true };
    }
    this.active = true;
    const run = this.runLoop(key);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = new Promise<"detached">((resolve) => {
      timer = setTimeout(() => resolve("detached"), DELIVERY_WAIT_MS);
    });
    try {
      // A run that fails within the wait fails this delivery, which the queue retries.
      const first = await Promise.race([run, waited]);
      if (first !== "detached") {
        this.detachedFailures = 0;
        return first;
      }
    } finally {
      clearTimeout(timer);
    }
    this.ctx.waitUntil(run.then(
      () => {
        this.detachedFailures = 0;
      },
      (err: unknown) => this.retryDetached(key, err),
    ));
    return { detached: true };
  }

  /** The runs of one activation: again while deliveries came in meanwhile, then the requeue the last asked for. */
  private async runLoop(key: ReconcileKey): Promise<ReconcileResult> {
    try {
      let result: ReconcileResult;
      do {
        this.dirty = false;
        this.running++;
        this.maxRunning = Math.max(this.maxRunning, this.running);
        const started = Date.now();
        try {
          const run = await runAsController(key.controller, () => runController(this.env, key, this.observingSince))
            .catch((err: unknown) => {
              bufferAudit(auditRecordsOf(err));
              throw err;
            });
          // The audit rows go to D1 with the isolate's next batch, off the reconcile's path (audit-buffer.ts).
          bufferAudit(run.records);
          // Events the run emitted are written after it (event-broadcaster.ts); the object stays up for them.
          this.ctx.waitUntil(eventsWritten());
          result = run.result;
        } finally {
          this.running--;
          observeWorkDuration(key.controller, Date.now() - started);
        }
        this.runs++;
      } while (this.dirty);
      await this.requeue(key, result);
      return result;
    } finally {
      this.active = false;
    }
  }

  /** A run whose delivery was already answered failed: the key comes back after the consumer's backoff. */
  private async retryDetached(key: ReconcileKey, err: unknown): Promise<void> {
    this.detachedFailures++;
    const delaySeconds = backoffSeconds(this.detachedFailures);
    console.error(`reconcile ${keyName(key)} failed after its delivery was answered (failure ${this.detachedFailures}); again in ${delaySeconds} s`, err);
    await this.env.RECONCILE_QUEUE.send(key, { delaySeconds });
    recordWorkqueueAdds([key]);
  }

  /**
   * Sends the delayed message a result asks for, unless one already sent
   * covers it (due no later, and not so soon that it may be the very
   * delivery running now). Without this, every delivery of a key that always
   * asks to be requeued (a node's heartbeat deadline, an unschedulable pod)
   * would start one more delayed chain; the workqueue's AddAfter dedupes the
   * same way. The send happens here, where the record of it lives: a failed
   * send fails the delivery, which is retried. Memory only: after an
   * eviction at most one extra chain starts, and the next covered requeue
   * ends it.
   */
  private async requeue(key: ReconcileKey, result: ReconcileResult): Promise<void> {
    if (result.requeueAfterSeconds === undefined) return;
    const seconds = queueDelaySeconds(result.requeueAfterSeconds);
    const now = Date.now();
    const deadline = now + exactDelayMs(result.requeueAfterSeconds, seconds);
    if (requeueCovered({ at: this.requeueAt, for: this.requeueFor }, now, deadline)) return;
    await this.env.RECONCILE_QUEUE.send(key, { delaySeconds: seconds });
    recordWorkqueueAdds([key]);
    this.requeueAt = now + seconds * 1000;
    this.requeueFor = deadline;
    this.requeues++;
  }
}
