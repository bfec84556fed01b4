import { describe, expect, it } from "vitest";
import type { JsonObject, KubeObject } from "../../../shared/k8s/object";
import { newControllerRef } from "../replicaset/replicas";
import { statusEqual } from "../shared/status-equal";
import { NOW, replicaSet, vm, vmi } from "../shared/test-fixtures";
import { calculateVMStatus } from "./vm-status";
import { createFailure, deleteFailure, statusAfterFailedAction, syncVirtualMachine, type VirtualMachineSyncResult } from "./vm-sync";
import { setupVMIFromVM, VM_CONTROLLER_FINALIZER } from "./vm-vmi-template";
import { formatTime } from "../../../shared/k8s/time";

const T = formatTime(NOW.getTime());
const at = (s: number): Date => new Date(NOW.getTime() + s * 1000);
const noJitter = (): number => 0;
const readyFalse = (reason: string, message: string) => ({ type: "Ready", status: "False", reason, message, lastProbeTime: T, lastTransitionTime: T });
const notExists = readyFalse("VMINotExists", "VMI does not exist");
const missing = readyFalse("VMIConditionMissing", "VMI is missing the Ready condition");
const failureCond = (reason: string, message: string) => ({ type: "Failure", reason, message, lastTransitionTime: T, status: "True" });

/** The VMI `vm` would create, as the API server stores it (uid, then the phase it reached). */
function started(theVM: KubeObject, phase: string, extra: JsonObject = {}): KubeObject {
  const created = setupVMIFromVM(theVM);
  created.metadata.uid = "uid-vm1";
  created.status = { phase, ...extra };
  return created;
}

/** Writes the decided status back, as the executor does. */
function written(theVM: KubeObject, r: VirtualMachineSyncResult): KubeObject {
  return r.status === undefined ? theVM : { ...theVM, status: r.status };
}

describe("syncVirtualMachine: a VM's life (Always)", () => {
  it("creates, waits, runs, and is idempotent at each step", () => {
    let theVM = vm({ runStrategy: "Always", finalizers: [] });
    const first = syncVirtualMachine({ vm: theVM, now: NOW });
    expect(first).toEqual({
      adoptVMI: false,
      create: true,
      delete: false,
      vmFinalizer: "add",
      removeVMIFinalizer: false,
      clearRequests: 0,
      status: { conditions: [notExists], printableStatus: "Starting" },
    });
    theVM = { ...written(theVM, first), metadata: { ...theVM.metadata, finalizers: [VM_CONTROLLER_FINALIZER] } };

    const pending = started(theVM, "Pending");
    const second = syncVirtualMachine({ vm: theVM, vmi: pending, now: NOW });
    expect([second.create, second.delete, second.vmFinalizer]).toEqual([false, false, undefined]);
    expect(second.status).toEqual({
      created: true,
      runStrategy: "Always",
      observedGeneration: 1,
      desiredGeneration: 1,
      conditions: [missing],
      printableStatus: "Starting",
    });
    theVM = written(theVM, second);
    const again = syncVirtualMachine({ vm: theVM, vmi: pending, now: at(30) });
    expect([again.create, again.delete, statusEqual(theVM.status, again.status)]).toEqual([false, false, true]);

    const readyCond = { type: "Ready", status: "True", lastProbeTime: null, lastTransitionTime: T };
    const runningVMI = started(theVM, "Running", { conditions: [readyCond, { type: "AgentConnected", status: "True" }] });
    const third = syncVirtualMachine({ vm: theVM, vmi: runningVMI, now: NOW });
    expect(third.status).toMatchObject({ created: true, ready: true, printableStatus: "Running" });
    expect(third.status?.conditions).toEqual([readyCond, { type: "AgentConnected", status: "True" }]);
    theVM = written(theVM, third);
    expect(statusEqual(theVM.status, syncVirtualMachine({ vm: theVM, vmi: runningVMI, now: at(60) }).status)).toBe(true);
  });
});

describe("syncVirtualMachine: crash loop", () => {
  it("backs off after an early failure, then starts again and clears the record once running", () => {
    let theVM = vm({ runStrategy: "Always", status: { created: true, runStrategy: "Always" } });
    const failedVMI = started(theVM, "Failed");
    failedVMI.metadata.finalizers = [VM_CONTROLLER_FINALIZER];

    const crash = syncVirtualMachine({ vm: theVM, vmi: failedVMI, now: NOW, randomInt: noJitter });
    expect([crash.delete, crash.removeVMIFinalizer, crash.status?.printableStatus]).toEqual([true, true, "CrashLoopBackOff"]);
    expect(crash.status?.startFailure).toEqual({ consecutiveFailCount: 1, lastFailedVMIUID: "uid-vm1", retryAfterTimestamp: formatTime(at(10).getTime()) });
    theVM = written(theVM, crash);

    const waiting = syncVirtualMachine({ vm: theVM, now: at(4) });
    expect([waiting.create, waiting.requeueAfterSeconds, waiting.status?.printableStatus]).toEqual([false, 6, "CrashLoopBackOff"]);
    expect(waiting.status?.created).toBeUndefined();
    theVM = written(theVM, waiting);
    expect(statusEqual(theVM.status, syncVirtualMachine({ vm: theVM, now: at(5) }).status)).toBe(true);

    const retry = syncVirtualMachine({ vm: theVM, now: at(11) });
    expect([retry.create, retry.status?.printableStatus]).toEqual([true, "Starting"]);
    theVM = written(theVM, retry);

    const another = { ...failedVMI, metadata: { ...failedVMI.metadata, uid: "uid-2" } };
    const secondCrash = syncVirtualMachine({ vm: theVM, vmi: another, now: at(20), randomInt: noJitter });
    expect(secondCrash.status?.startFailure).toMatchObject({ consecutiveFailCount: 2, retryAfterTimestamp: formatTime(at(60).getTime()) });
    theVM = written(theVM, secondCrash);

    const ran = started(theVM, "Running", { phaseTransitionTimestamps: [{ phase: "Running", phaseTransitionTimestamp: T }] });
    const ok = syncVirtualMachine({ vm: theVM, vmi: ran, now: at(70) });
    expect([ok.status?.startFailure, ok.status?.printableStatus]).toEqual([undefined, "Running"]);
  });
});

describe("syncVirtualMachine: state change requests", () => {
  it("RerunOnFailure: a failed VMI is deleted and a Start queued, consumed once the new VMI lives", () => {
    let theVM = vm({ runStrategy: "RerunOnFailure", status: { created: true, runStrategy: "RerunOnFailure" } });
    const failedVMI = started(theVM, "Failed", { phaseTransitionTimestamps: [{ phase: "Running" }] });
    const r1 = syncVirtualMachine({ vm: theVM, vmi: failedVMI, now: NOW });
    expect([r1.delete, r1.clearRequests, r1.status?.stateChangeRequests, r1.status?.printableStatus]).toEqual([true, 0, [{ action: "Start" }], "Stopped"]);
    theVM = written(theVM, r1);
    const r2 = syncVirtualMachine({ vm: theVM, now: NOW });
    expect([r2.create, r2.status?.stateChangeRequests]).toEqual([true, [{ action: "Start" }]]);
    theVM = written(theVM, r2);
    const r3 = syncVirtualMachine({ vm: theVM, vmi: started(theVM, "Pending"), now: NOW });
    expect([r3.create, r3.clearRequests, r3.status?.stateChangeRequests]).toEqual([false, 1, undefined]);
  });

  it("Manual: a Stop deletes the VMI, and is popped once the VMI is gone", () => {
    let theVM = vm({ runStrategy: "Manual", status: { created: true, runStrategy: "Manual", stateChangeRequests: [{ action: "Stop", uid: "uid-vm1" }] } });
    const r1 = syncVirtualMachine({ vm: theVM, vmi: started(theVM, "Running"), now: NOW });
    expect([r1.delete, r1.clearRequests, r1.status?.printableStatus]).toEqual([true, 0, "Stopping"]);
    theVM = written(theVM, r1);
    const r2 = syncVirtualMachine({ vm: theVM, now: NOW });
    expect([r2.create, r2.delete, r2.clearRequests, r2.status?.stateChangeRequests, r2.status?.printableStatus]).toEqual([
      false,
      false,
      1,
      undefined,
      "Stopped",
    ]);
  });

  it("Halted with a Start request rewrites the spec instead of creating", () => {
    const pausedStart = { stateChangeRequests: [{ action: "Start", data: { paused: "true" } }] };
    const r = syncVirtualMachine({ vm: vm({ runStrategy: "Halted", status: pausedStart }), now: NOW });
    expect([r.create, r.specPatch, r.status?.printableStatus]).toEqual([false, { runStrategy: "Always" }, "Stopped"]);
  });

  it("drops RestartRequired when it starts or stops a VMI, keeps it otherwise", () => {
    const restart = { type: "RestartRequired", status: "True" };
    const cold = syncVirtualMachine({ vm: vm({ runStrategy: "Always", status: { conditions: [restart] } }), now: NOW });
    expect(cold.status?.conditions).toEqual([notExists]);
    const idle = syncVirtualMachine({ vm: vm({ runStrategy: "Halted", status: { conditions: [restart] } }), now: NOW });
    expect(idle.status?.conditions).toEqual([restart, notExists]);
  });
});

describe("syncVirtualMachine: ownership and deletion", () => {
  it("adopts an orphan VMI of its name, ignores one controlled by someone else", () => {
    const orphan = vmi("vm1");
    expect(syncVirtualMachine({ vm: vm({ runStrategy: "Always" }), vmi: orphan, now: NOW })).toMatchObject({ adoptVMI: true, create: false });
    const foreign = vmi("vm1", { owner: replicaSet("other") });
    expect(syncVirtualMachine({ vm: vm({ runStrategy: "Always" }), vmi: foreign, now: NOW })).toMatchObject({ adoptVMI: false, create: true });
  });

  it.each<[string, KubeObject, KubeObject | undefined, Partial<VirtualMachineSyncResult>]>([
    ["deleting with a VMI: delete it", vm({ deleting: true }), vmi("vm1", { owner: vm() }), { delete: true, vmFinalizer: undefined }],
    ["deleting, VMI already going: wait", vm({ deleting: true }), vmi("vm1", { owner: vm(), deleting: true }), { delete: false, vmFinalizer: undefined }],
    ["deleting, no VMI: drop the finalizer", vm({ deleting: true }), undefined, { delete: false, vmFinalizer: "remove" }],
    [
      "deleting with orphan: keep the VMI",
      vm({ deleting: true, finalizers: [VM_CONTROLLER_FINALIZER, "orphan"] }),
      vmi("vm1", { owner: vm() }),
      { delete: false, vmFinalizer: "remove" },
    ],
    ["deleting, finalizer already gone: nothing", vm({ deleting: true, finalizers: [] }), undefined, { delete: false, vmFinalizer: undefined }],
  ])("%s", (_n, theVM, theVMI, want) => {
    const r = syncVirtualMachine({ vm: theVM, vmi: theVMI, now: NOW });
    expect({ delete: r.delete, vmFinalizer: r.vmFinalizer, create: r.create }).toEqual({ create: false, ...want });
    expect(r.status?.printableStatus).toBe("Terminating");
  });

  it("removes its finalizer from a final VMI only", () => {
    const owner = vm({ runStrategy: "Manual" });
    const withFin = (phase: string): KubeObject => vmi("vm1", { owner, phase, finalizers: ["other", VM_CONTROLLER_FINALIZER] });
    expect(syncVirtualMachine({ vm: owner, vmi: withFin("Succeeded"), now: NOW }).removeVMIFinalizer).toBe(true);
    expect(syncVirtualMachine({ vm: owner, vmi: withFin("Running"), now: NOW }).removeVMIFinalizer).toBe(false);
    expect(syncVirtualMachine({ vm: owner, vmi: vmi("vm1", { owner, phase: "Failed", finalizers: ["other"] }), now: NOW }).removeVMIFinalizer).toBe(false);
  });

  it("writes nothing when running and runStrategy are both set", () => {
    const bad = vm({ runStrategy: "Always", running: true, status: { printableStatus: "Running" } });
    expect(syncVirtualMachine({ vm: bad, now: NOW })).toEqual({
      adoptVMI: false,
      create: false,
      delete: false,
      removeVMIFinalizer: false,
      clearRequests: 0,
      status: undefined,
      syncError: { reason: "FailedCreate", message: "Error fetching RunStrategy: running and runstrategy are mutually exclusive" },
    });
  });
});

describe("calculateVMStatus: conditions", () => {
  it("mirrors VMI conditions, removes stale ones and records a failed create", () => {
    const theVM = vm({
      runStrategy: "Always",
      status: { conditions: [{ type: "LiveMigratable", status: "True" }, { type: "Failure", status: "True", reason: "FailedDelete" }] },
    });
    const theVMI = vmi("vm1", { owner: theVM, phase: "Failed", conditions: [{ type: "Paused", status: "False" }] });
    const expectations = { startExpected: false, stopExpected: false };
    const { status } = calculateVMStatus({ vm: theVM, vmi: theVMI, runStrategy: "Always", now: NOW, ...expectations, syncError: createFailure("quota") });
    expect(status.conditions).toEqual([failureCond("FailedCreate", "Failure while starting VMI: quota"), missing, { type: "Paused", status: "False" }]);
    expect(deleteFailure(new Error("gone"))).toEqual({ reason: "FailedDelete", message: "Failure attempting to delete VMI: gone" });
  });

  it("keeps the Ready condition's transition time while nothing changes", () => {
    const theVM = vm({ runStrategy: "Halted", status: { conditions: [{ ...notExists, lastTransitionTime: "2026-01-01T00:00:00Z" }] } });
    const { status } = calculateVMStatus({ vm: theVM, vmi: undefined, runStrategy: "Halted", now: NOW, startExpected: false, stopExpected: false });
    expect(status.conditions?.[0]?.lastTransitionTime).toBe("2026-01-01T00:00:00Z");
  });

  it("reads the started generation from the VMI annotation", () => {
    const theVM = vm({ runStrategy: "Always", generation: 3 });
    const theVMI = vmi("vm1", { owner: theVM, annotations: { "kubevirt.io/vm-generation": "2" } });
    const { status } = calculateVMStatus({ vm: theVM, vmi: theVMI, runStrategy: "Always", now: NOW, startExpected: false, stopExpected: false });
    expect([status.observedGeneration, status.desiredGeneration]).toEqual([2, 3]);
    expect(newControllerRef(theVM).kind).toBe("VirtualMachine");
  });
});

describe("statusAfterFailedAction", () => {
  it("a failed create: nothing expected, Failure recorded, RestartRequired still dropped", () => {
    const input = { vm: vm({ runStrategy: "Always", status: { conditions: [{ type: "RestartRequired", status: "True" }] } }), now: NOW };
    const result = syncVirtualMachine(input);
    expect(result.status?.printableStatus).toBe("Starting");
    const status = statusAfterFailedAction(input, result, "quota exceeded");
    expect(status).toEqual({
      conditions: [notExists, failureCond("FailedCreate", "Failure while starting VMI: quota exceeded")],
      printableStatus: "Stopped",
    });
  });

  it("a failed delete: not Stopping, no Start queued, Failure recorded", () => {
    const theVM = vm({ runStrategy: "RerunOnFailure", status: { created: true, runStrategy: "RerunOnFailure" } });
    const input = { vm: theVM, vmi: vmi("vm1", { owner: theVM, phase: "Failed", hasRun: true }), now: NOW };
    const result = syncVirtualMachine(input);
    expect([result.delete, result.status?.stateChangeRequests]).toEqual([true, [{ action: "Start" }]]);
    const status = statusAfterFailedAction(input, result, new Error("conflict"));
    expect([status.stateChangeRequests, status.printableStatus]).toEqual([undefined, "Stopped"]);
    expect(status.conditions?.find((c) => c.type === "Failure")).toEqual(failureCond("FailedDelete", "Failure attempting to delete VMI: conflict"));
  });
});
