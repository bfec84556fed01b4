import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../../shared/k8s/object";
import { getPodFromTemplate, getPodsPrefix, getVirtualMachineBaseName, getVMIFromTemplate } from "./child-templates";
import { replicaSet, vmirs } from "../shared/test-fixtures";

describe("getPodFromTemplate", () => {
  it("copies labels, annotations, finalizers and spec; sets generateName and the controller ref", () => {
    const rs = replicaSet("web");
    (rs.spec as JsonObject).template = {
      metadata: { labels: { app: "web" }, annotations: { a: "1" }, finalizers: ["f"], name: "ignored" },
      spec: { containers: [{ name: "c", image: "nginx" }] },
    };
    const p = getPodFromTemplate(rs);
    expect(p).toEqual({
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        generateName: "web-",
        namespace: "default",
        labels: { app: "web" },
        annotations: { a: "1" },
        finalizers: ["f"],
        ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: "uid-web", controller: true, blockOwnerDeletion: true }],
      },
      spec: { containers: [{ name: "c", image: "nginx" }] },
    });
    // A copy, not a view: the template stays untouched.
    (p.spec as JsonObject).containers = [];
    expect(((rs.spec as JsonObject).template as JsonObject).spec).toEqual({ containers: [{ name: "c", image: "nginx" }] });
  });

  it("drops the dash when the prefix would exceed 253 characters", () => {
    expect(getPodsPrefix("a".repeat(252))).toBe(`${"a".repeat(252)}-`);
    expect(getPodsPrefix("a".repeat(253))).toBe("a".repeat(253));
  });
});

describe("getVMIFromTemplate (VMIRS scale)", () => {
  it.each<[string, JsonObject, string]>([
    ["template name wins", { name: "tpl", generateName: "gen-", labels: { app: "web" } }, "tpl"],
    ["then template generateName", { generateName: "gen-", labels: { app: "web" } }, "gen-"],
    ["then the set's name, without a dash", { labels: { app: "web" } }, "set"],
  ])("%s", (_n, templateMeta, base) => {
    const rs = vmirs("set", { templateMeta });
    expect(getVirtualMachineBaseName(rs)).toBe(base);
    const v = getVMIFromTemplate(rs);
    expect(v.metadata).toEqual({
      generateName: base,
      labels: { app: "web" },
      namespace: "default",
      ownerReferences: [
        { apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceReplicaSet", name: "set", uid: "uid-set", controller: true, blockOwnerDeletion: true },
      ],
    });
    expect([v.apiVersion, v.kind, v.spec]).toEqual(["kubevirt.io/v1", "VirtualMachineInstance", { domain: { devices: {} } }]);
  });
});
