import { describe, expect, it } from "vitest";
import { difference, intersection, isEmptySet, printPaths, union, withoutSubtrees } from "./field-set";
import { appliedFields, compareObjects } from "./object-fields";
import type { JsonObject } from "./object";
import { podPatchMeta } from "./strategic-merge-patch-meta";

const meta = podPatchMeta("spec");

const pod: JsonObject = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", namespace: "default", uid: "u", resourceVersion: "3", labels: { app: "web" }, finalizers: ["a/b"] },
  spec: {
    containers: [{ name: "c", image: "nginx", ports: [{ containerPort: 80, protocol: "TCP" }], args: ["-v"] }],
    tolerations: [{ key: "k", operator: "Exists" }],
  },
  status: { phase: "Pending" },
};

describe("appliedFields (upstream's ToFieldSet)", () => {
  it("encodes fields, keyed elements, set values and atomic lists as FieldsV1; server metadata and status are not owned", () => {
    expect(appliedFields(pod, meta, "main")).toEqual({
      "f:metadata": { "f:labels": { "f:app": {} }, "f:finalizers": { 'v:"a/b"': {} } },
      "f:spec": {
        "f:containers": {
          'k:{"name":"c"}': {
            ".": {},
            "f:name": {},
            "f:image": {},
            "f:ports": { 'k:{"containerPort":80}': { ".": {}, "f:containerPort": {}, "f:protocol": {} } },
            "f:args": {},
          },
        },
        "f:tolerations": {},
      },
    });
  });

  it("owns only status for /status; empty maps and nulls are values of their own", () => {
    expect(appliedFields({ ...pod, status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }], hostIP: null, extra: {} } }, meta, "status"))
      .toEqual({ "f:status": { "f:phase": {}, "f:conditions": {}, "f:hostIP": {}, "f:extra": {} } });
  });

  it("keys and values are JSON, escaped where JSON must escape", () => {
    const fields = appliedFields({ metadata: { finalizers: ['a"b', "c\\d", "plain"] } }, meta, "main");
    expect(Object.keys((fields["f:metadata"] as JsonObject)["f:finalizers"] as JsonObject)).toEqual(['v:"a\\"b"', 'v:"c\\\\d"', 'v:"plain"']);
  });

  it("elements without their key are known by position", () => {
    expect(appliedFields({ spec: { containers: [{ image: "x" }] } }, meta, "main"))
      .toEqual({ "f:spec": { "f:containers": { "i:0": { ".": {}, "f:image": {} } } } });
  });
});

describe("compareObjects (upstream's Compare)", () => {
  it("a create adds every node, maps and elements as members (not the top-level maps, as upstream)", () => {
    const { changed, removed } = compareObjects(undefined, { metadata: { name: "x", labels: { a: "1" } }, spec: { containers: [{ name: "c" }] } }, meta, "main");
    expect(changed).toEqual({
      "f:metadata": { "f:labels": { ".": {}, "f:a": {} } },
      "f:spec": { "f:containers": { ".": {}, 'k:{"name":"c"}': { ".": {}, "f:name": {} } } },
    });
    expect(isEmptySet(removed)).toBe(true);
  });

  it("finds modified leaves, added and removed keyed elements and set values", () => {
    const after: JsonObject = structuredClone(pod);
    const spec = after.spec as { containers: JsonObject[] };
    spec.containers = [{ name: "c", image: "nginx:2", ports: [{ containerPort: 80, protocol: "TCP" }], args: ["-v"] }, { name: "d", image: "x" }];
    (after.metadata as JsonObject).finalizers = ["c/d"];
    (after.metadata as JsonObject).resourceVersion = "4";
    after.status = { phase: "Running" };
    const { changed, removed } = compareObjects(pod, after, meta, "main");
    expect(printPaths(changed)).toEqual([
      '.metadata.finalizers[="c/d"]',
      '.spec.containers[name="d"]',
      '.spec.containers[name="c"].image',
      '.spec.containers[name="d"].image',
      '.spec.containers[name="d"].name',
    ]);
    expect(removed).toEqual({ "f:metadata": { "f:finalizers": { 'v:"a/b"': {} } } });
  });

  it("a changed atomic list is one modified field; /status compares only status", () => {
    const after = { ...pod, spec: { ...(pod.spec as JsonObject), tolerations: [] }, status: { phase: "Running" } };
    expect(compareObjects(pod, after, meta, "main").changed).toEqual({ "f:spec": { "f:tolerations": {} } });
    expect(compareObjects(pod, after, meta, "status").changed).toEqual({ "f:status": { "f:phase": {} } });
  });
});

describe("set operations", () => {
  const a = { "f:spec": { "f:replicas": {}, "f:template": { ".": {}, "f:x": {} } } };
  const b = { "f:spec": { "f:template": {}, "f:paused": {} } };

  it("union, difference and intersection keep `.` for members with children", () => {
    expect(union(a, b)).toEqual({ "f:spec": { "f:replicas": {}, "f:template": { ".": {}, "f:x": {} }, "f:paused": {} } });
    expect(difference(a, b)).toEqual({ "f:spec": { "f:replicas": {}, "f:template": { "f:x": {} } } });
    expect(intersection(a, b)).toEqual({ "f:spec": { "f:template": {} } });
    expect(intersection(a, { "f:status": {} })).toEqual({});
  });

  it("withoutSubtrees drops everything at or below a removed node", () => {
    expect(withoutSubtrees(a, { "f:spec": { "f:template": {} } })).toEqual({ "f:spec": { "f:replicas": {} } });
    expect(withoutSubtrees(a, { "f:spec": {} })).toEqual({});
  });

  it("prints paths as upstream: members first, keys as name=value", () => {
    expect(printPaths({ "f:spec": { "f:template": { "f:ports": { 'k:{"containerPort":80,"protocol":"TCP"}': {} } }, "f:replicas": {} } }))
      .toEqual([".spec.replicas", '.spec.template.ports[containerPort=80,protocol="TCP"]']);
    expect(printPaths({ "f:list": { "i:2": {}, "i:10": {} } })).toEqual([".list[2]", ".list[10]"]);
  });
});
