/**
 * @module
 * The queue consumer: each message is a key, handed to that key's
 * Reconciler. Success acks; a requested requeue is a new delayed message,
 * sent by the Reconciler (so waiting does not use up retries); an error
 * retries with exponential backoff and, once retries run out, the queue
 * moves the message to the dead-letter queue. Unknown errors are never acked.
 */
import type { Reconciler } from "./reconciler";
import { isReconcileKey, keyName, type ReconcileKey } from "./keys";
import { recordWorkqueueDone, recordWorkqueueRetry } from "../../metrics/workqueue-metrics";

/** Retry delay: 1, 2, 4 … seconds, capped at 5 minutes (workqueue's exponential rate limiter). */
export function backoffSeconds(attempts: number): number {
  return Math.min(2 ** Math.max(0, attempts - 1), 300);
}

/** Consumes one batch of the reconcile queue. */
export async function consumeReconcileBatch(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const reconcilers = env.RECONCILERS as DurableObjectNamespace<Reconciler>;
  await Promise.all(
    batch.messages.map(async (msg) => {
      if (!isReconcileKey(msg.body)) {
        console.error("dropping malformed reconcile message", JSON.stringify(msg.body));
        msg.ack();
        return;
      }
      const key: ReconcileKey = msg.body;
      try {
        // A requested requeue is sent by the Reconciler itself (it dedupes them).
        await reconcilers.getByName(keyName(key)).reconcile(key);
        msg.ack();
        recordWorkqueueDone(key);
      } catch (err) {
        console.error(`reconcile ${keyName(key)} failed (attempt ${msg.attempts})`, err);
        msg.retry({ delaySeconds: backoffSeconds(msg.attempts) });
        recordWorkqueueRetry(key);
      }
    }),
  );
}
