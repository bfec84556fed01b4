import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../shared/k8s/object";
import { getDeletionCostFromPodAnnotations, maxContainerRestarts, POD_DELETION_COST, rankPodsForDeletion } from "./pod-deletion-rank";
import { names, NOW, pod, type PodOptions } from "../shared/test-fixtures";

// Everything equal unless a case says otherwise: Running, on n1, ready for 1000 s, created 5000 s ago.
const base = (name: string, o: PodOptions = {}): KubeObject => pod(name, { node: "n1", readyFor: 1000, age: 5000, ...o });
const cost = (v: string): PodOptions => ({ annotations: { [POD_DELETION_COST]: v } });

/** Ranks `pods` both ways round, proving the order does not depend on input order. */
function ranked(pods: KubeObject[], related: KubeObject[] = pods): string[] {
  const forward = names(rankPodsForDeletion(pods, related, NOW));
  const backward = names(rankPodsForDeletion([...pods].reverse(), related, NOW));
  expect(backward).toEqual(forward);
  return forward;
}

describe("rankPodsForDeletion: each criterion (ActivePodsWithRanks.Less)", () => {
  it.each<[string, KubeObject[], string[]]>([
    ["1. unassigned before assigned", [base("assigned"), base("unassigned", { node: "" })], ["unassigned", "assigned"]],
    [
      "2. Pending < Unknown < Running (unset phase ranks as Pending)",
      [base("running"), base("unknown", { phase: "Unknown" }), base("pending", { phase: "Pending" })],
      ["pending", "unknown", "running"],
    ],
    ["3. not ready before ready", [base("ready"), base("notready", { readyFor: false })], ["notready", "ready"]],
    ["3. no Ready condition counts as not ready", [base("ready"), base("nocond", { readyFor: undefined })], ["nocond", "ready"]],
    ["4. lower deletion cost first", [base("high", cost("10")), base("low", cost("-5")), base("zero")], ["low", "zero", "high"]],
    ["4. an invalid cost counts as 0", [base("plus", cost("+10")), base("one", cost("1"))], ["plus", "one"]],
    ["6. ready for less time first", [base("old", { readyFor: 10_000 }), base("young", { readyFor: 10 })], ["young", "old"]],
    // 100 s and 110 s fall in the same log2(ns) bucket, so the UID decides, not the 10 s difference.
    ["6. same log bucket: lower UID first", [base("b", { readyFor: 100 }), base("a", { readyFor: 110 })], ["a", "b"]],
    ["7. more restarts first", [base("calm", { restarts: 1 }), base("crashy", { restarts: 7 })], ["crashy", "calm"]],
    ["8. newer first", [base("old", { age: 10_000 }), base("new", { age: 10 })], ["new", "old"]],
    ["8. same log bucket: lower UID first", [base("b", { age: 100 }), base("a", { age: 110 })], ["a", "b"]],
  ])("%s", (_name, pods, want) => {
    expect(ranked(pods)).toEqual(want);
  });

  it("5. more active related pods on the same node first", () => {
    const lone = base("lone", { node: "n1" });
    const crowded = base("crowded", { node: "n2" });
    const related = [lone, crowded, base("x", { node: "n2" }), base("dead", { node: "n1", phase: "Failed" }), base("y", { node: "n1", deleting: true })];
    expect(ranked([lone, crowded], related)).toEqual(["crowded", "lone"]);
  });

  it("6 and 8: a missing timestamp sorts first", () => {
    const noReadyTime = base("zero");
    noReadyTime.status = { phase: "Running", conditions: [{ type: "Ready", status: "True" }] };
    expect(ranked([base("timed", { readyFor: 5 }), noReadyTime])).toEqual(["zero", "timed"]);
    const noCreation = base("zero");
    delete noCreation.metadata.creationTimestamp;
    expect(ranked([base("timed", { age: 1 }), noCreation])).toEqual(["zero", "timed"]);
  });

  it("keeps list order for pods that compare equal", () => {
    const same = [base("c"), base("a"), base("b")].map((p) => ({ ...p, metadata: { ...p.metadata, uid: "same" } }));
    expect(names(rankPodsForDeletion(same, same, NOW))).toEqual(["c", "a", "b"]);
  });
});

describe("rankPodsForDeletion: earlier criteria win", () => {
  it.each<[string, KubeObject[], string[]]>([
    ["unassigned Running beats assigned Pending", [base("pending", { phase: "Pending" }), base("unassigned", { node: "" })], ["unassigned", "pending"]],
    ["Pending ready beats Running not ready", [base("running", { readyFor: false }), base("pending", { phase: "Pending" })], ["pending", "running"]],
    ["not ready beats low cost", [base("cheap", cost("-100")), base("notready", { readyFor: false })], ["notready", "cheap"]],
    ["restarts beat age", [base("new", { age: 10 }), base("crashy", { restarts: 3, age: 10_000 })], ["crashy", "new"]],
    ["ready time beats restarts", [base("crashy", { restarts: 9, readyFor: 10_000 }), base("fresh", { readyFor: 10 })], ["fresh", "crashy"]],
  ])("%s", (_name, pods, want) => {
    expect(ranked(pods)).toEqual(want);
  });

  it("cost beats co-location, co-location beats ready time", () => {
    const crowdedExpensive = base("crowded", { node: "n2", ...cost("5") });
    const lone = base("lone", { node: "n1" });
    const related = [crowdedExpensive, lone, base("x", { node: "n2" })];
    expect(ranked([crowdedExpensive, lone], related)).toEqual(["lone", "crowded"]);
    const crowdedOld = base("crowded", { node: "n2", readyFor: 10_000 });
    const loneYoung = base("lone", { node: "n1", readyFor: 10 });
    expect(ranked([loneYoung, crowdedOld], [crowdedOld, loneYoung, base("x", { node: "n2" })])).toEqual(["crowded", "lone"]);
  });
});

describe("getDeletionCostFromPodAnnotations", () => {
  it.each<[string | undefined, number]>([
    [undefined, 0],
    ["0", 0],
    ["10", 10],
    ["-10", -10],
    ["-007", -7],
    ["+10", 0],
    ["010", 0],
    ["", 0],
    ["-", 0],
    ["1.5", 0],
    ["2147483647", 2147483647],
    ["2147483648", 0],
    ["-2147483648", -2147483648],
    ["-2147483649", 0],
  ])("%j → %i", (value, want) => {
    expect(getDeletionCostFromPodAnnotations(value === undefined ? {} : { [POD_DELETION_COST]: value })).toBe(want);
  });
});

describe("maxContainerRestarts", () => {
  it("takes the maximum over container statuses", () => {
    const p = pod("p");
    p.status = { containerStatuses: [{ restartCount: 2 }, { restartCount: 5 }, { name: "no-count" }] };
    expect(maxContainerRestarts(p)).toBe(5);
    expect(maxContainerRestarts(pod("none"))).toBe(0);
  });
});
