/**
 * @module
 * Audit rows gathered per isolate and written to D1 together, as upstream's
 * batch audit backend does (`--audit-log-mode=batch`: a bounded buffer,
 * flushed when it holds a batch's worth or after the batch's maximum wait).
 * Every audited request used to cost its own D1 insert after its response,
 * and every reconcile its own batch: on one runtime that is CPU the next
 * request waits for (bench/cost counted 1.4 D1 queries per pod create). Now
 * a burst of creates, host reports or controller writes is one D1 batch per
 * {@link BATCH_MAX_WAIT_MS}.
 *
 * A reader of the audit log first writes this isolate's waiting rows and
 * waits for the flushes in flight ({@link settleAuditBuffer}), so a client
 * reads its own requests back at once; another isolate's rows appear after
 * its wait, as with upstream's batch backend. At most {@link BUFFER_LIMIT}
 * rows wait; past that rows are dropped and the drop is logged, as upstream
 * drops events when its buffer is full.
 */
import { env as workerEnv, waitUntil } from "cloudflare:workers";
import { type AuditRecord, insertAudit } from "./audit-log";

/** The longest a row waits for its batch (upstream's --audit-log-batch-max-wait, shortened: people read this log live). */
export const BATCH_MAX_WAIT_MS = 200;
/** A buffer this full is flushed at once (upstream's --audit-log-batch-max-size). */
export const BATCH_MAX_SIZE = 100;
/** Rows that may wait at most (upstream's --audit-log-batch-buffer-size). */
export const BUFFER_LIMIT = 10_000;
/**
 * An armed flush not run after this long is overdue: lost with the context
 * that carried it, or late behind a busy loop. The next row arms another in
 * its own context. That is harmless (whichever runs first takes the rows,
 * the other finds none) and at most one per this interval. It used to be
 * 35 s, and a row buffered behind a lost flush waited that long, or for
 * good when no other row came (a full workerd run once saw it).
 */
const ARMED_LOST_MS = 3 * BATCH_MAX_WAIT_MS;
/** How long a reader waits for flushes in flight before it reads anyway. */
const SETTLE_LIMIT_MS = 2_000;

const pending: AuditRecord[] = [];
let armedAt = 0;
let flushing = 0;
let dropped = 0;
/** Rows ever buffered in this isolate, and how many of them a flush has taken: a row's number says whether it is still waiting. */
let buffered = 0;
let taken = 0;

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Hands work to the runtime to finish after the response; run at once where there is no context to carry it. */
function inBackground(work: () => Promise<void>): void {
  try {
    waitUntil(work());
  } catch {
    // Outside any request (module scope): nothing can carry it later, so it runs now, unawaited.
    work().catch((err: unknown) => console.error("audit flush failed", err));
  }
}

/** Queues `records` for the next batch; never throws and never waits. */
export function bufferAudit(records: readonly AuditRecord[]): void {
  for (const record of records) {
    if (pending.length >= BUFFER_LIMIT) dropped++;
    else {
      pending.push(record);
      buffered++;
    }
  }
  if (pending.length >= BATCH_MAX_SIZE) {
    inBackground(flushAuditBuffer);
    return;
  }
  if (pending.length === 0) return;
  const now = Date.now();
  if (armedAt === 0 || now - armedAt >= ARMED_LOST_MS) {
    armedAt = now;
    inBackground(() => delay(BATCH_MAX_WAIT_MS).then(flushAuditBuffer));
    return;
  }
  // The armed flush belongs to another request's context, which may be lost (a full workerd run
  // saw a row wait for good when no later row came to re-arm). A timer in this request's own
  // context writes its rows if no flush has taken them by then; normally it finds them gone.
  const last = buffered;
  inBackground(() => delay(ARMED_LOST_MS).then(() => (taken < last ? flushAuditBuffer() : undefined)));
}

/** Writes every waiting row in one D1 batch; a failure is logged, never thrown (the requests stand). */
export async function flushAuditBuffer(): Promise<void> {
  armedAt = 0;
  if (dropped > 0) {
    console.error(`audit buffer full (${BUFFER_LIMIT} rows): ${dropped} records dropped`);
    dropped = 0;
  }
  if (pending.length === 0) return;
  const rows = pending.splice(0, pending.length);
  taken = buffered;
  flushing++;
  try {
    await insertAudit(workerEnv, rows);
  } catch (err) {
    console.error(`audit: the flush of ${rows.length} records failed (rows it did not write are lost)`, err);
  } finally {
    flushing--;
  }
}

/** Tests only: marks a flush as armed by a context that is then lost, so no timer stands behind it. */
export function loseArmedFlushForTest(): void {
  armedAt = Date.now();
}

/**
 * Makes this isolate's rows readable: writes what waits, then waits (by
 * polling, never by sharing another request's promise, which the runtime
 * does not allow) for flushes other requests started, at most
 * {@link SETTLE_LIMIT_MS}.
 */
export async function settleAuditBuffer(): Promise<void> {
  await flushAuditBuffer();
  const deadline = Date.now() + SETTLE_LIMIT_MS;
  while (flushing > 0 && Date.now() < deadline) await delay(5);
}
