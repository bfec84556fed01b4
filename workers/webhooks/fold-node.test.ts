import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../shared/k8s/object";
import { NODE_STATUS_REPORT_FREQUENCY_MS, onlyRenews } from "./fold-node";

const T0 = Date.parse("2026-12-02T10:00:00Z");
const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

function status(beatMs: number, ready = "True", extra: JsonObject = {}): JsonObject {
  return {
    conditions: [{ type: "Ready", status: ready, reason: "KubeletReady", lastHeartbeatTime: at(beatMs), lastTransitionTime: at(T0) }],
    capacity: { cpu: "8" },
    ...extra,
  };
}

describe("onlyRenews", () => {
  it("is true when only the heartbeat stamps move, within the report frequency", () => {
    expect(onlyRenews(status(T0), status(T0 + 10_000), T0 + 10_000)).toBe(true);
  });

  it("is false once the written heartbeat is as old as the report frequency: the Node is written again", () => {
    const now = T0 + NODE_STATUS_REPORT_FREQUENCY_MS;
    expect(onlyRenews(status(T0), status(now), now)).toBe(false);
  });

  it("is false for any other change: a condition's status, capacity, a new condition", () => {
    expect(onlyRenews(status(T0), status(T0 + 1000, "False"), T0 + 1000)).toBe(false);
    expect(onlyRenews(status(T0), status(T0 + 1000, "True", { capacity: { cpu: "16" } }), T0 + 1000)).toBe(false);
    expect(onlyRenews(status(T0), status(T0 + 1000, "True", { addresses: [{ type: "InternalIP", address: "10.0.0.1" }] }), T0 + 1000)).toBe(false);
  });

  it("is false without a written heartbeat, or one stamped in the future", () => {
    expect(onlyRenews({ conditions: [] }, status(T0), T0)).toBe(false);
    expect(onlyRenews(status(T0 + 60_000), status(T0 + 60_000), T0)).toBe(false);
  });
});
