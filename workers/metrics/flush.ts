/**
 * @module
 * Flushing this isolate's metrics to the fleet store: the first recording
 * after a flush arms one background flush FLUSH_INTERVAL_MS later (the
 * runtime's `waitUntil`, so no request waits for it), which sends every
 * delta gathered meanwhile in one RPC. An isolate under load thus costs the
 * fleet store one call per interval, however many requests it serves; an
 * idle isolate costs nothing. A failed send is put back for the next flush.
 */
import { env, waitUntil } from "cloudflare:workers";
import { restoreDelta, takeDelta } from "./accumulator";
import type { FleetMetrics } from "./fleet-metrics";

/** At most one flush per isolate this often. */
export const FLUSH_INTERVAL_MS = 5_000;
/**
 * An armed flush not run after this long was lost with the request context
 * that carried it (the runtime cancels `waitUntil` work ~30 s after the
 * response): arm again.
 */
const ARMED_LOST_MS = FLUSH_INTERVAL_MS + 35_000;

let armedAt = 0;

/** The one fleet store. */
export function fleetMetricsStub(bindings: Env): DurableObjectStub<FleetMetrics> {
  return (bindings.FLEET_METRICS as DurableObjectNamespace<FleetMetrics>).getByName("fleet");
}

/** Arms a background flush unless one is armed; called after every recording. */
export function armFlush(): void {
  const now = Date.now();
  if (armedAt !== 0 && now - armedAt < ARMED_LOST_MS) return;
  try {
    waitUntil(new Promise<void>((resolve) => setTimeout(resolve, FLUSH_INTERVAL_MS)).then(flushMetrics));
    armedAt = now;
  } catch {
    // No request context (module scope): the next recording inside a request arms it.
  }
}

/** Sends what this isolate recorded since the last flush; a scrape calls it first so its own isolate is current. */
export async function flushMetrics(): Promise<void> {
  armedAt = 0;
  const delta = takeDelta();
  if (!delta) return;
  try {
    await fleetMetricsStub(env).add(delta);
  } catch (err) {
    restoreDelta(delta);
    console.error("metrics flush failed; kept for the next one", err);
  }
}
