import { describe, expect, it } from "vitest";
import { resourceQuotaPrinter } from "./resourcequota";

describe("resourceQuotaPrinter", () => {
  it("prints NAME, AGE, REQUEST and LIMIT as printResourceQuota", () => {
    expect(resourceQuotaPrinter.columns.map((c) => c.name)).toEqual(["Name", "Age", "Request", "Limit"]);
    const rq = {
      apiVersion: "v1", kind: "ResourceQuota",
      metadata: { name: "q", creationTimestamp: "2026-01-01T00:00:00Z" },
      status: {
        hard: { pods: "2", "requests.memory": "1Gi", "limits.cpu": "2", "count/replicasets.apps": "5" },
        used: { pods: "1", "requests.memory": "512Mi", "limits.cpu": "500m" },
      },
    };
    expect(resourceQuotaPrinter.cells(rq, new Date("2026-01-01T00:05:00Z"))).toEqual([
      "q", "5m", "count/replicasets.apps: 0/5, pods: 1/2, requests.memory: 512Mi/1Gi", "limits.cpu: 500m/2",
    ]);
  });
});
