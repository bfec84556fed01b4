import { describe, expect, it } from "vitest";
import type { JsonObject, KubeObject } from "../../../shared/k8s/object";
import { NOW, vm, vmi } from "../shared/test-fixtures";
import { runStrategyOf, syncRunStrategy, type RunStrategyDecision } from "./vm-run-strategy";
import { formatTime } from "../../../shared/k8s/time";

const start: JsonObject = { action: "Start" };
const stop = (uid: string): JsonObject => ({ action: "Stop", uid });
const backoff = (s: number): JsonObject => ({
  startFailure: { consecutiveFailCount: 1, lastFailedVMIUID: "x", retryAfterTimestamp: formatTime(NOW.getTime() + s * 1000) },
});
const NONE: RunStrategyDecision = { create: false, delete: false, addStartRequest: false };
const CREATE = { ...NONE, create: true };
const DELETE = { ...NONE, delete: true };

describe("runStrategyOf (VirtualMachine.RunStrategy)", () => {
  it.each<[JsonObject, ReturnType<typeof runStrategyOf>]>([
    [{ running: true }, { runStrategy: "Always" }],
    [{ running: false }, { runStrategy: "Halted" }],
    [{}, { runStrategy: "Halted" }],
    [{ runStrategy: "Manual" }, { runStrategy: "Manual" }],
    [{ running: true, runStrategy: "Always" }, { error: "running and runstrategy are mutually exclusive" }],
  ])("%j → %j", (fields, want) => {
    const v = vm();
    v.spec = { ...(v.spec as JsonObject), ...fields };
    expect(runStrategyOf(v)).toEqual(want);
  });
});

type Row = [string, KubeObject, KubeObject | undefined, RunStrategyDecision];
const running = vmi("vm1", { ready: "True" });
const failed = vmi("vm1", { phase: "Failed" });
const succeeded = vmi("vm1", { phase: "Succeeded" });
const failedDeleting = vmi("vm1", { phase: "Failed", deleting: true });
const runningDeleting = vmi("vm1", { deleting: true });
const recovery = { conditions: [{ type: "ManualRecoveryRequired", status: "True" }] };

describe("syncRunStrategy: every row of semantics.md §2", () => {
  const rows: Record<string, Row[]> = {
    Always: [
      ["no VMI: create", vm(), undefined, CREATE],
      ["no VMI, back-off pending: requeue", vm({ status: backoff(30) }), undefined, { ...NONE, requeueAfterSeconds: 30 }],
      ["no VMI, back-off over: create", vm({ status: backoff(-1) }), undefined, CREATE],
      ["no VMI, ManualRecoveryRequired: wait", vm({ status: recovery }), undefined, NONE],
      ["VMI running: nothing", vm(), running, NONE],
      ["VMI failed: delete (recreated later)", vm(), failed, DELETE],
      ["VMI succeeded: delete", vm(), succeeded, DELETE],
      ["final VMI already deleting: nothing", vm(), failedDeleting, NONE],
      ["Stop for this VMI: delete", vm({ status: { stateChangeRequests: [stop("uid-vm1")] } }), running, DELETE],
      ["Stop for another VMI: nothing", vm({ status: { stateChangeRequests: [stop("uid-old")] } }), running, NONE],
      ["Stop queued behind a Start: nothing", vm({ status: { stateChangeRequests: [start, stop("uid-vm1")] } }), running, NONE],
    ],
    RerunOnFailure: [
      ["no VMI, nothing queued, strategy seen: nothing", vm({ status: { runStrategy: "RerunOnFailure" } }), undefined, NONE],
      ["no VMI, strategy just changed: create", vm({ status: { runStrategy: "Always" } }), undefined, CREATE],
      ["no VMI, never started: create", vm(), undefined, CREATE],
      ["no VMI, Start queued: create", vm({ status: { runStrategy: "RerunOnFailure", stateChangeRequests: [start] } }), undefined, CREATE],
      [
        "no VMI, Start queued, back-off pending: requeue",
        vm({ status: { runStrategy: "RerunOnFailure", stateChangeRequests: [start], ...backoff(12) } }),
        undefined,
        { ...NONE, requeueAfterSeconds: 12 },
      ],
      ["VMI failed: delete and queue a Start", vm(), failed, { ...DELETE, addStartRequest: true }],
      ["VMI succeeded: delete", vm(), succeeded, DELETE],
      ["Stop for this VMI: delete", vm({ status: { stateChangeRequests: [stop("uid-vm1")] } }), running, DELETE],
      ["VMI running: nothing", vm(), running, NONE],
      ["failed VMI already deleting: nothing", vm(), failedDeleting, NONE],
    ],
    Manual: [
      ["no VMI, nothing queued: nothing", vm(), undefined, NONE],
      ["no VMI, Start queued: create (no back-off)", vm({ status: { stateChangeRequests: [start], ...backoff(60) } }), undefined, CREATE],
      ["Stop for this VMI: delete", vm({ status: { stateChangeRequests: [stop("uid-vm1")] } }), running, DELETE],
      ["Stop for this VMI, already deleting: nothing", vm({ status: { stateChangeRequests: [stop("uid-vm1")] } }), runningDeleting, NONE],
      ["VMI failed, nothing queued: nothing", vm(), failed, NONE],
    ],
    Halted: [
      ["no VMI: nothing", vm(), undefined, NONE],
      [
        "no VMI, Start queued: spec becomes Always",
        vm({ runStrategy: "Halted", status: { stateChangeRequests: [start] } }),
        undefined,
        { ...NONE, specPatch: { runStrategy: "Always" } },
      ],
      [
        "no VMI, Start queued, running:false: spec becomes running",
        vm({ running: false, status: { stateChangeRequests: [start] } }),
        undefined,
        { ...NONE, specPatch: { running: true } },
      ],
      ["VMI running: delete", vm(), running, DELETE],
      ["VMI failed: delete", vm(), failed, DELETE],
      ["VMI already deleting: nothing", vm(), runningDeleting, NONE],
    ],
    Once: [
      ["no VMI: create (no back-off)", vm({ status: backoff(60) }), undefined, CREATE],
      ["VMI running: nothing", vm(), running, NONE],
      ["VMI failed: never deleted", vm(), failed, NONE],
      ["Stop for this VMI: not acted on", vm({ status: { stateChangeRequests: [stop("uid-vm1")] } }), running, NONE],
    ],
  };

  for (const [strategy, table] of Object.entries(rows)) {
    it.each(table)(`${strategy}: %s`, (_n, theVM, theVMI, want) => {
      expect(syncRunStrategy(theVM, theVMI, strategy, NOW)).toEqual(want);
    });
  }

  it("an unknown strategy is a sync error", () => {
    expect(syncRunStrategy(vm(), undefined, "Sometimes", NOW)).toEqual({
      ...NONE,
      syncError: { reason: "FailedCreate", message: "unknown runstrategy: Sometimes" },
    });
  });
});
