import { describe, expect, it } from "vitest";
import type { KubeObject } from "../object";
import { templateWideCells } from "./pod-template-cells";
import { replicaSetPrinter } from "./replicaset";

const NOW = new Date("2025-01-01T00:03:20Z");

function rs(spec: unknown, status: unknown): KubeObject {
  return { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "web-7d9c", creationTimestamp: "2025-01-01T00:00:00Z" }, spec, status };
}

describe("replicaSetPrinter", () => {
  it("has upstream's columns with integer counts", () => {
    expect(replicaSetPrinter.columns.map((c) => [c.name, c.type, c.priority])).toEqual([
      ["Name", "string", 0],
      ["Desired", "integer", 0],
      ["Current", "integer", 0],
      ["Ready", "integer", 0],
      ["Age", "string", 0],
      ["Containers", "string", 1],
      ["Images", "string", 1],
      ["Selector", "string", 1],
    ]);
  });

  it.each<[string, KubeObject, unknown[]]>([
    [
      "scaled, partly ready",
      rs(
        {
          replicas: 3,
          selector: { matchLabels: { app: "web", "pod-template-hash": "7d9c" } },
          template: { spec: { containers: [{ name: "app", image: "nginx:1.27" }, { name: "log", image: "fluent-bit:3" }] } },
        },
        { replicas: 3, readyReplicas: 2, availableReplicas: 2 },
      ),
      ["web-7d9c", 3, 3, 2, "3m20s", "app,log", "nginx:1.27,fluent-bit:3", "app=web,pod-template-hash=7d9c"],
    ],
    [
      "scaled to zero",
      rs({ replicas: 0, selector: { matchLabels: { app: "web" } }, template: { spec: { containers: [{ name: "app", image: "nginx" }] } } }, { replicas: 0 }),
      ["web-7d9c", 0, 0, 0, "3m20s", "app", "nginx", "app=web"],
    ],
    ["unset replicas default to 1, no status or selector", rs({}, undefined), ["web-7d9c", 1, 0, 0, "3m20s", "", "", "<none>"]],
    [
      "invalid selector",
      rs({ replicas: 1, selector: { matchExpressions: [{ key: "app", operator: "Near", values: ["x"] }] } }, {}),
      ["web-7d9c", 1, 0, 0, "3m20s", "", "", "<error>"],
    ],
  ])("%s", (_name, obj, want) => {
    expect(replicaSetPrinter.cells(obj, NOW)).toEqual(want);
  });

  it("lays out containers with empty entries kept", () => {
    const owner = rs({ template: { spec: { containers: [{ name: "a", image: "x" }, { image: "y" }, "junk"] } } }, {});
    expect(templateWideCells(owner)).toEqual(["a,,", "x,y,", "<none>"]);
  });
});
