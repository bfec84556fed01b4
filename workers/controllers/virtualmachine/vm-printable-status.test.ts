import { describe, expect, it } from "vitest";
import type { JsonObject, KubeObject } from "../../../shared/k8s/object";
import { ago, NOW, vm, vmi, type VMIOptions } from "../shared/test-fixtures";
import { printableStatus, type PrintableStatusInput } from "./vm-printable-status";

const sync = (reason: string): JsonObject => ({ type: "Synchronized", status: "False", reason });
const unschedulable: JsonObject = { type: "PodScheduled", status: "False", reason: "Unschedulable" };
const pausedCond: JsonObject = { type: "Paused", status: "True", reason: "PausedByUser" };
const future = new Date(NOW.getTime() + 60_000).toISOString();

function input(o: Partial<PrintableStatusInput> & { vmiOpts?: VMIOptions; theVM?: KubeObject }): PrintableStatusInput {
  return {
    vm: o.theVM ?? vm({ runStrategy: "Always" }),
    vmi: o.vmiOpts ? vmi("vm1", o.vmiOpts) : o.vmi,
    runStrategy: o.runStrategy ?? "Always",
    startFailure: o.startFailure,
    startExpected: o.startExpected ?? false,
    stopExpected: o.stopExpected ?? false,
    now: NOW,
  };
}

describe("printableStatus: each rule", () => {
  it.each<[string, Parameters<typeof input>[0], string]>([
    ["VM being deleted", { theVM: vm({ deleting: true }), vmiOpts: {} }, "Terminating"],
    ["VMI being deleted", { vmiOpts: { deleting: true } }, "Stopping"],
    ["VMI delete expected", { vmiOpts: {}, stopExpected: true }, "Stopping"],
    ["migration under way", { vmiOpts: { migrationState: { startTimestamp: ago(10) } } }, "Migrating"],
    ["migration ended", { vmiOpts: { migrationState: { startTimestamp: ago(10), endTimestamp: ago(5) } } }, "Running"],
    ["migration not started yet", { vmiOpts: { migrationState: { startTimestamp: future } } }, "Running"],
    ["Running and paused", { vmiOpts: { conditions: [pausedCond] } }, "Paused"],
    ["Running", { vmiOpts: {} }, "Running"],
    ["PVC not found", { vmiOpts: { phase: "Pending", conditions: [sync("FailedPvcNotFound")] } }, "ErrorPvcNotFound"],
    ["unschedulable", { vmiOpts: { phase: "Scheduling", conditions: [unschedulable] } }, "ErrorUnschedulable"],
    ["image pull error", { vmiOpts: { phase: "Scheduling", conditions: [sync("ErrImagePull")] } }, "ErrImagePull"],
    ["image pull back-off", { vmiOpts: { phase: "Scheduling", conditions: [sync("ImagePullBackOff")] } }, "ImagePullBackOff"],
    ["VMI Pending", { vmiOpts: { phase: "Pending" } }, "Starting"],
    ["VMI with no phase yet", { vmiOpts: { phase: "" } }, "Starting"],
    ["VMI Scheduling", { vmiOpts: { phase: "Scheduling" } }, "Starting"],
    ["VMI Scheduled", { vmiOpts: { phase: "Scheduled" } }, "Starting"],
    ["no VMI, create expected", { startExpected: true }, "Starting"],
    ["no VMI, start failures, Always", { startFailure: { consecutiveFailCount: 2 } }, "CrashLoopBackOff"],
    [
      "failed VMI, start failures, RerunOnFailure",
      { vmiOpts: { phase: "Failed" }, runStrategy: "RerunOnFailure", startFailure: { consecutiveFailCount: 1 } },
      "CrashLoopBackOff",
    ],
    ["no VMI, start failures, Once", { runStrategy: "Once", startFailure: { consecutiveFailCount: 1 } }, "CrashLoopBackOff"],
    ["no VMI, start failures, Manual", { runStrategy: "Manual", startFailure: { consecutiveFailCount: 3 } }, "Stopped"],
    ["no VMI, fail count 0", { startFailure: { consecutiveFailCount: 0 } }, "Stopped"],
    ["no VMI", {}, "Stopped"],
    ["VMI Succeeded", { vmiOpts: { phase: "Succeeded" } }, "Stopped"],
    ["VMI Failed", { vmiOpts: { phase: "Failed" } }, "Stopped"],
    ["receiver waiting for sync", { vmiOpts: { phase: "WaitingForSync" }, runStrategy: "WaitAsReceiver" }, "WaitingForReceiver"],
    ["VMI phase Unknown", { vmiOpts: { phase: "Unknown" } }, "Unknown"],
    ["VMI WaitingForSync without the receiver strategy", { vmiOpts: { phase: "WaitingForSync" } }, "Unknown"],
  ])("%s → %s", (_n, o, want) => {
    expect(printableStatus(input(o))).toBe(want);
  });
});

describe("printableStatus: first match wins", () => {
  it.each<[string, Parameters<typeof input>[0], string]>([
    ["Terminating over Stopping", { theVM: vm({ deleting: true }), vmiOpts: { deleting: true } }, "Terminating"],
    ["Stopping over Migrating", { vmiOpts: { deleting: true, migrationState: { startTimestamp: ago(10) } } }, "Stopping"],
    ["Migrating over Paused", { vmiOpts: { conditions: [pausedCond], migrationState: { startTimestamp: ago(10) } } }, "Migrating"],
    ["a final VMI being deleted is not Stopping", { vmiOpts: { phase: "Failed", deleting: true } }, "Stopped"],
    ["PvcNotFound over Unschedulable", { vmiOpts: { phase: "Pending", conditions: [unschedulable, sync("FailedPvcNotFound")] } }, "ErrorPvcNotFound"],
    ["Unschedulable over Starting", { vmiOpts: { phase: "Pending", conditions: [unschedulable] } }, "ErrorUnschedulable"],
    ["a pending create beats CrashLoopBackOff", { startExpected: true, startFailure: { consecutiveFailCount: 5 } }, "Starting"],
    ["Running ignores old start failures", { vmiOpts: {}, startFailure: { consecutiveFailCount: 5 } }, "Running"],
  ])("%s", (_n, o, want) => {
    expect(printableStatus(input(o))).toBe(want);
  });
});
