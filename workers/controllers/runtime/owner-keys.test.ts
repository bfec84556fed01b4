import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../shared/k8s/object";
import { keysForChange } from "./keys";

const owned = (kind: string, name: string, owner: { kind: string; name: string }): KubeObject => ({
  apiVersion: kind === "ReplicaSet" ? "apps/v1" : "kubevirt.io/v1", kind,
  metadata: { name, namespace: "ns", uid: `${name}-uid`, ownerReferences: [{ apiVersion: "x", kind: owner.kind, name: owner.name, uid: "o", controller: true }] },
});

describe("keysForChange of a controller kind that is itself a child", () => {
  it("a Deployment's ReplicaSet enqueues itself and its Deployment", () => {
    const keys = keysForChange(owned("ReplicaSet", "web-abc", { kind: "Deployment", name: "web" }), null, "MODIFIED");
    expect(keys.map((k) => `${k.controller}/${k.name}`)).toEqual(["replicaset/web-abc", "deployment/web"]);
  });

  it("a pool's VirtualMachine enqueues itself and its pool", () => {
    const keys = keysForChange(owned("VirtualMachine", "p-0", { kind: "VirtualMachinePool", name: "p" }), null, "MODIFIED");
    expect(keys.map((k) => `${k.controller}/${k.name}`)).toEqual(["virtualmachine/p-0", "vmpool/p"]);
  });

  it("a released ReplicaSet still tells its former Deployment", () => {
    const now: KubeObject = { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web-abc", namespace: "ns", uid: "u" } };
    const before = owned("ReplicaSet", "web-abc", { kind: "Deployment", name: "web" });
    expect(keysForChange(now, before, "MODIFIED").map((k) => k.controller)).toEqual(["replicaset", "deployment"]);
  });
});
