/**
 * @module
 * client-go's workqueue metrics for the reconcile queue, one series per
 * controller (`name`, as each controller names its queue): keys enqueued
 * (`workqueue_adds_total`), failed reconciles sent back with backoff
 * (`workqueue_retries_total`), how long each run took
 * (`workqueue_work_duration_seconds`), and deliveries that left the queue,
 * from which a scrape derives `workqueue_depth` (adds minus those).
 */
import { addCounter, observe } from "./accumulator";
import { WORKQUEUE_ADDS, WORKQUEUE_DONE, WORKQUEUE_RETRIES, WORKQUEUE_WORK_DURATION } from "./definitions";
import { armFlush } from "./flush";

/** The controller a queue message names (reconcile keys carry it), or undefined for anything else. */
function controllerOf(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null || !("controller" in body)) return undefined;
  const name = (body as { controller: unknown }).controller;
  return typeof name === "string" ? name : undefined;
}

/** Counts the keys just sent to the reconcile queue. */
export function recordWorkqueueAdds(keys: Iterable<unknown>): void {
  const byName = new Map<string, number>();
  for (const key of keys) {
    const name = controllerOf(key);
    if (name !== undefined) byName.set(name, (byName.get(name) ?? 0) + 1);
  }
  for (const [name, n] of byName) addCounter(WORKQUEUE_ADDS, [["name", name]], n);
  if (byName.size > 0) armFlush();
}

/** A delivery of `key` left the queue: acknowledged, or (retries exhausted) arrived on the dead-letter queue. */
export function recordWorkqueueDone(key: unknown): void {
  const name = controllerOf(key);
  if (name === undefined) return;
  addCounter(WORKQUEUE_DONE, [["name", name]]);
  armFlush();
}

/** A delivery of `key` failed and goes back with backoff. */
export function recordWorkqueueRetry(key: unknown): void {
  const name = controllerOf(key);
  if (name === undefined) return;
  addCounter(WORKQUEUE_RETRIES, [["name", name]]);
  armFlush();
}

/** One reconcile run of controller `name` took `ms`. */
export function observeWorkDuration(name: string, ms: number): void {
  observe(WORKQUEUE_WORK_DURATION, [["name", name]], ms / 1000);
  armFlush();
}
