import { describe, expect, it } from "vitest";
import type { StatusCause } from "../k8s/errors";
import type { KubeObject } from "../k8s/object";
import { decodeObject } from "./decode";
import { virtualMachineStrategy } from "./kubevirt-v1/virtualmachine";
import { virtualMachineInstanceStrategy } from "./kubevirt-v1/virtualmachineinstance";
import { virtualMachineInstanceReplicaSetStrategy } from "./kubevirt-v1/vmirs";
import type { KindStrategy } from "./meta";

function admit(strategy: KindStrategy, kind: string, spec: unknown): { obj: KubeObject; causes: StatusCause[] } {
  const obj = decodeObject(
    { apiVersion: "kubevirt.io/v1", kind, metadata: { name: "x", namespace: "default" }, spec },
    { schema: strategy.schema, kind, group: "kubevirt.io", version: "v1" },
    { strict: true },
  );
  strategy.applyDefaults(obj);
  return { obj, causes: strategy.validate(obj) };
}

const vmi = (spec: unknown) => admit(virtualMachineInstanceStrategy, "VirtualMachineInstance", spec);
const vm = (spec: unknown) => admit(virtualMachineStrategy, "VirtualMachine", spec);
const vmirs = (spec: unknown) => admit(virtualMachineInstanceReplicaSetStrategy, "VirtualMachineInstanceReplicaSet", spec);

const DISK = { name: "containerdisk", disk: { bus: "virtio" } };
const VOLUME = { name: "containerdisk", containerDisk: { image: "quay.io/kubevirt/cirros-container-disk-demo:v1" } };
const VMI_SPEC = {
  domain: { resources: { requests: { memory: "128Mi" } }, devices: { disks: [DISK] } },
  volumes: [VOLUME],
};

describe("VirtualMachineInstance", () => {
  it("gets the mutating webhook's defaults", () => {
    const { obj, causes } = vmi({
      ...VMI_SPEC,
      domain: { ...VMI_SPEC.domain, resources: { requests: { memory: "128Mi" }, limits: { cpu: "1500m" } } },
      volumes: [VOLUME, { name: "cloudinit", cloudInitNoCloud: { userData: "#cloud-config" } }],
    });
    expect(causes).toEqual([]);
    const spec = obj.spec as { domain: { firmware: { uuid: string } } };
    expect(spec.domain.firmware.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(obj.spec).toEqual({
      architecture: "amd64",
      domain: {
        machine: { type: "q35" },
        resources: { requests: { memory: "128Mi", cpu: "1500m" }, limits: { cpu: "1500m" } },
        memory: { guest: "128Mi" },
        cpu: { sockets: 2, cores: 1, threads: 1, model: "host-model" },
        firmware: { uuid: spec.domain.firmware.uuid },
        features: {},
        devices: {
          disks: [DISK, { name: "cloudinit", disk: { bus: "sata" } }],
          interfaces: [{ name: "default", bridge: {} }],
        },
      },
      networks: [{ name: "default", pod: {} }],
      volumes: [
        { ...VOLUME, containerDisk: { ...VOLUME.containerDisk, imagePullPolicy: "IfNotPresent" } },
        { name: "cloudinit", cloudInitNoCloud: { userData: "#cloud-config" } },
      ],
    });
  });

  it("takes guest memory from the limit and keeps a given topology", () => {
    const { obj } = vmi({ ...VMI_SPEC, domain: { resources: { limits: { memory: "1Gi" } }, cpu: { cores: 2 }, devices: {} } });
    expect(obj.spec).toMatchObject({ domain: { memory: { guest: "1Gi" }, cpu: { cores: 2 } } });
    expect((obj.spec as { domain: { cpu: Record<string, unknown> } }).domain.cpu["sockets"]).toBeUndefined();
  });

  const cases: { name: string; spec: unknown; causes: StatusCause[] }[] = [
    {
      name: "no memory at all",
      spec: { domain: { devices: {} } },
      causes: [
        {
          reason: "FieldValueRequired",
          message:
            "no memory requested, at least one of 'spec.domain.memory.guest', 'spec.domain.memory.hugepages.pageSize' or 'spec.domain.resources.requests.memory' must be set",
        },
      ],
    },
    {
      name: "guest memory above the limit",
      spec: { domain: { memory: { guest: "2Gi" }, resources: { limits: { memory: "1Gi" } }, devices: {} } },
      causes: [
        {
          reason: "FieldValueInvalid",
          message: "spec.domain.memory.guest '2Gi' must be equal to or less than the memory limit spec.domain.resources.limits.memory '1Gi'",
          field: "spec.domain.memory.guest",
        },
      ],
    },
    {
      name: "a disk without a volume and an interface without a network",
      spec: {
        domain: { resources: { requests: { memory: "64Mi" } }, devices: { disks: [{ name: "gone" }], interfaces: [{ name: "nic", bridge: {} }] } },
      },
      causes: [
        {
          reason: "FieldValueInvalid",
          message: "spec.domain.devices.interfaces[0].name 'nic' not found.",
          field: "spec.domain.devices.interfaces[0].name",
        },
        { reason: "FieldValueInvalid", message: "spec.domain.devices.disks[0].Name 'gone' not found.", field: "spec.domain.devices.disks[0].name" },
      ],
    },
    {
      name: "a hostname that is not a DNS label and an unknown architecture",
      spec: { ...VMI_SPEC, hostname: "My_Host", architecture: "riscv64" },
      causes: [
        {
          reason: "FieldValueInvalid",
          message:
            "spec.hostname does not conform to the kubernetes DNS_LABEL rules : a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
          field: "spec.hostname",
        },
        { reason: "FieldValueInvalid", message: "unsupported architecture: riscv64", field: "spec.architecture" },
      ],
    },
    {
      name: "two volumes with one name",
      spec: { ...VMI_SPEC, volumes: [VOLUME, { name: "containerdisk", emptyDisk: { capacity: "1Gi" } }] },
      causes: [
        {
          reason: "FieldValueInvalid",
          message: "spec.volumes[1] and spec.volumes[0] must not have the same Name.",
          field: "spec.volumes[1].name",
        },
      ],
    },
  ];

  it.each(cases)("rejects $name", ({ spec, causes }) => {
    expect(vmi(spec).causes).toEqual(causes);
  });

  it("makes the spec immutable, except the grace period the stop verb sets", () => {
    const old = vmi(VMI_SPEC).obj;
    const next = structuredClone(old);
    (next.spec as Record<string, unknown>)["terminationGracePeriodSeconds"] = 0;
    next.status = { phase: "Running" };
    expect(virtualMachineInstanceStrategy.validate(next, old)).toEqual([]);
    (next.spec as { domain: { cpu: { sockets: number } } }).domain.cpu.sockets = 4;
    expect(virtualMachineInstanceStrategy.validate(next, old)).toEqual([
      { reason: "FieldValueNotSupported", message: "update of VMI object is restricted" },
    ]);
  });
});

describe("VirtualMachine", () => {
  const template = { metadata: { labels: { kubevirt: "vm" } }, spec: VMI_SPEC };

  it("accepts runStrategy, defaults only the template's architecture and machine type", () => {
    const { obj, causes } = vm({ runStrategy: "Always", template });
    expect(causes).toEqual([]);
    expect(obj.spec).toEqual({
      runStrategy: "Always",
      template: { ...template, spec: { ...VMI_SPEC, architecture: "amd64", domain: { ...VMI_SPEC.domain, machine: { type: "q35" } } } },
    });
  });

  it.each([
    [
      { running: true, runStrategy: "Always", template },
      "Running and RunStrategy are mutually exclusive. Note that Running is deprecated, please use RunStrategy instead",
      "spec.running",
    ],
    [{ template }, "RunStrategy must be specified", "spec.running"],
    [{ runStrategy: "Sometimes", template }, "Invalid RunStrategy (Sometimes)", "spec.runStrategy"],
  ])("rejects %j", (spec, message, field) => {
    expect(vm(spec).causes).toEqual([{ reason: "FieldValueInvalid", message, field }]);
  });

  it("validates the template as a VMI spec, but does not require memory there", () => {
    const spec = { running: false, template: { spec: { domain: { devices: { disks: [{ name: "nope" }] } } } } };
    expect(vm(spec).causes).toEqual([
      {
        reason: "FieldValueInvalid",
        message: "spec.template.spec.domain.devices.disks[0].Name 'nope' not found.",
        field: "spec.template.spec.domain.devices.disks[0].name",
      },
    ]);
  });
});

describe("VirtualMachineInstanceReplicaSet", () => {
  const template = { metadata: { labels: { app: "db" } }, spec: VMI_SPEC };

  it("defaults replicas to 1 and keeps paused", () => {
    const { obj, causes } = vmirs({ selector: { matchLabels: { app: "db" } }, template, paused: true });
    expect(causes).toEqual([]);
    expect(obj.spec).toEqual({ replicas: 1, selector: { matchLabels: { app: "db" } }, template, paused: true });
  });

  it.each([
    [{ selector: { matchLabels: { app: "web" } }, template }, [{ reason: "FieldValueInvalid", message: "selector does not match labels.", field: "spec.selector" }]],
    [
      { replicas: -1, selector: { matchLabels: { app: "db" } }, template },
      [{ reason: "FieldValueInvalid", message: "Invalid value: -1: must be greater than or equal to 0", field: "spec.replicas" }],
    ],
    [
      { selector: { matchExpressions: [{ key: "app", operator: "Near" }] }, template },
      [{ reason: "FieldValueInvalid", message: '"Near" is not a valid label selector operator', field: "spec.selector" }],
    ],
  ])("rejects %j", (spec, causes) => {
    expect(vmirs(spec).causes).toEqual(causes);
  });
});
