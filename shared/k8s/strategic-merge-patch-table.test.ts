import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { JsonObject } from "./object";
import { applyStrategicMergePatch } from "./strategic-merge-patch";
import { patchMetaOf } from "./strategic-merge-patch-table";

function metaOf(group: string, version: string, kind: string) {
  const meta = patchMetaOf({ group, version, kind });
  if (!meta) throw new Error(`no patch meta for ${kind}`);
  return meta;
}
const NODE = metaOf("", "v1", "Node");
const POD = metaOf("", "v1", "Pod");
const RS = metaOf("apps", "v1", "ReplicaSet");

/** The keys upstream's struct tags give, per kind and path (k8s.io/api types.go). */
describe("patchMetaOf: upstream's merge keys per kind", () => {
  it.each<[string, string, string, string, string | undefined]>([
    ["", "v1", "Node", "status.addresses", "type"],
    ["", "v1", "Node", "status.conditions", "type"],
    ["", "v1", "Namespace", "status.conditions", "type"],
    ["", "v1", "Pod", "spec.containers", "name"],
    ["", "v1", "Pod", "spec.initContainers", "name"],
    ["", "v1", "Pod", "spec.containers[].ports", "containerPort"],
    ["", "v1", "Pod", "spec.containers[].env", "name"],
    ["", "v1", "Pod", "spec.containers[].volumeMounts", "mountPath"],
    ["", "v1", "Pod", "spec.volumes", "name"],
    ["", "v1", "Pod", "spec.imagePullSecrets", "name"],
    ["", "v1", "Pod", "status.conditions", "type"],
    ["", "v1", "ServiceAccount", "secrets", "name"],
    ["apps", "v1", "ReplicaSet", "spec.template.spec.containers", "name"],
    ["apps", "v1", "ReplicaSet", "status.conditions", "type"],
    ["policy", "v1", "PodDisruptionBudget", "status.conditions", "type"],
    ["rbac.authorization.k8s.io", "v1", "Role", "metadata.ownerReferences", "uid"],
    ["", "v1", "Event", "metadata.ownerReferences", "uid"],
    ["", "v1", "ResourceQuota", "metadata.finalizers", undefined],
  ])("%s/%s %s %s merges by %s", (group, version, kind, path, key) => {
    const entry = metaOf(group, version, kind)[path];
    expect(entry?.strategy).toBe("merge");
    expect(entry?.mergeKey).toBe(key);
  });

  it.each<[string, string, string, string]>([
    ["", "v1", "Node", "spec.taints"],
    ["", "v1", "Pod", "spec.tolerations"],
    ["", "v1", "ServiceAccount", "imagePullSecrets"],
    ["rbac.authorization.k8s.io", "v1", "ClusterRole", "rules"],
    ["rbac.authorization.k8s.io", "v1", "RoleBinding", "subjects"],
    ["", "v1", "LimitRange", "spec.limits"],
  ])("%s/%s %s %s is atomic (replaced)", (group, version, kind, path) => {
    expect(metaOf(group, version, kind)[path]?.strategy ?? "replace").toBe("replace");
  });

  it("KubeVirt kinds are custom resources upstream: no strategic merge patch", () => {
    expect(patchMetaOf({ group: "kubevirt.io", version: "v1", kind: "VirtualMachine" })).toBeUndefined();
    expect(patchMetaOf({ group: "pool.kubevirt.io", version: "v1alpha1", kind: "VirtualMachinePool" })).toBeUndefined();
  });
});

describe("strategic merge patch of a Node, as kubectl sends it", () => {
  const node: JsonObject = {
    metadata: { name: "host-2", labels: { a: "1" }, finalizers: ["x"] },
    spec: { podCIDRs: ["10.0.0.0/24"], taints: [{ key: "old", value: "v", effect: "NoExecute" }] },
    status: {
      addresses: [{ type: "InternalIP", address: "10.0.0.2" }, { type: "Hostname", address: "host-2" }],
      conditions: [{ type: "Ready", status: "True" }, { type: "MemoryPressure", status: "False" }],
    },
  };

  it("kubectl taint sends the whole list, which replaces the old one", () => {
    const taints = [{ key: "old", value: "v", effect: "NoExecute" }, { key: "k", value: "v", effect: "NoSchedule" }];
    expect(applyStrategicMergePatch(node, { spec: { taints } }, NODE).spec).toEqual({ podCIDRs: ["10.0.0.0/24"], taints });
    const removed = applyStrategicMergePatch(node, { spec: { taints: null } }, NODE);
    expect(removed.spec).toEqual({ podCIDRs: ["10.0.0.0/24"] });
  });

  it("cordon and uncordon set and clear spec.unschedulable", () => {
    const cordoned = applyStrategicMergePatch(node, { spec: { unschedulable: true } }, NODE);
    expect(cordoned.spec).toMatchObject({ unschedulable: true, taints: [{ key: "old" }] });
    expect(applyStrategicMergePatch(cordoned, { spec: { unschedulable: null } }, NODE).spec).toEqual(node.spec);
  });

  it("addresses and conditions merge by type; podCIDRs and finalizers as sets", () => {
    const patched = applyStrategicMergePatch(node, {
      metadata: { finalizers: ["y"] },
      spec: { podCIDRs: ["fd00::/64"] },
      status: {
        addresses: [{ type: "InternalIP", address: "10.0.0.9" }],
        conditions: [{ type: "Ready", status: "False" }, { type: "DiskPressure", $patch: "delete" }, { type: "MemoryPressure", $patch: "delete" }],
      },
    }, NODE);
    // Upstream normalizeElementOrder: without $setElementOrder, new patch elements come before server-only ones.
    expect(patched.metadata).toMatchObject({ finalizers: ["y", "x"] });
    expect(patched.spec).toMatchObject({ podCIDRs: ["fd00::/64", "10.0.0.0/24"] });
    expect(patched.status).toEqual({
      addresses: [{ type: "InternalIP", address: "10.0.0.9" }, { type: "Hostname", address: "host-2" }],
      conditions: [{ type: "Ready", status: "False" }],
    });
  });

  it("$deleteFromPrimitiveList removes a finalizer; $retainKeys clears unlisted fields", () => {
    const patched = applyStrategicMergePatch(node, {
      metadata: { "$deleteFromPrimitiveList/finalizers": ["x"] },
      spec: { $retainKeys: ["taints"] },
    }, NODE);
    expect(patched.metadata).toEqual({ name: "host-2", labels: { a: "1" }, finalizers: [] });
    expect(patched.spec).toEqual({ taints: [{ key: "old", value: "v", effect: "NoExecute" }] });
  });
});

describe("strategic merge patch of the other kinds", () => {
  it("kubectl set env / set image on a ReplicaSet merge containers and env by name", () => {
    const rs: JsonObject = {
      spec: { template: { metadata: { labels: { app: "w" } }, spec: { containers: [
        { name: "a", image: "a:1", env: [{ name: "X", value: "1" }, { name: "Y", value: "2" }] },
        { name: "b", image: "b:1" },
      ] } } },
    };
    const patched = applyStrategicMergePatch(rs, { spec: { template: { spec: {
      "$setElementOrder/containers": [{ name: "a" }, { name: "b" }],
      containers: [{ name: "a", env: [{ name: "Y", $patch: "delete" }, { name: "Z", value: "3" }] }, { name: "b", image: "b:2" }],
    } } } }, RS);
    expect(patched).toEqual({ spec: { template: { metadata: { labels: { app: "w" } }, spec: { containers: [
      { name: "a", image: "a:1", env: [{ name: "Z", value: "3" }, { name: "X", value: "1" }] },
      { name: "b", image: "b:2" },
    ] } } } });
  });

  it("a ServiceAccount's secrets merge by name; its imagePullSecrets are replaced", () => {
    const sa: JsonObject = { secrets: [{ name: "s1" }], imagePullSecrets: [{ name: "p1" }] };
    const patched = applyStrategicMergePatch(sa, { secrets: [{ name: "s2" }], imagePullSecrets: [{ name: "p2" }] }, metaOf("", "v1", "ServiceAccount"));
    expect(patched).toEqual({ secrets: [{ name: "s2" }, { name: "s1" }], imagePullSecrets: [{ name: "p2" }] });
  });

  it("ownerReferences merge by uid on any kind; a RBAC rules list is replaced, $patch: replace replaces a map", () => {
    const meta = metaOf("rbac.authorization.k8s.io", "v1", "Role");
    const role: JsonObject = {
      metadata: { ownerReferences: [{ uid: "1", name: "a" }], labels: { a: "1", b: "2" } },
      rules: [{ verbs: ["get"] }, { verbs: ["list"] }],
    };
    const patched = applyStrategicMergePatch(role, {
      metadata: { ownerReferences: [{ uid: "2", name: "b" }], labels: { $patch: "replace", c: "3" } },
      rules: [{ verbs: ["watch"] }],
    }, meta);
    expect(patched).toEqual({
      metadata: { ownerReferences: [{ uid: "2", name: "b" }, { uid: "1", name: "a" }], labels: { c: "3" } },
      rules: [{ verbs: ["watch"] }],
    });
  });
});

/** A keyed list (env by name) with distinct names. */
const envList = fc.uniqueArray(fc.record({ name: fc.constantFrom("A", "B", "C", "D", "E", "F"), value: fc.string({ maxLength: 3 }) }), {
  selector: (e) => e.name,
  maxLength: 6,
});

/**
 * The two-way patch kubectl computes from `from` to `to` for one keyed list:
 * every element of `to`, a `$patch: delete` for each element gone, and the
 * new order in `$setElementOrder`.
 */
function twoWayEnvPatch(from: { name: string }[], to: { name: string; value: string }[]): JsonObject {
  const gone = from.filter((e) => !to.some((t) => t.name === e.name)).map((e) => ({ name: e.name, $patch: "delete" }));
  return { spec: { containers: [{ name: "c", "$setElementOrder/env": to.map((e) => ({ name: e.name })), env: [...to, ...gone] }] } };
}

describe("strategic merge patch: properties", () => {
  it("applying the two-way patch from A to B gives B", () => {
    fc.assert(
      fc.property(envList, envList, (a, b) => {
        const pod: JsonObject = { spec: { containers: [{ name: "c", image: "i", env: a }] } };
        const patched = applyStrategicMergePatch(pod, twoWayEnvPatch(a, b), POD);
        const want = b.length > 0 ? { name: "c", image: "i", env: b } : { name: "c", image: "i", env: [] };
        expect(patched).toEqual({ spec: { containers: [want] } });
      }),
    );
  });

  it("a strategic merge patch is idempotent", () => {
    fc.assert(
      fc.property(envList, envList, fc.array(fc.constantFrom("x", "y", "z"), { maxLength: 3 }), (a, b, finalizers) => {
        const pod: JsonObject = { metadata: { finalizers: ["x"] }, spec: { containers: [{ name: "c", env: a }] } };
        const patch: JsonObject = { metadata: { finalizers }, ...twoWayEnvPatch(a, b) };
        const once = applyStrategicMergePatch(pod, patch, POD);
        expect(applyStrategicMergePatch(once, patch, POD)).toEqual(once);
      }),
    );
  });

  it("taints: whatever the old list, the patched Node carries exactly the list kubectl sent", () => {
    const taint = fc.record({ key: fc.constantFrom("a", "b", "c"), value: fc.string({ maxLength: 2 }), effect: fc.constantFrom("NoSchedule", "NoExecute") });
    fc.assert(
      fc.property(fc.array(taint, { maxLength: 4 }), fc.array(taint, { minLength: 1, maxLength: 4 }), (old, sent) => {
        const patched = applyStrategicMergePatch({ spec: { taints: old } }, { spec: { taints: sent } }, NODE);
        expect(patched).toEqual({ spec: { taints: sent } });
      }),
    );
  });
});
