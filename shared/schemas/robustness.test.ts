import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ApiError } from "../k8s/errors";
import { replicaSetStrategy } from "./apps-v1/replicaset";
import { eventStrategy } from "./core-v1/event";
import { namespaceStrategy } from "./core-v1/namespace";
import { nodeStrategy } from "./core-v1/node";
import { podStrategy } from "./core-v1/pod";
import { decodeObject } from "./decode";
import { virtualMachineStrategy } from "./kubevirt-v1/virtualmachine";
import { virtualMachineInstanceStrategy } from "./kubevirt-v1/virtualmachineinstance";
import { virtualMachineInstanceReplicaSetStrategy } from "./kubevirt-v1/vmirs";
import type { KindStrategy } from "./meta";

type Path = (string | number)[];

/** Every path in a JSON value (objects and arrays included), so mutations can land anywhere. */
function paths(v: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (typeof v === "object" && v !== null) for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

/** Sets `value` at `path`; a path an earlier mutation removed leaves the value unchanged. */
function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy: unknown = structuredClone(root);
  let cur: unknown = copy;
  for (const seg of path.slice(0, -1)) {
    if (typeof cur !== "object" || cur === null) return copy;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  const last = path[path.length - 1];
  if (typeof cur === "object" && cur !== null && last !== undefined) (cur as Record<string | number, unknown>)[last] = value;
  return copy;
}

const VMI_SPEC = {
  domain: { resources: { requests: { memory: "64Mi", cpu: "1" } }, memory: { hugepages: { pageSize: "2Mi" } }, devices: { disks: [{ name: "d" }] } },
  volumes: [{ name: "d", containerDisk: { image: "img" } }],
};
const POD_SPEC = {
  containers: [{ name: "a", image: "i", ports: [{ containerPort: 80 }], resources: { limits: { cpu: "1" } }, env: [{ name: "E" }] }],
  tolerations: [{ key: "k", operator: "Exists" }],
  volumes: [{ name: "v", emptyDir: {} }],
};
const META = { name: "x", namespace: "default", labels: { app: "x" } };

const KINDS: [string, string, KindStrategy, unknown][] = [
  ["v1", "Pod", podStrategy, { metadata: META, spec: POD_SPEC }],
  ["v1", "Namespace", namespaceStrategy, { metadata: { name: "x" }, spec: { finalizers: ["kubernetes"] } }],
  ["v1", "Node", nodeStrategy, { metadata: { name: "n" }, spec: { taints: [{ key: "k", effect: "NoSchedule" }] }, status: { capacity: { cpu: "1" } } }],
  ["v1", "Event", eventStrategy, { metadata: META, involvedObject: { namespace: "default" }, reason: "R", count: 1 }],
  ["apps/v1", "ReplicaSet", replicaSetStrategy, { metadata: META, spec: { selector: { matchLabels: { app: "x" } }, template: { metadata: { labels: { app: "x" } }, spec: POD_SPEC } } }],
  ["kubevirt.io/v1", "VirtualMachineInstance", virtualMachineInstanceStrategy, { metadata: META, spec: VMI_SPEC }],
  ["kubevirt.io/v1", "VirtualMachine", virtualMachineStrategy, { metadata: META, spec: { runStrategy: "Always", template: { spec: VMI_SPEC } } }],
  [
    "kubevirt.io/v1",
    "VirtualMachineInstanceReplicaSet",
    virtualMachineInstanceReplicaSetStrategy,
    { metadata: META, spec: { selector: { matchLabels: { app: "x" } }, template: { metadata: { labels: { app: "x" } }, spec: VMI_SPEC } } },
  ],
];

describe("no input makes decode, defaults or validate throw anything but an ApiError", () => {
  it.each(KINDS)("%s %s", (apiVersion, kind, strategy, base) => {
    const group = apiVersion.includes("/") ? apiVersion.split("/")[0] ?? "" : "";
    const target = { schema: strategy.schema, kind, group, version: "v1" };
    const body = { apiVersion, kind, ...(base as object) };
    const old = decodeObject(body, target, { strict: true });
    strategy.applyDefaults(old);
    expect(strategy.validate(old)).toEqual([]);
    const mutation = fc.tuple(fc.constantFrom(...paths(body)), fc.jsonValue({ maxDepth: 2 }));
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean(), (mutations, strict) => {
        const input = mutations.reduce<unknown>((acc, [p, v]) => setAt(acc, p, v), body);
        try {
          const obj = decodeObject(input, target, { strict });
          strategy.applyDefaults(obj);
          expect(Array.isArray(strategy.validate(obj))).toBe(true);
          expect(Array.isArray(strategy.validate(obj, old))).toBe(true);
        } catch (e) {
          if (!(e instanceof ApiError)) throw e;
        }
      }),
      { numRuns: 300 },
    );
  });
});
