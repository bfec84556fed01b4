import { describe, expect, it } from "vitest";
import { calculateReplicaSetStatus, requeueAfterForMinReady } from "./replica-set-status";
import { statusEqual } from "../shared/status-equal";
import { ago, NOW, pod, replicaSet } from "../shared/test-fixtures";

const failure = (reason: string | undefined, message: string, since: string) => ({
  type: "ReplicaFailure",
  status: "True",
  lastTransitionTime: since,
  ...(reason === undefined ? {} : { reason }),
  message,
});

describe("calculateReplicaSetStatus: counts", () => {
  it("counts replicas, fully labeled, ready and available, stamps observedGeneration", () => {
    const rs = replicaSet("rs", { replicas: 4, minReadySeconds: 30, generation: 7, templateLabels: { app: "web", tier: "fe" } });
    const pods = [
      pod("full-avail", { labels: { app: "web", tier: "fe", extra: "x" }, readyFor: 60 }),
      pod("partial-ready", { readyFor: 10 }),
      pod("partial-notready", { readyFor: false }),
      pod("full-nocond", { labels: { app: "web", tier: "fe" } }),
    ];
    expect(calculateReplicaSetStatus(rs, pods, undefined, NOW)).toEqual({
      replicas: 4,
      fullyLabeledReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 1,
      observedGeneration: 7,
    });
  });

  it("with no pods everything is zero", () => {
    expect(calculateReplicaSetStatus(replicaSet("rs"), [], undefined, NOW)).toEqual({
      replicas: 0,
      fullyLabeledReplicas: 0,
      readyReplicas: 0,
      availableReplicas: 0,
      observedGeneration: 1,
    });
  });

  it("counts terminating pods only when asked (feature gate)", () => {
    const rs = replicaSet("rs", { status: { terminatingReplicas: 9 } });
    const active = [pod("a")];
    const nonTerminal = [...active, pod("b", { deleting: true }), pod("c", { deleting: true, phase: "Failed" })];
    expect(calculateReplicaSetStatus(rs, active, nonTerminal, NOW).terminatingReplicas).toBe(1);
    expect(calculateReplicaSetStatus(rs, active, undefined, NOW)).not.toHaveProperty("terminatingReplicas");
  });

  it("keeps status fields it does not compute", () => {
    const rs = replicaSet("rs", { status: { replicas: 5, custom: "kept" } });
    expect(calculateReplicaSetStatus(rs, [], undefined, NOW).custom).toBe("kept");
  });
});

describe("calculateReplicaSetStatus: ReplicaFailure", () => {
  it.each<[string, number, number, string | undefined]>([
    ["too few pods: FailedCreate", 3, 1, "FailedCreate"],
    ["too many pods: FailedDelete", 1, 3, "FailedDelete"],
    ["at the desired count: no reason", 2, 2, undefined],
  ])("%s", (_n, replicas, active, reason) => {
    const rs = replicaSet("rs", { replicas });
    const pods = Array.from({ length: active }, (_, i) => pod(`p${i}`));
    const status = calculateReplicaSetStatus(rs, pods, undefined, NOW, new Error("quota exceeded"));
    expect(status.conditions).toEqual([failure(reason, "quota exceeded", "2026-03-01T12:00:00Z")]);
  });

  it("keeps an existing failure condition untouched while errors continue", () => {
    const old = failure("FailedCreate", "first error", ago(300));
    const rs = replicaSet("rs", { replicas: 2, status: { conditions: [old] } });
    expect(calculateReplicaSetStatus(rs, [], undefined, NOW, "second error").conditions).toEqual([old]);
  });

  it("removes the failure condition once manageReplicas succeeds, keeping others", () => {
    const other = { type: "Other", status: "True" };
    const rs = replicaSet("rs", { status: { conditions: [failure("FailedCreate", "x", ago(5)), other] } });
    expect(calculateReplicaSetStatus(rs, [pod("p")], undefined, NOW).conditions).toEqual([other]);
    const onlyFailure = replicaSet("rs", { status: { conditions: [failure("FailedCreate", "x", ago(5))] } });
    expect(calculateReplicaSetStatus(onlyFailure, [pod("p")], undefined, NOW)).not.toHaveProperty("conditions");
  });
});

describe("statusEqual: write only if changed (updateReplicaSetStatus)", () => {
  it("is equal on the second pass, and differs when the generation moved", () => {
    const rs = replicaSet("rs", { replicas: 1, generation: 3 });
    const pods = [pod("p", { readyFor: 100 })];
    const first = calculateReplicaSetStatus(rs, pods, undefined, NOW);
    expect(statusEqual(rs.status, first)).toBe(false);
    const written = { ...rs, status: first };
    expect(statusEqual(written.status, calculateReplicaSetStatus(written, pods, undefined, NOW))).toBe(true);
    const bumped = { ...written, metadata: { ...written.metadata, generation: 4 } };
    expect(statusEqual(bumped.status, calculateReplicaSetStatus(bumped, pods, undefined, NOW))).toBe(false);
  });

  it("a failure that persists does not cause a write", () => {
    const rs = replicaSet("rs", { replicas: 2 });
    const first = calculateReplicaSetStatus(rs, [], undefined, NOW, "boom");
    const later = new Date(NOW.getTime() + 60_000);
    expect(statusEqual(first, calculateReplicaSetStatus({ ...rs, status: first }, [], undefined, later, "boom again"))).toBe(true);
  });
});

describe("requeueAfterForMinReady", () => {
  it.each<[string, number, (number | false)[], number | undefined]>([
    ["no minReadySeconds", 0, [5], undefined],
    ["all available", 10, [20, 30], undefined],
    ["next pod becomes available in 4 s", 10, [6, 2, 30], 4],
    ["no ready pods", 10, [false], undefined],
  ])("%s", (_n, min, readyFor, want) => {
    const rs = replicaSet("rs", { minReadySeconds: min, replicas: readyFor.length });
    const pods = readyFor.map((r, i) => pod(`p${i}`, { readyFor: r }));
    expect(requeueAfterForMinReady(rs, calculateReplicaSetStatus(rs, pods, undefined, NOW), pods, NOW)).toBe(want);
  });

  it("rounds sub-second waits up to a whole second", () => {
    const rs = replicaSet("rs", { minReadySeconds: 10 });
    const p = pod("p");
    p.status = { phase: "Running", conditions: [{ type: "Ready", status: "True", lastTransitionTime: "2026-03-01T11:59:50.500Z" }] };
    expect(requeueAfterForMinReady(rs, calculateReplicaSetStatus(rs, [p], undefined, NOW), [p], NOW)).toBe(1);
  });

  it("falls back to minReadySeconds when no pod gives a time", () => {
    const rs = replicaSet("rs", { minReadySeconds: 15 });
    expect(requeueAfterForMinReady(rs, { replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1, availableReplicas: 0 }, [], NOW)).toBe(15);
  });
});
