import { describe, expect, it } from "vitest";
import { names, NOW, vmi, type VMIOptions } from "../shared/test-fixtures";
import { isVMIActive, isVMIFinal, isVMIFinished, isVMIReady, rankVMIsForDeletion, vmiPolicy } from "./vmi-policy";

describe("VMI filters (filterActiveVMIs / filterFinishedVMIs / filterUnknownVMIs)", () => {
  it.each<[string, VMIOptions, { final: boolean; active: boolean; finished: boolean; ready: boolean }]>([
    ["Running, ready", { ready: "True" }, { final: false, active: true, finished: false, ready: true }],
    ["Pending", { phase: "Pending" }, { final: false, active: true, finished: false, ready: false }],
    ["unset phase", { phase: "" }, { final: false, active: true, finished: false, ready: false }],
    ["Scheduled, not ready", { phase: "Scheduled", ready: "False" }, { final: false, active: true, finished: false, ready: false }],
    ["Succeeded", { phase: "Succeeded" }, { final: true, active: false, finished: true, ready: false }],
    ["Failed", { phase: "Failed" }, { final: true, active: false, finished: true, ready: false }],
    ["Failed, deleting", { phase: "Failed", deleting: true }, { final: true, active: false, finished: false, ready: false }],
    ["Running, deleting", { deleting: true, ready: "True" }, { final: false, active: false, finished: false, ready: true }],
    [
      "Running, pod terminating",
      { ready: "False", readyReason: "PodTerminating" },
      { final: false, active: false, finished: true, ready: false },
    ],
    [
      "pod terminating and deleting",
      { ready: "False", readyReason: "PodTerminating", deleting: true },
      { final: false, active: false, finished: false, ready: false },
    ],
    ["Ready=False other reason", { ready: "False", readyReason: "GuestNotRunning" }, { final: false, active: true, finished: false, ready: false }],
  ])("%s", (_n, o, want) => {
    const v = vmi("v", o);
    expect({ final: isVMIFinal(v), active: isVMIActive(v), finished: isVMIFinished(v), ready: isVMIReady(v) }).toEqual(want);
  });

  it("availability is readiness", () => {
    expect([vmiPolicy.isAvailable(vmi("a", { ready: "True" }), 30, NOW), vmiPolicy.isAvailable(vmi("b"), 0, NOW)]).toEqual([true, false]);
  });
});

describe("rankVMIsForDeletion", () => {
  it.each<[string, ReturnType<typeof vmi>[], string[]]>([
    [
      "not yet running before Running",
      [vmi("running", { age: 10 }), vmi("pending", { phase: "Pending", age: 100 }), vmi("sched", { phase: "Scheduling", age: 100 })],
      ["pending", "sched", "running"],
    ],
    ["not ready before ready", [vmi("ready", { ready: "True", age: 10 }), vmi("notready", { ready: "False", age: 100 })], ["notready", "ready"]],
    ["newer first", [vmi("old", { age: 100 }), vmi("new", { age: 10 }), vmi("mid", { age: 50 })], ["new", "mid", "old"]],
    ["missing creationTimestamp counts as newest", [vmi("old", { age: 100 }), vmi("nots")], ["nots", "old"]],
    ["phase beats readiness", [vmi("running", { ready: "False" }), vmi("scheduled", { phase: "Scheduled", ready: "True" })], ["scheduled", "running"]],
    ["equal VMIs keep list order", [vmi("b", { age: 5 }), vmi("a", { age: 5 }), vmi("c", { age: 5 })], ["b", "a", "c"]],
  ])("%s", (_n, vmis, want) => {
    expect(names(rankVMIsForDeletion(vmis))).toEqual(want);
    expect(names(vmiPolicy.rankForDeletion(vmis, [], NOW))).toEqual(want);
  });
});
