import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../../shared/k8s/object";
import { vm } from "../shared/test-fixtures";
import { setupVMIFromVM } from "./vm-vmi-template";

describe("setupVMIFromVM", () => {
  it("names the VMI after the VM and makes the VM its controller", () => {
    const theVM = vm({ runStrategy: "Always", generation: 4 });
    ((theVM.spec as JsonObject).template as JsonObject).metadata = {
      generateName: "dropped-",
      labels: { kubevirt: "vm1" },
      annotations: { note: "x" },
      finalizers: ["keep"],
    };
    expect(setupVMIFromVM(theVM)).toEqual({
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachineInstance",
      metadata: {
        name: "vm1",
        namespace: "default",
        labels: { kubevirt: "vm1" },
        annotations: { note: "x", "kubevirt.io/vm-generation": "4" },
        finalizers: ["keep", "kubevirt.io/virtualMachineControllerFinalize"],
        ownerReferences: [{ apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", name: "vm1", uid: "uid-vm1", controller: true, blockOwnerDeletion: true }],
      },
      spec: { domain: { devices: {} } },
    });
  });

  it("starts paused for a paused Start request only", () => {
    const paused = vm({ runStrategy: "Manual", status: { stateChangeRequests: [{ action: "Start", data: { paused: "true" } }] } });
    expect((setupVMIFromVM(paused).spec as JsonObject).startStrategy).toBe("Paused");
    const plain = vm({ runStrategy: "Manual", status: { stateChangeRequests: [{ action: "Start", data: { paused: "false" } }] } });
    expect(setupVMIFromVM(plain).spec).not.toHaveProperty("startStrategy");
  });

  it("does not alias the VM's template", () => {
    const theVM = vm();
    const created = setupVMIFromVM(theVM);
    created.metadata.labels = { changed: "yes" };
    (created.spec as JsonObject).domain = {};
    expect((theVM.spec as JsonObject).template).toEqual({
      metadata: { labels: { kubevirt: "vm1" }, annotations: { note: "x" } },
      spec: { domain: { devices: {} } },
    });
  });
});
