import { describe, expect, it } from "vitest";
import type { JsonObject } from "./object";
import { applyStrategicMergePatch, objectMetaPatchMeta, podPatchMeta, podStatusPatchMeta } from "./strategic-merge-patch";

const podMeta = podPatchMeta("spec");

function pod(): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: "web",
      uid: "pod-uid",
      labels: { app: "web", tier: "fe" },
      finalizers: ["example.com/a"],
      ownerReferences: [
        { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-rs", uid: "rs-uid", controller: true },
        { apiVersion: "v1", kind: "ConfigMap", name: "keep", uid: "cm-uid" },
      ],
    },
    spec: {
      containers: [
        {
          name: "web",
          image: "nginx:1.25",
          ports: [{ containerPort: 80, protocol: "TCP" }],
          env: [{ name: "A", value: "1" }, { name: "DEBUG", value: "true" }],
          volumeMounts: [{ name: "data", mountPath: "/data" }],
        },
        { name: "sidecar", image: "busybox", args: ["sleep", "1d"] },
      ],
      volumes: [{ name: "data", emptyDir: {} }],
      tolerations: [{ key: "a", operator: "Exists" }],
      nodeSelector: { disk: "ssd" },
    },
  };
}

/** The pod with `edit` applied to a copy (what each patch should produce). */
function podWith(edit: (p: { metadata: Record<string, unknown>; spec: Record<string, unknown> }) => void): JsonObject {
  const p = pod();
  edit(p as unknown as { metadata: Record<string, unknown>; spec: Record<string, unknown> });
  return p;
}

const web = () => ((pod().spec as JsonObject).containers as JsonObject[])[0] as JsonObject;
const sidecar = () => ((pod().spec as JsonObject).containers as JsonObject[])[1] as JsonObject;

describe("applyStrategicMergePatch with kubectl-shaped Pod patches", () => {
  it.each<[string, JsonObject, JsonObject]>([
    ["kubectl apply changing an image",
      { metadata: { annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}\n" } },
        spec: { "$setElementOrder/containers": [{ name: "web" }, { name: "sidecar" }],
          containers: [{ image: "nginx:1.26", name: "web" }] } },
      podWith((p) => {
        p.metadata.annotations = { "kubectl.kubernetes.io/last-applied-configuration": "{}\n" };
        p.spec.containers = [{ ...web(), image: "nginx:1.26" }, sidecar()];
      })],
    ["kubectl apply adding a container at the end",
      { spec: { "$setElementOrder/containers": [{ name: "web" }, { name: "sidecar" }, { name: "log" }],
        containers: [{ image: "fluent-bit", name: "log" }] } },
      podWith((p) => {
        p.spec.containers = [web(), sidecar(), { image: "fluent-bit", name: "log" }];
      })],
    ["kubectl apply removing a container",
      { spec: { "$setElementOrder/containers": [{ name: "web" }],
        containers: [{ $patch: "delete", name: "sidecar" }] } },
      podWith((p) => {
        p.spec.containers = [web()];
      })],
    ["kubectl apply removing an env var and a label",
      { metadata: { labels: { tier: null } },
        spec: { "$setElementOrder/containers": [{ name: "web" }, { name: "sidecar" }],
          containers: [{ "$setElementOrder/env": [{ name: "A" }], env: [{ $patch: "delete", name: "DEBUG" }], name: "web" }] } },
      podWith((p) => {
        p.metadata.labels = { app: "web" };
        p.spec.containers = [{ ...web(), env: [{ name: "A", value: "1" }] }, sidecar()];
      })],
    ["kubectl apply reordering and changing env",
      { spec: { "$setElementOrder/containers": [{ name: "web" }, { name: "sidecar" }],
        containers: [{ "$setElementOrder/env": [{ name: "DEBUG" }, { name: "A" }], env: [{ name: "A", value: "2" }], name: "web" }] } },
      podWith((p) => {
        p.spec.containers = [{ ...web(), env: [{ name: "DEBUG", value: "true" }, { name: "A", value: "2" }] }, sidecar()];
      })],
    ["kubectl patch deleting an env var with $patch: delete",
      { spec: { containers: [{ name: "web", env: [{ name: "DEBUG", $patch: "delete" }] }] } },
      podWith((p) => {
        p.spec.containers = [{ ...web(), env: [{ name: "A", value: "1" }] }, sidecar()];
      })],
    ["kubectl patch adding a container (upstream puts it first without $setElementOrder)",
      { spec: { containers: [{ name: "log", image: "fluent-bit" }] } },
      podWith((p) => {
        p.spec.containers = [{ name: "log", image: "fluent-bit" }, web(), sidecar()];
      })],
    ["ports merge by containerPort",
      { spec: { containers: [{ name: "web", ports: [{ containerPort: 80, name: "http" }, { containerPort: 443 }] }] } },
      podWith((p) => {
        p.spec.containers = [
          { ...web(), ports: [{ containerPort: 80, protocol: "TCP", name: "http" }, { containerPort: 443 }] },
          sidecar(),
        ];
      })],
    ["volumeMounts merge by mountPath; args are replaced",
      { spec: { containers: [
        { name: "web", volumeMounts: [{ mountPath: "/data", readOnly: true }] },
        { name: "sidecar", args: ["sleep", "2d"] }] } },
      podWith((p) => {
        p.spec.containers = [
          { ...web(), volumeMounts: [{ name: "data", mountPath: "/data", readOnly: true }] },
          { ...sidecar(), args: ["sleep", "2d"] },
        ];
      })],
    ["tolerations are replaced whole",
      { spec: { tolerations: [{ key: "b", operator: "Exists", effect: "NoSchedule" }] } },
      podWith((p) => {
        p.spec.tolerations = [{ key: "b", operator: "Exists", effect: "NoSchedule" }];
      })],
    ["kubectl apply changing a volume's source ($retainKeys)",
      { spec: { "$setElementOrder/volumes": [{ name: "data" }],
        volumes: [{ $retainKeys: ["configMap", "name"], configMap: { name: "cfg" }, name: "data" }] } },
      podWith((p) => {
        p.spec.volumes = [{ name: "data", configMap: { name: "cfg" } }];
      })],
    ["finalizers: union and $deleteFromPrimitiveList",
      { metadata: { finalizers: ["example.com/b"], "$deleteFromPrimitiveList/finalizers": ["example.com/a"] } },
      podWith((p) => {
        p.metadata.finalizers = ["example.com/b"];
      })],
    // Upstream keeps the server-only finalizer but, as "b" is unknown to the server, puts "b" first.
    ["finalizers: kubectl apply keeps an unlisted server finalizer",
      { metadata: { "$setElementOrder/finalizers": ["example.com/b"], finalizers: ["example.com/b"] } },
      podWith((p) => {
        p.metadata.finalizers = ["example.com/b", "example.com/a"];
      })],
    // The ReplicaSet controller's release patch (controller_ref_manager.go).
    ["releasing a pod from its ReplicaSet",
      { metadata: { ownerReferences: [{ $patch: "delete", uid: "rs-uid" }], uid: "pod-uid" } },
      podWith((p) => {
        p.metadata.ownerReferences = [{ apiVersion: "v1", kind: "ConfigMap", name: "keep", uid: "cm-uid" }];
      })],
    ["removing a map field with null",
      { spec: { nodeSelector: null, affinity: null } },
      podWith((p) => {
        delete p.spec.nodeSelector;
      })],
  ])("%s", (_name, patch, expected) => {
    const original = pod();
    expect(applyStrategicMergePatch(original, patch, podMeta)).toEqual(expected);
    expect(original).toEqual(pod());
  });

  it("patches a ReplicaSet's pod template with spec.template.spec keys", () => {
    const rs: JsonObject = {
      metadata: { name: "web" },
      spec: {
        replicas: 1,
        template: {
          metadata: { labels: { app: "web" } },
          spec: { containers: [{ name: "web", image: "nginx:1.25", env: [{ name: "A", value: "1" }] }] },
        },
      },
    };
    const patch: JsonObject = {
      spec: {
        replicas: 3,
        template: { spec: { containers: [{ name: "web", image: "nginx:1.26", env: [{ name: "B", value: "2" }] }] } },
      },
    };
    expect(applyStrategicMergePatch(rs, patch, podPatchMeta("spec.template.spec"))).toEqual({
      metadata: { name: "web" },
      spec: {
        replicas: 3,
        template: {
          metadata: { labels: { app: "web" } },
          spec: { containers: [{ name: "web", image: "nginx:1.26", env: [{ name: "B", value: "2" }, { name: "A", value: "1" }] }] },
        },
      },
    });
  });

  it("merges pod status conditions by type", () => {
    const status: JsonObject = {
      status: { conditions: [{ type: "Ready", status: "False" }, { type: "PodScheduled", status: "True" }] },
    };
    const patch: JsonObject = { status: { conditions: [{ type: "Ready", status: "True" }] } };
    expect(applyStrategicMergePatch(status, patch, podStatusPatchMeta("status"))).toEqual({
      status: { conditions: [{ type: "Ready", status: "True" }, { type: "PodScheduled", status: "True" }] },
    });
  });
});

describe("podPatchMeta", () => {
  it("has upstream's patchStrategy/patchMergeKey tags for a Pod", () => {
    const container = (list: string) => ({
      [`spec.${list}`]: { strategy: "merge", mergeKey: "name" },
      [`spec.${list}[].ports`]: { strategy: "merge", mergeKey: "containerPort" },
      [`spec.${list}[].env`]: { strategy: "merge", mergeKey: "name" },
      [`spec.${list}[].volumeMounts`]: { strategy: "merge", mergeKey: "mountPath" },
      [`spec.${list}[].volumeDevices`]: { strategy: "merge", mergeKey: "devicePath" },
    });
    expect(podPatchMeta("spec")).toEqual({
      "metadata.ownerReferences": { strategy: "merge", mergeKey: "uid" },
      "metadata.finalizers": { strategy: "merge" },
      "spec.volumes": { strategy: "merge", mergeKey: "name" },
      "spec.imagePullSecrets": { strategy: "merge", mergeKey: "name" },
      "spec.hostAliases": { strategy: "merge", mergeKey: "ip" },
      "spec.topologySpreadConstraints": { strategy: "merge", mergeKey: "topologyKey" },
      "spec.schedulingGates": { strategy: "merge", mergeKey: "name" },
      "spec.resourceClaims": { strategy: "merge", mergeKey: "name" },
      "spec.tolerations": { strategy: "replace" },
      ...container("initContainers"),
      ...container("containers"),
      ...container("ephemeralContainers"),
    });
  });

  it("puts the PodSpec keys under the prefix for a ReplicaSet", () => {
    const meta = podPatchMeta("spec.template.spec");
    expect(meta["spec.template.spec.containers[].env"]).toEqual({ strategy: "merge", mergeKey: "name" });
    expect(meta["spec.template.spec.volumes"]).toEqual({ strategy: "merge", mergeKey: "name" });
    expect(meta["spec.containers"]).toBeUndefined();
    expect(meta["metadata.finalizers"]).toEqual({ strategy: "merge" });
  });

  it("objectMetaPatchMeta works under a template prefix", () => {
    expect(objectMetaPatchMeta("spec.template.metadata")).toEqual({
      "spec.template.metadata.ownerReferences": { strategy: "merge", mergeKey: "uid" },
      "spec.template.metadata.finalizers": { strategy: "merge" },
    });
  });
});
