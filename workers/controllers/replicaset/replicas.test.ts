import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { labelSelectorFromObject } from "../../../shared/k8s/labels";
import type { KubeObject } from "../../../shared/k8s/object";
import { getPodFromTemplate } from "./child-templates";
import { desiredReplicas } from "../shared/object-fields";
import { podPolicy } from "./pod-policy";
import {
  claimChildren,
  finishedToDelete,
  getControllerOf,
  manageReplicas,
  newControllerRef,
  REPLICASET_BURST_REPLICAS,
  slowStartBatches,
  VMIRS_BURST_REPLICAS,
} from "./replicas";
import { names, NOW, pod, replicaSet, vmi, vmirs } from "../shared/test-fixtures";
import { vmiPolicy } from "./vmi-policy";

const rs = replicaSet("rs", { replicas: 3 });
const other = replicaSet("other");
const selector = labelSelectorFromObject({ matchLabels: { app: "web" } });

describe("getControllerOf / newControllerRef", () => {
  it("builds the controller reference with controller and blockOwnerDeletion", () => {
    expect(newControllerRef(rs)).toEqual({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      name: "rs",
      uid: "uid-rs",
      controller: true,
      blockOwnerDeletion: true,
    });
  });

  it("ignores owner references that are not controllers", () => {
    const p = pod("p");
    p.metadata.ownerReferences = [{ apiVersion: "v1", kind: "X", name: "x", uid: "u1" }, newControllerRef(rs)];
    expect(getControllerOf(p)?.uid).toBe("uid-rs");
    p.metadata.ownerReferences = [{ apiVersion: "v1", kind: "X", name: "x", uid: "u1", controller: false }];
    expect(getControllerOf(p)).toBeUndefined();
  });
});

describe("claimChildren (controller_ref_manager ClaimObject)", () => {
  const cases: { name: string; owner: KubeObject; child: KubeObject; want: "owned" | "adopt" | "release" | "ignored" }[] = [
    { name: "owned and matching", owner: rs, child: pod("p", { owner: rs }), want: "owned" },
    { name: "owned, labels changed", owner: rs, child: pod("p", { owner: rs, labels: { app: "db" } }), want: "release" },
    { name: "controlled by another owner", owner: rs, child: pod("p", { owner: other }), want: "ignored" },
    { name: "matching orphan", owner: rs, child: pod("p"), want: "adopt" },
    { name: "orphan that does not match", owner: rs, child: pod("p", { labels: { app: "db" } }), want: "ignored" },
    { name: "orphan being deleted", owner: rs, child: pod("p", { deleting: true }), want: "ignored" },
    { name: "orphan in another namespace", owner: rs, child: pod("p", { namespace: "other" }), want: "ignored" },
    { name: "owner deleting: orphan not adopted", owner: replicaSet("rs", { deleting: true }), child: pod("p"), want: "ignored" },
    {
      name: "owner deleting: owned and matching still claimed",
      owner: replicaSet("rs", { deleting: true }),
      child: pod("p", { owner: rs }),
      want: "owned",
    },
    {
      name: "owner deleting: mismatch not released",
      owner: replicaSet("rs", { deleting: true }),
      child: pod("p", { owner: rs, labels: { app: "db" } }),
      want: "ignored",
    },
  ];
  it.each(cases)("$name → $want", ({ owner, child, want }) => {
    const r = claimChildren(owner, [child], selector);
    const got = r.owned.length ? "owned" : r.adopt.length ? "adopt" : r.release.length ? "release" : "ignored";
    expect(got).toBe(want);
    expect(r.claimed).toEqual(want === "owned" || want === "adopt" ? [child] : []);
  });

  it("keeps input order in claimed and sorts children into every bucket", () => {
    const kids = [pod("a"), pod("b", { owner: rs }), pod("c", { owner: rs, labels: {} }), pod("d", { owner: other }), pod("e")];
    const r = claimChildren(rs, kids, selector);
    expect([names(r.owned), names(r.adopt), names(r.release), names(r.claimed)]).toEqual([["b"], ["a", "e"], ["c"], ["a", "b", "e"]]);
  });

  it("a nil selector matches nothing: owned children are released", () => {
    const r = claimChildren(rs, [pod("a", { owner: rs })], labelSelectorFromObject(undefined));
    expect(names(r.release)).toEqual(["a"]);
  });
});

describe("manageReplicas", () => {
  const owned = (n: number, o: Parameters<typeof pod>[1] = {}): KubeObject[] =>
    Array.from({ length: n }, (_, i) => pod(`p${i}`, { owner: rs, node: "n1", readyFor: 100, ...o }));

  it.each([
    [3, 0, 3],
    [3, 2, 1],
    [0, 0, 0],
    [3, 3, 0],
    [600, 0, REPLICASET_BURST_REPLICAS],
  ])("replicas %i with %i active creates %i", (replicas, active, create) => {
    expect(manageReplicas(podPolicy, { replicas, active: owned(active), burstReplicas: 500, now: NOW })).toEqual({ create, delete: [] });
  });

  it("caps VMIRS creates at 250", () => {
    expect(manageReplicas(vmiPolicy, { replicas: 300, active: [], burstReplicas: VMIRS_BURST_REPLICAS, now: NOW }).create).toBe(250);
  });

  it("deletes the lowest-ranked pods first", () => {
    const active = [pod("running", { owner: rs, node: "n1", readyFor: 100 }), pod("pending", { owner: rs, phase: "Pending" })];
    const d = manageReplicas(podPolicy, { replicas: 1, active, burstReplicas: 500, now: NOW });
    expect([d.create, names(d.delete)]).toEqual([0, ["pending"]]);
  });

  it("deleting them all keeps list order (no ranking needed)", () => {
    const active = [pod("running", { owner: rs, node: "n1", readyFor: 100 }), pod("pending", { owner: rs, phase: "Pending" })];
    expect(names(manageReplicas(podPolicy, { replicas: 0, active, burstReplicas: 500, now: NOW }).delete)).toEqual(["running", "pending"]);
  });

  it("caps deletes at the burst size", () => {
    expect(manageReplicas(podPolicy, { replicas: 0, active: owned(5), burstReplicas: 2, now: NOW }).delete).toHaveLength(2);
  });

  it("uses related pods for co-location ranks, and none by default (a set without a controller)", () => {
    const active = [pod("a", { owner: rs, node: "n1", readyFor: 100 }), pod("b", { owner: rs, node: "n2", readyFor: 100 })];
    const related = [...active, pod("x", { owner: other, node: "n2" })];
    expect(names(manageReplicas(podPolicy, { replicas: 1, active, related, burstReplicas: 500, now: NOW }).delete)).toEqual(["b"]);
    // Without related pods both rank 0 and the later rules decide: equal pods keep list order.
    expect(names(manageReplicas(podPolicy, { replicas: 1, active, burstReplicas: 500, now: NOW }).delete)).toEqual(["a"]);
  });

  it("is idempotent: applying a decision leaves nothing to do", () => {
    for (const [replicas, start] of [
      [3, 0],
      [2, 5],
      [4, 4],
    ] as const) {
      let world = [...owned(start), pod("orphan"), pod("stranger", { owner: other })];
      const target = replicaSet("rs", { replicas });
      for (let pass = 0; pass < 2; pass++) {
        const claim = claimChildren(target, world, selector);
        const active = claim.claimed.filter(podPolicy.isActive);
        const d = manageReplicas(podPolicy, { replicas: desiredReplicas(target), active, burstReplicas: 500, now: NOW });
        if (pass === 1) expect(d).toEqual({ create: 0, delete: [] });
        world = world.filter((p) => !d.delete.includes(p));
        world = world.map((p) => (claim.adopt.includes(p) ? { ...p, metadata: { ...p.metadata, ownerReferences: [newControllerRef(target)] } } : p));
        for (let i = 0; i < d.create; i++) {
          const created = getPodFromTemplate(target);
          created.metadata.name = `rs-new${i}`;
          created.metadata.uid = `uid-new${i}`;
          world.push(created);
        }
      }
      expect(claimChildren(target, world, selector).claimed).toHaveLength(replicas);
    }
  });
});

describe("finishedToDelete (cleanFinishedVmis)", () => {
  const set = vmirs("set");
  it("picks final and pod-terminating VMIs in list order, capped", () => {
    const vmis = [
      vmi("ok", { owner: set }),
      vmi("failed", { owner: set, phase: "Failed" }),
      vmi("done", { owner: set, phase: "Succeeded" }),
      vmi("gone", { owner: set, ready: "False", readyReason: "PodTerminating" }),
      vmi("deleting", { owner: set, phase: "Failed", deleting: true }),
    ];
    expect(names(finishedToDelete(vmiPolicy, vmis, 250))).toEqual(["failed", "done", "gone"]);
    expect(names(finishedToDelete(vmiPolicy, vmis, 2))).toEqual(["failed", "done"]);
    expect(finishedToDelete(podPolicy, [pod("p", { phase: "Failed" })], 250)).toEqual([]);
  });
});

describe("slowStartBatches", () => {
  it.each([
    [0, 1, []],
    [1, 1, [1]],
    [2, 1, [1, 1]],
    [3, 1, [1, 2]],
    [10, 1, [1, 2, 4, 3]],
    [500, 1, [1, 2, 4, 8, 16, 32, 64, 128, 245]],
    [5, 0, []],
    [5, 4, [4, 1]],
  ])("%i creates from %i: %j", (count, initial, want) => {
    expect(slowStartBatches(count, initial)).toEqual(want);
  });

  it("always sums to the count and at most doubles", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), (n) => {
        const b = slowStartBatches(n);
        expect(b.reduce((s, x) => s + x, 0)).toBe(n);
        b.forEach((x, i) => expect(x).toBeLessThanOrEqual(i === 0 ? 1 : 2 * (b[i - 1] ?? 0)));
      }),
    );
  });
});
