import { describe, expect, it } from "vitest";
import type { JsonObject, KubeObject } from "../../../shared/k8s/object";
import { planEvacuation } from "../evacuation/evacuation-plan";
import { migrationLimitsOf } from "./migration-controller";
import { DEFAULT_MIGRATION_LIMITS, type MigrationInput, planMigrations, UNSCHEDULABLE_TIMEOUT_MS } from "./migration-plan";

const NOW = Date.parse("2026-12-01T12:00:00Z");
const at = (msAgo: number): string => new Date(NOW - msAgo).toISOString().replace(/\.\d{3}Z$/, "Z");

function node(name: string, o: { ready?: string; unschedulable?: boolean; taints?: JsonObject[]; memory?: string; labels?: Record<string, string> } = {}): KubeObject {
  const resources = { cpu: "8", memory: o.memory ?? "16Gi", pods: "110" };
  return {
    apiVersion: "v1", kind: "Node", metadata: { name, labels: o.labels ?? {} },
    spec: { ...(o.unschedulable ? { unschedulable: true } : {}), ...(o.taints ? { taints: o.taints } : {}) },
    status: { capacity: resources, allocatable: resources, conditions: [{ type: "Ready", status: o.ready ?? "True" }] },
  };
}

function vmi(name: string, nodeName: string, o: { memory?: string; selector?: Record<string, string>; strategy?: string; state?: JsonObject; phase?: string } = {}): KubeObject {
  return {
    apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance",
    metadata: { name, namespace: "ns", uid: `uid-${name}`, creationTimestamp: at(60_000), labels: { "kubevirt.io/nodeName": nodeName } },
    spec: {
      domain: { devices: {}, resources: { requests: { memory: o.memory ?? "1Gi" } } },
      ...(o.selector ? { nodeSelector: o.selector } : {}), ...(o.strategy ? { evictionStrategy: o.strategy } : {}),
    },
    status: { phase: o.phase ?? "Running", nodeName, ...(o.state ? { migrationState: o.state } : {}) },
  };
}

function migration(name: string, vmiName: string, o: { phase?: string; age?: number; state?: JsonObject; deleting?: boolean; stamps?: JsonObject[] } = {}): KubeObject {
  return {
    apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceMigration",
    metadata: {
      name, namespace: "ns", uid: `m-${name}`, creationTimestamp: at(o.age ?? 1000), finalizers: ["kubevirt.io/migrationJobFinalize"],
      ...(o.deleting ? { deletionTimestamp: at(0) } : {}),
    },
    spec: { vmiName },
    status: { phase: o.phase ?? "Pending", ...(o.state ? { migrationState: o.state } : {}), ...(o.stamps ? { phaseTransitionTimestamps: o.stamps } : {}) },
  };
}

function plan(input: Partial<MigrationInput>) {
  return planMigrations({ migrations: [], vmis: [], nodes: [], pods: [], limits: DEFAULT_MIGRATION_LIMITS, now: NOW, ...input });
}

const phases = (p: ReturnType<typeof plan>): Record<string, string> =>
  Object.fromEntries(p.steps.map((s) => [s.migration.metadata.name ?? "", s.kind === "status" || s.kind === "fail" || s.kind === "handoff" ? String(s.status.phase) : s.kind]));

describe("migration plan", () => {
  it("admits at most 2 outbound migrations per source node; the rest stay Pending", () => {
    const vmis = ["v1", "v2", "v3", "v4"].map((n) => vmi(n, "a"));
    const migrations = vmis.map((v, i) => migration(`m${i + 1}`, v.metadata.name ?? "", { age: 10_000 - i }));
    const p = plan({ nodes: [node("a"), node("b")], vmis, migrations });
    expect(phases(p)).toEqual({ m1: "Scheduling", m2: "Scheduling" });
  });

  it("admits at most 5 in parallel over the cluster, counting those already under way", () => {
    const nodes = ["a", "b", "c", "d", "e"].map((n) => node(n));
    const vmis = ["a", "b", "c", "d", "e"].flatMap((n) => [vmi(`${n}1`, n), vmi(`${n}2`, n)]);
    const running = migration("busy", "a1", { phase: "Running", age: 20_000, state: { sourceNode: "a", targetNode: "b" } });
    const pending = vmis.slice(1).map((v, i) => migration(`p${i}`, v.metadata.name ?? "", { age: 10_000 - i }));
    const p = plan({ nodes, vmis, migrations: [running, ...pending] });
    expect(Object.values(phases(p)).filter((ph) => ph === "Scheduling")).toHaveLength(4);
  });

  it("reads the bounds from the Worker's vars, KubeVirt's defaults otherwise", () => {
    expect(migrationLimitsOf({ MIGRATIONS_PARALLEL_PER_CLUSTER: "9", MIGRATIONS_PARALLEL_OUTBOUND_PER_NODE: "1" })).toEqual({ perCluster: 9, perNode: 1 });
    expect(migrationLimitsOf({ MIGRATIONS_PARALLEL_PER_CLUSTER: "x", MIGRATIONS_PARALLEL_OUTBOUND_PER_NODE: "0" })).toEqual({ perCluster: 5, perNode: 2 });
  });

  it("picks the target with the scheduler's filters: never the source, not cordoned, tainted, full or unselected", () => {
    const nodes = [
      node("src", { labels: { zone: "x" } }), node("cordoned", { unschedulable: true, labels: { zone: "x" } }),
      node("tainted", { taints: [{ key: "k", value: "v", effect: "NoSchedule" }], labels: { zone: "x" } }),
      node("full", { memory: "512Mi", labels: { zone: "x" } }), node("elsewhere", { labels: { zone: "y" } }), node("ok", { labels: { zone: "x" } }),
    ];
    const v = vmi("v", "src", { selector: { zone: "x" } });
    const p = plan({ nodes, vmis: [v], migrations: [migration("m", "v", { phase: "Scheduling", state: { sourceNode: "src" } })] });
    const step = p.steps[0];
    expect(step?.kind === "status" && step.status).toMatchObject({ phase: "Scheduled", migrationState: { sourceNode: "src", targetNode: "ok" } });
  });

  it("stays Scheduling while no target fits, and fails once that lasted 5 minutes", () => {
    const v = vmi("v", "a");
    const waiting = plan({ nodes: [node("a")], vmis: [v], migrations: [migration("m", "v", { phase: "Scheduling" })] });
    expect(waiting.steps).toEqual([]);
    expect(waiting.active).toBe(true);
    const stamps = [{ phase: "Scheduling", phaseTransitionTimestamp: at(UNSCHEDULABLE_TIMEOUT_MS + 1000) }];
    const late = plan({ nodes: [node("a")], vmis: [v], migrations: [migration("m", "v", { phase: "Scheduling", stamps })] });
    expect(phases(late)).toEqual({ m: "Failed" });
  });

  it("reserves the target of an in-flight migration, so a second one does not overfill it", () => {
    const nodes = [node("a"), node("b", { memory: "3Gi" }), node("c", { memory: "2Gi" })];
    const moving = vmi("v1", "a", { memory: "2Gi", state: { migrationUid: "m-m1", sourceNode: "a", targetNode: "b" } });
    const next = vmi("v2", "a", { memory: "2Gi" });
    const p = plan({ nodes, vmis: [moving, next], migrations: [migration("m2", "v2", { phase: "Scheduling" })] });
    const step = p.steps[0];
    expect(step?.kind === "status" && step.status.migrationState).toMatchObject({ targetNode: "c" });
  });

  it("follows the hosts: TargetReady on the target's address, Running on the source's start, Succeeded after the handover", () => {
    const nodes = [node("a"), node("b")];
    const base = { migrationUid: "m-m", sourceNode: "a", targetNode: "b" };
    const step = (vmiState: JsonObject, phase: string, nodeName = "a") =>
      phases(plan({ nodes, vmis: [vmi("v", nodeName, { state: { ...base, ...vmiState } })], migrations: [migration("m", "v", { phase, state: base })] })).m;
    expect(step({}, "PreparingTarget")).toBe(undefined);
    expect(step({ targetNodeAddress: "10.0.0.2:49152" }, "PreparingTarget")).toBe("TargetReady");
    expect(step({ targetNodeAddress: "x", startTimestamp: at(0) }, "PreparingTarget")).toBe("Running");
    expect(step({ targetNodeAddress: "x", startTimestamp: at(0), completed: true }, "Running")).toBe("Running");
    expect(step({ targetNodeAddress: "x", startTimestamp: at(0), completed: true, targetNodeDomainDetected: true }, "Running", "b")).toBe("Succeeded");
    expect(step({ targetNodeAddress: "x", failed: true, failureReason: "boom" }, "TargetReady")).toBe("Failed");
  });

  it("fails a migration whose target Node is not Ready before completion, never after", () => {
    const base = { migrationUid: "m-m", sourceNode: "a", targetNode: "b", targetNodeAddress: "x", startTimestamp: at(0) };
    const nodes = [node("a"), node("b", { ready: "Unknown" })];
    const before = plan({ nodes, vmis: [vmi("v", "a", { state: base })], migrations: [migration("m", "v", { phase: "Running", state: base })] });
    const fail = before.steps[0];
    expect(fail?.kind).toBe("fail");
    expect(fail?.kind === "fail" && fail.state).toMatchObject({ failed: true, failureReason: "target node b is not ready" });
    const done = { ...base, completed: true };
    const after = plan({ nodes, vmis: [vmi("v", "a", { state: done })], migrations: [migration("m", "v", { phase: "Running", state: done })] });
    expect(after.steps.every((s) => s.kind !== "fail")).toBe(true);
  });

  it("cancels on deletion: aborts itself before the source started, asks the source after", () => {
    const nodes = [node("a"), node("b")];
    const base = { migrationUid: "m-m", sourceNode: "a", targetNode: "b", targetNodeAddress: "x" };
    const early = plan({ nodes, vmis: [vmi("v", "a", { state: base })], migrations: [migration("m", "v", { phase: "TargetReady", deleting: true })] });
    expect(early.steps[0]?.kind === "fail" && early.steps[0].state).toMatchObject({ abortRequested: true, abortStatus: "Succeeded", failed: true });
    const sending = { ...base, startTimestamp: at(0) };
    const late = plan({ nodes, vmis: [vmi("v", "a", { state: sending })], migrations: [migration("m", "v", { phase: "Running", deleting: true })] });
    expect(late.steps.map((s) => s.kind)).toEqual(["abort"]);
    const aborted = { ...sending, abortRequested: true, abortStatus: "Succeeded", failed: true };
    const released = plan({ nodes, vmis: [vmi("v", "a", { state: aborted })], migrations: [migration("m", "v", { phase: "Running", deleting: true })] });
    expect(released.steps.map((s) => s.kind)).toEqual(["release"]);
  });
});

describe("evacuation plan", () => {
  it("migrates LiveMigrate VMIs off a cordoned node, 2 at a time, and leaves None and External alone", () => {
    const nodes = [node("a", { unschedulable: true }), node("b")];
    const vmis = [vmi("v1", "a"), vmi("v2", "a", { strategy: "LiveMigrate" }), vmi("v3", "a"), vmi("none", "a", { strategy: "None" }),
      vmi("ext", "a", { strategy: "External" }), vmi("other", "b")];
    const p = planEvacuation({ nodes, vmis, migrations: [], limits: DEFAULT_MIGRATION_LIMITS, now: NOW });
    expect(p.create.map((e) => e.vmi.metadata.name)).toEqual(["v1", "v2"]);
    expect(p.waiting).toBe(true);
  });

  it("drains on the kubevirt.io/drain taint and untolerated NoExecute taints; clears the mark once the VMI left or the node is back", () => {
    const drain = node("d", { taints: [{ key: "kubevirt.io/drain", value: "draining", effect: "NoSchedule" }] });
    const exec = node("e", { taints: [{ key: "maint", value: "", effect: "NoExecute" }] });
    const tolerant = vmi("t", "e");
    tolerant.spec = { ...(tolerant.spec as JsonObject), tolerations: [{ key: "maint", operator: "Exists", effect: "NoExecute" }] };
    const moved = vmi("moved", "b");
    (moved.status as JsonObject).evacuationNodeName = "d";
    const p = planEvacuation({ nodes: [drain, exec, node("b")], vmis: [vmi("x", "d"), vmi("y", "e"), tolerant, moved], migrations: [], limits: DEFAULT_MIGRATION_LIMITS, now: NOW });
    expect(p.create.map((e) => e.vmi.metadata.name)).toEqual(["x", "y"]);
    expect(p.clear.map((v) => v.metadata.name)).toEqual(["moved"]);
  });

  it("does not start a second migration for a VMI with one in flight", () => {
    const p = planEvacuation({
      nodes: [node("a", { unschedulable: true })], vmis: [vmi("v", "a")],
      migrations: [migration("m", "v", { phase: "Running" })], limits: DEFAULT_MIGRATION_LIMITS, now: NOW,
    });
    expect(p.create).toEqual([]);
  });
});
