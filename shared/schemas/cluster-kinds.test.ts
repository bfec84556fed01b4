import { describe, expect, it } from "vitest";
import type { StatusCause } from "../k8s/errors";
import type { KubeObject } from "../k8s/object";
import { eventStrategy } from "./core-v1/event";
import { namespaceStrategy } from "./core-v1/namespace";
import { nodeStrategy } from "./core-v1/node";
import { decodeObject } from "./decode";
import type { KindStrategy } from "./meta";

function admit(strategy: KindStrategy, kind: string, body: Record<string, unknown>): { obj: KubeObject; causes: StatusCause[] } {
  const obj = decodeObject({ apiVersion: "v1", kind, ...body }, { schema: strategy.schema, kind, group: "", version: "v1" }, { strict: true });
  strategy.applyDefaults(obj);
  return { obj, causes: strategy.validate(obj) };
}

describe("Namespace", () => {
  it("gets its name label, the kubernetes finalizer and the Active phase", () => {
    const { obj, causes } = admit(namespaceStrategy, "Namespace", { metadata: { name: "team-a", labels: { env: "dev" } } });
    expect(causes).toEqual([]);
    expect(obj).toEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "team-a", labels: { env: "dev", "kubernetes.io/metadata.name": "team-a" } },
      spec: { finalizers: ["kubernetes"] },
      status: { phase: "Active" },
    });
  });

  it.each([
    [{ name: "team.a" }, [{ reason: "FieldValueInvalid", message: 'Invalid value: "team.a": must not contain dots', field: "metadata.name" }]],
    [{ name: "a", namespace: "b" }, [{ reason: "FieldValueForbidden", message: "Forbidden: not allowed on this type", field: "metadata.namespace" }]],
  ])("rejects metadata %j", (metadata, causes) => {
    expect(admit(namespaceStrategy, "Namespace", { metadata }).causes).toEqual(causes);
  });
});

describe("Node", () => {
  const node = (spec: Record<string, unknown>, status?: Record<string, unknown>) =>
    admit(nodeStrategy, "Node", { metadata: { name: "host-1" }, spec, ...(status ? { status } : {}) });

  it("defaults allocatable to capacity and podCIDRs from podCIDR", () => {
    const { obj, causes } = node({ podCIDR: "10.0.1.0/24" }, { capacity: { cpu: "8", memory: "32Gi" } });
    expect(causes).toEqual([]);
    expect(obj.spec).toEqual({ podCIDR: "10.0.1.0/24", podCIDRs: ["10.0.1.0/24"] });
    expect(obj.status).toEqual({ capacity: { cpu: "8", memory: "32Gi" }, allocatable: { cpu: "8", memory: "32Gi" } });
  });

  it("validates taints", () => {
    const taint = { key: "dedicated", value: "gpu", effect: "NoSchedule" };
    expect(node({ taints: [taint, { ...taint, value: "other" }, { key: "x", effect: "Never" }, { key: "y" }] }).causes).toEqual([
      {
        reason: "FieldValueDuplicate",
        message: 'Duplicate value: {"key":"dedicated","value":"other","effect":"NoSchedule"}: taints must be unique by key and effect pair',
        field: "spec.taints[1]",
      },
      {
        reason: "FieldValueNotSupported",
        message: 'Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
        field: "spec.taints[2].effect",
      },
      { reason: "FieldValueRequired", message: "Required value", field: "spec.taints[3].effect" },
    ]);
  });

  it("keeps podCIDRs and providerID once set", () => {
    const old = node({ podCIDR: "10.0.1.0/24", providerID: "metal://a" }).obj;
    expect(nodeStrategy.validate(node({ podCIDR: "10.0.1.0/24", providerID: "metal://a", unschedulable: true }).obj, old)).toEqual([]);
    expect(nodeStrategy.validate(node({ podCIDR: "10.0.2.0/24", providerID: "metal://b" }).obj, old)).toEqual([
      { reason: "FieldValueForbidden", message: 'Forbidden: node updates may not change podCIDR except from "" to valid', field: "spec.podCIDRs" },
      { reason: "FieldValueForbidden", message: 'Forbidden: node updates may not change providerID except from "" to valid', field: "spec.providerID" },
    ]);
  });
});

describe("Event", () => {
  const event = (body: Record<string, unknown>) =>
    admit(eventStrategy, "Event", { metadata: { name: "web.17a", namespace: "default" }, ...body });

  it("accepts a kubelet-style event and keeps its fields", () => {
    const body = {
      involvedObject: { kind: "Pod", namespace: "default", name: "web", uid: "u1", apiVersion: "v1", fieldPath: "spec.containers{app}" },
      reason: "Pulled",
      message: "Container image pulled",
      source: { component: "kubelet", host: "host-1" },
      firstTimestamp: "2025-01-01T00:00:00Z",
      lastTimestamp: "2025-01-01T00:00:05Z",
      count: 2,
      type: "Normal",
    };
    const { obj, causes } = event(body);
    expect(causes).toEqual([]);
    expect(obj).toEqual({ apiVersion: "v1", kind: "Event", metadata: { name: "web.17a", namespace: "default" }, ...body });
  });

  it("rejects an involved object in another namespace", () => {
    expect(event({ involvedObject: { kind: "Pod", namespace: "other", name: "web" } }).causes).toEqual([
      { reason: "FieldValueInvalid", message: 'Invalid value: "other": does not match event.namespace', field: "involvedObject.namespace" },
    ]);
  });

  it("requires the reporting fields of events with an eventTime", () => {
    expect(event({ involvedObject: { namespace: "default" }, eventTime: "2025-01-01T00:00:00.000000Z" }).causes.map((c) => c.field)).toEqual([
      // Required, then IsQualifiedName's two complaints about "" (empty, and not matching the regex).
      "reportingComponent",
      "reportingComponent",
      "reportingComponent",
      "reportingInstance",
      "action",
      "reason",
    ]);
  });
});
