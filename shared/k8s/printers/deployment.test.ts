import { describe, expect, it } from "vitest";
import type { KubeObject } from "../object";
import { deploymentPrinter } from "./deployment";

const NOW = new Date("2025-01-01T00:03:20Z");

describe("deploymentPrinter", () => {
  it("has upstream's columns: NAME READY UP-TO-DATE AVAILABLE AGE, wide CONTAINERS IMAGES SELECTOR", () => {
    expect(deploymentPrinter.columns.map((c) => [c.name, c.priority])).toEqual([
      ["Name", 0], ["Ready", 0], ["Up-to-date", 0], ["Available", 0], ["Age", 0],
      ["Containers", 1], ["Images", 1], ["Selector", 1],
    ]);
  });

  it("prints ready/desired, updated and available", () => {
    const d: KubeObject = {
      apiVersion: "apps/v1", kind: "Deployment",
      metadata: { name: "web", creationTimestamp: "2025-01-01T00:00:00Z" },
      spec: {
        replicas: 3, selector: { matchLabels: { app: "web" } },
        template: { spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] } },
      },
      status: { replicas: 4, updatedReplicas: 2, readyReplicas: 3, availableReplicas: 3 },
    };
    expect(deploymentPrinter.cells(d, NOW)).toEqual(["web", "3/3", 2, 3, "3m20s", "nginx", "nginx:1.27", "app=web"]);
  });

  it("counts an unset spec.replicas as 1 and an empty status as 0", () => {
    const d: KubeObject = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x", creationTimestamp: "2025-01-01T00:03:00Z" }, spec: {} };
    expect(deploymentPrinter.cells(d, NOW).slice(0, 4)).toEqual(["x", "0/1", 0, 0]);
  });
});
