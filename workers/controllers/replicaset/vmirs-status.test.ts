import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../shared/k8s/object";
import { claimChildren, finishedToDelete, manageReplicas, VMIRS_BURST_REPLICAS } from "./replicas";
import { getVMIFromTemplate } from "./child-templates";
import { desiredReplicas } from "../shared/object-fields";
import { labelSelectorFromObject } from "../../../shared/k8s/labels";
import { statusEqual } from "../shared/status-equal";
import { ago, names, NOW, vmi, vmirs } from "../shared/test-fixtures";
import { vmiPolicy } from "./vmi-policy";
import { calculateVMIRSStatus } from "./vmirs-status";

const T = "2026-03-01T12:00:00Z";
const paused = { type: "ReplicaPaused", reason: "Paused", message: "Controller got paused", lastTransitionTime: T, status: "True" };
const failure = (reason: string, message: string, at = T) => ({ type: "ReplicaFailure", reason, message, lastTransitionTime: at, status: "True" });

describe("calculateVMIRSStatus", () => {
  it("counts active and ready VMIs and renders the selector", () => {
    const rs = vmirs("set", { replicas: 3 });
    rs.spec = { ...(rs.spec as object), selector: { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In", values: ["b", "a"] }] } };
    expect(calculateVMIRSStatus(rs, [vmi("a", { ready: "True" }), vmi("b", { phase: "Scheduling" })], NOW)).toEqual({
      labelSelector: "app=web,tier in (a,b)",
      replicas: 2,
      readyReplicas: 1,
    });
  });

  it("adds ReplicaPaused while paused and removes it on resume", () => {
    const rs = vmirs("set", { paused: true });
    const first = calculateVMIRSStatus(rs, [], NOW);
    expect(first.conditions).toEqual([paused]);
    expect(calculateVMIRSStatus({ ...rs, status: first }, [], new Date(NOW.getTime() + 5000)).conditions).toEqual([paused]);
    expect(calculateVMIRSStatus({ ...vmirs("set", { paused: false }), status: first }, [], NOW)).not.toHaveProperty("conditions");
  });

  it.each<[string, number, number, string]>([
    ["below desired: FailedCreate", 2, 1, "FailedCreate"],
    ["above desired: FailedDelete", 1, 2, "FailedDelete"],
    // KubeVirt's checkFailure has no "equal" branch: anything not below is FailedDelete.
    ["at desired: FailedDelete", 1, 1, "FailedDelete"],
  ])("ReplicaFailure %s", (_n, replicas, active, reason) => {
    const vmis = Array.from({ length: active }, (_, i) => vmi(`v${i}`));
    expect(calculateVMIRSStatus(vmirs("set", { replicas }), vmis, NOW, "quota").conditions).toEqual([failure(reason, "quota")]);
  });

  it("orders Paused before a new failure, keeps an old failure and clears it on success", () => {
    const both = calculateVMIRSStatus(vmirs("set", { paused: true, replicas: 2 }), [], NOW, new Error("boom"));
    expect(both.conditions).toEqual([paused, failure("FailedCreate", "boom")]);
    const old = failure("FailedDelete", "old", ago(60));
    const kept = calculateVMIRSStatus(vmirs("set", { replicas: 2, status: { conditions: [old] } }), [], NOW, "new");
    expect(kept.conditions).toEqual([old]);
    expect(calculateVMIRSStatus(vmirs("set", { status: { conditions: [old] } }), [], NOW)).not.toHaveProperty("conditions");
  });

  it("reaches equilibrium: the second pass needs no write", () => {
    const rs = vmirs("set", { replicas: 1, paused: true });
    const first = calculateVMIRSStatus(rs, [vmi("a", { ready: "True" })], NOW);
    expect(statusEqual(rs.status, first)).toBe(false);
    expect(statusEqual(first, calculateVMIRSStatus({ ...rs, status: first }, [vmi("a", { ready: "True" })], NOW))).toBe(true);
  });
});

describe("VMIRS reconcile with the shared core", () => {
  const selector = labelSelectorFromObject({ matchLabels: { app: "web" } });

  /** One KubeVirt `execute` pass, applied to `world`; returns the actions taken. */
  function pass(rs: KubeObject, world: KubeObject[]): { world: KubeObject[]; created: number; deleted: string[] } {
    const claimed = claimChildren(rs, world, selector).claimed;
    const active = claimed.filter(vmiPolicy.isActive);
    const d = manageReplicas(vmiPolicy, { replicas: desiredReplicas(rs), active, burstReplicas: VMIRS_BURST_REPLICAS, now: NOW });
    const finished = finishedToDelete(vmiPolicy, claimed, VMIRS_BURST_REPLICAS);
    const gone = new Set([...d.delete, ...finished]);
    const next = world.filter((v) => !gone.has(v));
    for (let i = 0; i < d.create; i++) {
      const created = getVMIFromTemplate(rs);
      created.metadata.name = `set-${world.length + i}`;
      created.metadata.uid = `uid-set-${world.length + i}`;
      next.push(created);
    }
    return { world: next, created: d.create, deleted: [...gone].map((v) => v.metadata.name ?? "") };
  }

  it("replaces finished VMIs and converges", () => {
    const rs = vmirs("set", { replicas: 2 });
    let world = [vmi("ok", { owner: rs, ready: "True" }), vmi("dead", { owner: rs, phase: "Failed" })];
    const first = pass(rs, world);
    expect([first.created, first.deleted]).toEqual([1, ["dead"]]);
    world = first.world;
    const second = pass(rs, world);
    expect([second.created, second.deleted]).toEqual([0, []]);
    expect(names(second.world)).toEqual(["ok", "set-2"]);
  });

  it("scales down the least useful VMIs first", () => {
    const rs = vmirs("set", { replicas: 1 });
    const world = [vmi("old-ready", { owner: rs, ready: "True", age: 100 }), vmi("booting", { owner: rs, phase: "Scheduled", age: 200 })];
    expect(pass(rs, world).deleted).toEqual(["booting"]);
  });
});
