import { describe, expect, it } from "vitest";
import type { ResourceKind } from "../k8s/resource-kind";
import { replicaSetStrategy } from "./apps-v1/replicaset";
import { eventStrategy } from "./core-v1/event";
import { namespaceStrategy } from "./core-v1/namespace";
import { podStrategy } from "./core-v1/pod";
import { virtualMachineStrategy } from "./kubevirt-v1/virtualmachine";
import type { KindStrategy } from "./meta";
import { buildOpenApiGroupVersion, buildOpenApiRoot, openApiHash } from "./openapi";

type Json = Record<string, unknown>;

function kind(strategy: KindStrategy, group: string, k: string, plural: string, namespaced = true, extra: Partial<ResourceKind> = {}): ResourceKind {
  return {
    group,
    version: "v1",
    kind: k,
    listKind: `${k}List`,
    plural,
    singular: k.toLowerCase(),
    shortNames: [],
    categories: [],
    namespaced,
    schema: strategy.schema,
    applyDefaults: strategy.applyDefaults,
    validate: strategy.validate,
    printer: { columns: [], cells: () => [] },
    fieldSelectors: {},
    ...extra,
  };
}

const CORE = [
  kind(namespaceStrategy, "", "Namespace", "namespaces", false),
  kind(podStrategy, "", "Pod", "pods"),
  kind(eventStrategy, "", "Event", "events"),
];

function obj(v: unknown): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error(`not an object: ${JSON.stringify(v)}`);
  return v as Json;
}

/** Follows `$ref` and single-element `allOf` wrappers, as kubectl explain does. */
function resolve(doc: Json, node: unknown): Json {
  let n = obj(node);
  for (let i = 0; i < 10; i++) {
    const ref = n["$ref"];
    const allOf = n["allOf"];
    if (typeof ref === "string") {
      n = obj(obj(obj(doc["components"])["schemas"])[ref.replace("#/components/schemas/", "")]);
    } else if (Array.isArray(allOf) && allOf.length === 1) {
      n = obj(allOf[0]);
    } else {
      return n;
    }
  }
  throw new Error("reference loop");
}

function prop(doc: Json, node: unknown, name: string): Json {
  return obj(obj(resolve(doc, node)["properties"])[name]);
}

describe("buildOpenApiGroupVersion", () => {
  const doc = buildOpenApiGroupVersion(CORE);
  const schemas = obj(obj(doc["components"])["schemas"]);

  it("names components like upstream and tags kinds with their GVK and a description", () => {
    const pod = obj(schemas["io.k8s.api.core.v1.Pod"]);
    expect(pod["x-kubernetes-group-version-kind"]).toEqual([{ group: "", version: "v1", kind: "Pod" }]);
    expect(pod["description"]).toMatch(/^Pod is a collection of containers/);
    expect(obj(schemas["io.k8s.api.core.v1.Namespace"])["x-kubernetes-group-version-kind"]).toEqual([
      { group: "", version: "v1", kind: "Namespace" },
    ]);
    expect(obj(schemas["io.k8s.api.core.v1.PodList"])["x-kubernetes-group-version-kind"]).toEqual([
      { group: "", version: "v1", kind: "PodList" },
    ]);
  });

  it("resolves pod.spec.containers.items to a Container with name and image (kubectl explain)", () => {
    const spec = prop(doc, schemas["io.k8s.api.core.v1.Pod"], "spec");
    const containers = prop(doc, spec, "containers");
    expect(containers["type"]).toBe("array");
    expect(containers["description"]).toMatch(/at least one/);
    const container = resolve(doc, containers["items"]);
    const props = obj(container["properties"]);
    expect(Object.keys(props)).toEqual(expect.arrayContaining(["name", "image", "ports", "env", "resources"]));
    expect(obj(props["image"])["description"]).toBe("Container image name.");
    expect(container["required"]).toEqual(["name"]);
  });

  it("emits only local component references, all of which exist", () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]*"/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    for (const r of refs) {
      const id = r.slice('"$ref":"#/components/schemas/'.length, -1);
      expect(r.startsWith('"$ref":"#/components/schemas/')).toBe(true);
      expect(schemas[id], id).toBeDefined();
    }
    expect(JSON.stringify(doc)).not.toContain('"additionalProperties":false');
  });

  it("gives every PATCH a GVK and a fieldValidation parameter, without strategic merge patch", () => {
    const paths = obj(doc["paths"]);
    const item = obj(paths["/api/v1/namespaces/{namespace}/pods/{name}"]);
    const patch = obj(item["patch"]);
    expect(patch["x-kubernetes-group-version-kind"]).toEqual({ group: "", version: "v1", kind: "Pod" });
    expect(patch["x-kubernetes-action"]).toBe("patch");
    const names = (patch["parameters"] as Json[]).filter((p) => p["in"] === "query").map((p) => p["name"]);
    expect(names).toContain("fieldValidation");
    const types = Object.keys(obj(obj(patch["requestBody"])["content"]));
    expect(types).toEqual(["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"]);
    let patches = 0;
    for (const p of Object.values(paths)) {
      const op = obj(p)["patch"];
      if (op === undefined) continue;
      patches++;
      expect((obj(op)["parameters"] as Json[]).some((q) => q["name"] === "fieldValidation" && q["in"] === "query")).toBe(true);
      expect(obj(op)["x-kubernetes-group-version-kind"]).toBeDefined();
    }
    // pods, pods/status, namespaces, namespaces/status, events (which has no status subresource).
    expect(patches).toBe(5);
  });

  it("has namespaced, all-namespaces and cluster-scoped paths", () => {
    expect(Object.keys(obj(doc["paths"])).sort()).toEqual([
      "/api/v1/events",
      "/api/v1/namespaces",
      "/api/v1/namespaces/{namespace}/events",
      "/api/v1/namespaces/{namespace}/events/{name}",
      "/api/v1/namespaces/{namespace}/pods",
      "/api/v1/namespaces/{namespace}/pods/{name}",
      "/api/v1/namespaces/{namespace}/pods/{name}/status",
      "/api/v1/namespaces/{name}",
      "/api/v1/namespaces/{name}/status",
      "/api/v1/pods",
    ]);
    const create = obj(obj(obj(doc["paths"])["/api/v1/namespaces/{namespace}/pods"])["post"]);
    expect(create["x-kubernetes-group-version-kind"]).toEqual({ group: "", version: "v1", kind: "Pod" });
    expect((create["parameters"] as Json[]).map((p) => p["name"])).toContain("fieldValidation");
  });

  it("adds a scale path for kinds with a scale subresource and describes KubeVirt kinds", () => {
    const scale = { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: ".status.labelSelector" };
    const apps = buildOpenApiGroupVersion([kind(replicaSetStrategy, "apps", "ReplicaSet", "replicasets", true, { scale })]);
    const scalePatch = obj(obj(obj(apps["paths"])["/apis/apps/v1/namespaces/{namespace}/replicasets/{name}/scale"])["patch"]);
    expect(scalePatch["x-kubernetes-group-version-kind"]).toEqual({ group: "autoscaling", version: "v1", kind: "Scale" });
    const rsSpec = prop(apps, obj(obj(apps["components"])["schemas"])["io.k8s.api.apps.v1.ReplicaSet"], "spec");
    expect(prop(apps, rsSpec, "replicas")["description"]).toMatch(/Defaults to 1/);

    const kv = buildOpenApiGroupVersion([kind(virtualMachineStrategy, "kubevirt.io", "VirtualMachine", "virtualmachines")]);
    const vm = obj(obj(obj(kv["components"])["schemas"])["io.kubevirt.v1.VirtualMachine"]);
    expect(vm["x-kubernetes-group-version-kind"]).toEqual([{ group: "kubevirt.io", version: "v1", kind: "VirtualMachine" }]);
    expect(prop(kv, prop(kv, vm, "spec"), "runStrategy")["description"]).toMatch(/RerunOnFailure/);
    expect(Object.keys(obj(kv["paths"]))).toContain("/apis/kubevirt.io/v1/namespaces/{namespace}/virtualmachines/{name}");
  });
});

describe("buildOpenApiRoot and openApiHash", () => {
  it("lists each group-version's document URL with its hash", () => {
    const core = buildOpenApiGroupVersion(CORE);
    const root = buildOpenApiRoot(["v1", "apps/v1", "kubevirt.io/v1"], { v1: core });
    const paths = obj(root["paths"]);
    expect(Object.keys(paths)).toEqual(["api/v1", "apis/apps/v1", "apis/kubevirt.io/v1"]);
    expect(obj(paths["api/v1"])["serverRelativeURL"]).toBe(`/openapi/v3/api/v1?hash=${openApiHash(core)}`);
    expect(obj(paths["apis/apps/v1"])["serverRelativeURL"]).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{32}$/);
  });

  it("is stable under key order and changes with content", () => {
    expect(openApiHash({ a: 1, b: [1, { c: 2, d: 3 }] })).toBe(openApiHash({ b: [1, { d: 3, c: 2 }], a: 1 }));
    expect(openApiHash({ a: 1 })).not.toBe(openApiHash({ a: 2 }));
    expect(openApiHash(buildOpenApiGroupVersion(CORE))).toBe(openApiHash(buildOpenApiGroupVersion(CORE)));
  });
});
