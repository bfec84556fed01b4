import { describe, expect, it } from "vitest";
import type { JsonObject } from "./object";
import { serverSideApply } from "./server-side-apply";
import { podPatchMeta } from "./strategic-merge-patch-meta";

const meta = podPatchMeta("spec");

const existing: JsonObject = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name: "web",
    uid: "u1",
    creationTimestamp: "2026-01-01T00:00:00Z",
    labels: { app: "web", owner: "other-manager" },
    finalizers: ["example.com/a"],
  },
  spec: {
    containers: [
      { name: "web", image: "nginx:1.25", env: [{ name: "A", value: "1" }], ports: [{ containerPort: 80 }] },
      { name: "sidecar", image: "busybox" },
    ],
    tolerations: [{ key: "a", operator: "Exists" }],
  },
  status: { phase: "Running" },
};

describe("serverSideApply", () => {
  it("returns the applied object when nothing exists (nulls dropped)", () => {
    const applied: JsonObject = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web", creationTimestamp: null },
      spec: { containers: [{ name: "web", image: "nginx", resources: { limits: null } }] },
    };
    expect(serverSideApply(undefined, applied, meta)).toEqual({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web" },
      spec: { containers: [{ name: "web", image: "nginx", resources: {} }] },
    });
  });

  it.each<[string, PatchMetaArg, JsonObject, JsonObject]>([
    ["merges maps and keeps fields the configuration omits", meta,
      { metadata: { name: "web", labels: { app: "web2" } }, spec: { containers: [{ name: "web", image: "nginx:1.26" }] } },
      {
        ...existing,
        metadata: { ...(existing.metadata as JsonObject), labels: { app: "web2", owner: "other-manager" } },
        spec: {
          ...(existing.spec as JsonObject),
          containers: [
            { name: "web", image: "nginx:1.26", env: [{ name: "A", value: "1" }], ports: [{ containerPort: 80 }] },
            { name: "sidecar", image: "busybox" },
          ],
        },
      }],
    ["merges nested lists by key and appends new elements", meta,
      { spec: { containers: [
        { name: "log", image: "fluent-bit" },
        { name: "web", env: [{ name: "B", value: "2" }, { name: "A", value: "3" }], ports: [{ containerPort: 443 }] },
      ] } },
      {
        ...existing,
        spec: {
          ...(existing.spec as JsonObject),
          containers: [
            { name: "web", image: "nginx:1.25", env: [{ name: "A", value: "3" }, { name: "B", value: "2" }],
              ports: [{ containerPort: 80 }, { containerPort: 443 }] },
            { name: "sidecar", image: "busybox" },
            { name: "log", image: "fluent-bit" },
          ],
        },
      }],
    ["unions a primitive merge list (finalizers)", meta,
      { metadata: { finalizers: ["example.com/b", "example.com/a"] } },
      { ...existing, metadata: { ...(existing.metadata as JsonObject), finalizers: ["example.com/a", "example.com/b"] } }],
    ["replaces lists without merge strategy", meta,
      { spec: { tolerations: [{ key: "b", operator: "Exists" }] } },
      { ...existing, spec: { ...(existing.spec as JsonObject), tolerations: [{ key: "b", operator: "Exists" }] } }],
    ["null is no opinion: the existing value stays", meta,
      { metadata: { creationTimestamp: null, labels: { owner: null } }, status: null },
      existing],
    ["a value of another type replaces", meta,
      { status: "x", spec: { tolerations: { key: "b" } } },
      { ...existing, status: "x", spec: { ...(existing.spec as JsonObject), tolerations: { key: "b" } } }],
    ["without meta every list is replaced", undefined,
      { spec: { containers: [{ name: "web", image: "nginx:1.26" }] } },
      { ...existing, spec: { ...(existing.spec as JsonObject), containers: [{ name: "web", image: "nginx:1.26" }] } }],
    ["elements without their merge key are appended", meta,
      { spec: { containers: [{ image: "anonymous" }] } },
      { ...existing, spec: { ...(existing.spec as JsonObject), containers: [
        ...((existing.spec as JsonObject).containers as JsonObject[]), { image: "anonymous" }] } }],
  ])("%s", (_name, kindMeta, applied, expected) => {
    const before = structuredClone([existing, applied]);
    expect(serverSideApply(existing, applied, kindMeta)).toEqual(expected);
    expect([existing, applied]).toEqual(before);
  });

  it("shares no structure with its inputs", () => {
    const applied: JsonObject = { spec: { containers: [{ name: "x", args: ["a"] }] } };
    const result = serverSideApply(existing, applied, meta) as { spec: { containers: { args?: string[] }[] } };
    result.spec.containers.forEach((c) => c.args?.push("z"));
    expect(applied).toEqual({ spec: { containers: [{ name: "x", args: ["a"] }] } });
    expect((existing.spec as JsonObject).containers).toEqual([
      { name: "web", image: "nginx:1.25", env: [{ name: "A", value: "1" }], ports: [{ containerPort: 80 }] },
      { name: "sidecar", image: "busybox" },
    ]);
  });
});

type PatchMetaArg = Parameters<typeof serverSideApply>[2];
