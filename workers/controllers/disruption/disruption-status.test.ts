import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../shared/k8s/object";
import { formatTime } from "../../../shared/k8s/time";
import { calculatePdbStatus, DELETION_TIMEOUT_MS, scaledValue } from "./disruption-status";

const NOW = Date.parse("2026-03-01T12:00:00Z");

function pod(name: string, o: { ready?: boolean; deleting?: boolean; labels?: Record<string, string> } = {}): KubeObject {
  return {
    apiVersion: "v1", kind: "Pod",
    metadata: { name, namespace: "ns", labels: o.labels ?? { app: "web" }, ...(o.deleting ? { deletionTimestamp: formatTime(NOW) } : {}) },
    status: { phase: "Running", conditions: [{ type: "Ready", status: o.ready === false ? "False" : "True" }] },
  };
}

function pdb(spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name: "b", namespace: "ns", generation: 2 }, spec, status } as KubeObject;
}

describe("calculatePdbStatus (upstream trySync)", () => {
  it("counts Ready selected pods, not deleting ones nor those awaiting an admitted eviction", () => {
    const budget = pdb({ minAvailable: 2, selector: { matchLabels: { app: "web" } } }, {
      disruptedPods: {
        a: formatTime(NOW - 1000), // admitted a second ago: not counted, kept
        b: formatTime(NOW - DELETION_TIMEOUT_MS - 1000), // expired: counted again, dropped
        gone: formatTime(NOW - 1000), // no such pod: dropped
      },
    });
    const pods = [pod("a"), pod("b"), pod("c"), pod("d", { deleting: true }), pod("e", { ready: false }), pod("x", { labels: { app: "db" } })];
    const { status, recheckMs } = calculatePdbStatus(budget, pods, new Map(), NOW);
    expect(status).toMatchObject({
      observedGeneration: 2, currentHealthy: 2, desiredHealthy: 2, expectedPods: 5, disruptionsAllowed: 0,
      disruptedPods: { a: formatTime(NOW - 1000) },
    });
    expect(status.conditions).toEqual([{ type: "DisruptionAllowed", status: "False", reason: "InsufficientPods", message: "", lastTransitionTime: formatTime(NOW) }]);
    expect(recheckMs).toBe(DELETION_TIMEOUT_MS - 1000);
  });

  it("takes expected pods from the controllers for maxUnavailable and percentages, rounding up", () => {
    const pods = [pod("a"), pod("b"), pod("c")];
    const replicas = new Map([["rs-uid", 5]]);
    expect(calculatePdbStatus(pdb({ maxUnavailable: "30%", selector: {} }), pods, replicas, NOW).status)
      .toMatchObject({ expectedPods: 5, desiredHealthy: 3, currentHealthy: 3, disruptionsAllowed: 0 });
    expect(calculatePdbStatus(pdb({ minAvailable: "50%", selector: {} }), pods, replicas, NOW).status)
      .toMatchObject({ expectedPods: 5, desiredHealthy: 3, disruptionsAllowed: 0 });
    expect(calculatePdbStatus(pdb({ maxUnavailable: 3, selector: {} }), pods, replicas, NOW).status)
      .toMatchObject({ desiredHealthy: 2, disruptionsAllowed: 1, conditions: [{ status: "True", reason: "SufficientPods" }] });
    expect(scaledValue("25%", 10)).toBe(3);
  });

  it("a missing selector selects nothing: no disruption allowed", () => {
    expect(calculatePdbStatus(pdb({ minAvailable: 0 }), [pod("a")], new Map(), NOW).status)
      .toMatchObject({ expectedPods: 0, currentHealthy: 0, disruptionsAllowed: 0 });
  });
});
