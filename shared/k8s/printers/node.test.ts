import { describe, expect, it } from "vitest";
import type { KubeObject } from "../object";
import { findNodeRoles, nodePrinter } from "./node";

const NOW = new Date("2025-01-03T00:00:00Z");

function node(labels: Record<string, string>, spec: Record<string, unknown>, status: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "node-1", creationTimestamp: "2025-01-01T00:00:00Z", labels },
    spec,
    status,
  };
}

const nodeInfo = {
  kubeletVersion: "v1.32.4",
  osImage: "Debian GNU/Linux 12 (bookworm)",
  kernelVersion: "6.1.0-18-amd64",
  containerRuntimeVersion: "containerd://1.7.13",
};

describe("nodePrinter", () => {
  it("has upstream's columns", () => {
    expect(nodePrinter.columns.map((c) => `${c.name}:${c.priority}`)).toEqual([
      "Name:0",
      "Status:0",
      "Roles:0",
      "Age:0",
      "Version:0",
      "Internal-IP:1",
      "External-IP:1",
      "OS-Image:1",
      "Kernel-Version:1",
      "Container-Runtime:1",
    ]);
  });

  it.each<[string, KubeObject, unknown[]]>([
    [
      "ready control-plane node",
      node(
        { "node-role.kubernetes.io/control-plane": "", "kubernetes.io/hostname": "node-1" },
        {},
        {
          conditions: [
            { type: "MemoryPressure", status: "False" },
            { type: "Ready", status: "True" },
          ],
          addresses: [
            { type: "Hostname", address: "node-1" },
            { type: "InternalIP", address: "192.168.1.10" },
            { type: "ExternalIP", address: "203.0.113.7" },
            { type: "InternalIP", address: "192.168.1.11" },
          ],
          nodeInfo,
        },
      ),
      ["node-1", "Ready", "control-plane", "2d", "v1.32.4", "192.168.1.10", "203.0.113.7", nodeInfo.osImage, nodeInfo.kernelVersion, nodeInfo.containerRuntimeVersion],
    ],
    [
      "NotReady and cordoned, nothing reported",
      node({}, { unschedulable: true }, { conditions: [{ type: "Ready", status: "False", reason: "KubeletNotReady" }] }),
      ["node-1", "NotReady,SchedulingDisabled", "<none>", "2d", "", "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"],
    ],
    [
      "Ready condition Unknown reads NotReady",
      node({}, {}, { conditions: [{ type: "Ready", status: "Unknown", reason: "NodeStatusUnknown" }], nodeInfo }),
      ["node-1", "NotReady", "<none>", "2d", "v1.32.4", "<none>", "<none>", nodeInfo.osImage, nodeInfo.kernelVersion, nodeInfo.containerRuntimeVersion],
    ],
    [
      "no Ready condition at all",
      node({}, { unschedulable: false }, {}),
      ["node-1", "Unknown", "<none>", "2d", "", "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"],
    ],
    [
      "the last Ready condition wins",
      node({}, {}, { conditions: [{ type: "Ready", status: "False" }, { type: "Ready", status: "True" }] }),
      ["node-1", "Ready", "<none>", "2d", "", "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"],
    ],
  ])("%s", (_name, obj, want) => {
    expect(nodePrinter.cells(obj, NOW)).toEqual(want);
  });
});

describe("findNodeRoles", () => {
  it("collects node-role.kubernetes.io/* keys and kubernetes.io/role values, sorted and unique", () => {
    expect(
      findNodeRoles({
        "node-role.kubernetes.io/worker": "",
        "node-role.kubernetes.io/control-plane": "true",
        "node-role.kubernetes.io/": "",
        "kubernetes.io/role": "master",
        "node-role.kubernetes.io/master": "",
        "example.com/role": "ignored",
      }),
    ).toEqual(["control-plane", "master", "worker"]);
  });

  it.each([undefined, null, "x", { "kubernetes.io/role": "" }])("finds none in %j", (labels) => {
    expect(findNodeRoles(labels)).toEqual([]);
  });
});
