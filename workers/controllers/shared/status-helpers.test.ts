import { describe, expect, it } from "vitest";
import { removeCondition, setReplicaSetCondition, updateVMCondition } from "./conditions";
import type { Condition } from "./object-fields";
import { statusEqual } from "./status-equal";
import { vm, vmi } from "./test-fixtures";
import { isTrimFirstChangeRequestNeeded } from "../virtualmachine/vm-requests";

const a: Condition = { type: "A", status: "True", reason: "R", lastTransitionTime: "2026-01-01T00:00:00Z" };
const b: Condition = { type: "B", status: "False" };

describe("statusEqual", () => {
  it.each<[unknown, unknown, boolean]>([
    [{}, { replicas: 0, conditions: [], labelSelector: "", ready: false }, true],
    [undefined, {}, true],
    [{ replicas: 1 }, { replicas: 2 }, false],
    [{ conditions: [a] }, { conditions: [{ ...a }] }, true],
    [{ conditions: [a, b] }, { conditions: [b, a] }, false],
    [{ startFailure: { consecutiveFailCount: 0 } }, {}, true],
    [{ x: { lastProbeTime: null } }, { x: {} }, true],
    [{ observedGeneration: 2 }, { observedGeneration: 3 }, false],
  ])("%j vs %j → %s", (x, y, want) => {
    expect(statusEqual(x, y)).toBe(want);
  });
});

describe("condition edits", () => {
  it("setReplicaSetCondition keeps a same-status same-reason condition, else moves it to the end", () => {
    expect(setReplicaSetCondition([a, b], { ...a, message: "new", lastTransitionTime: "later" })).toEqual([a, b]);
    const changed = { ...a, reason: "Other" };
    expect(setReplicaSetCondition([a, b], changed)).toEqual([b, changed]);
  });

  it("updateVMCondition replaces in place on a status or reason change, appends when missing", () => {
    expect(updateVMCondition([a, b], { ...a, message: "ignored" })).toEqual([a, b]);
    const flipped = { ...a, status: "False" };
    expect(updateVMCondition([a, b], flipped)).toEqual([flipped, b]);
    expect(updateVMCondition([b], a)).toEqual([b, a]);
    expect(removeCondition([a, b, a], "A")).toEqual([b]);
  });
});

describe("isTrimFirstChangeRequestNeeded", () => {
  const withReqs = (reqs: object[]) => vm({ status: { stateChangeRequests: reqs as never } });
  it.each<[string, object[], ReturnType<typeof vmi> | undefined, boolean]>([
    ["nothing queued", [], vmi("vm1"), false],
    ["Stop, no VMI", [{ action: "Stop", uid: "uid-vm1" }], undefined, true],
    ["Stop for the current VMI", [{ action: "Stop", uid: "uid-vm1" }], vmi("vm1"), false],
    ["Stop for an older VMI", [{ action: "Stop", uid: "uid-old" }], vmi("vm1"), true],
    ["Stop without a UID", [{ action: "Stop" }], vmi("vm1"), true],
    ["Start, no VMI", [{ action: "Start" }], undefined, false],
    ["Start, live VMI", [{ action: "Start" }], vmi("vm1", { phase: "Pending" }), true],
    ["Start, final VMI", [{ action: "Start" }], vmi("vm1", { phase: "Failed" }), false],
    ["Start, VMI deleting", [{ action: "Start" }], vmi("vm1", { deleting: true }), false],
    ["only the first request counts", [{ action: "Start" }, { action: "Stop" }], undefined, false],
  ])("%s → %s", (_n, reqs, theVMI, want) => {
    expect(isTrimFirstChangeRequestNeeded(withReqs(reqs), theVMI)).toBe(want);
  });
});
