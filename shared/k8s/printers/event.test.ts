import { describe, expect, it } from "vitest";
import type { KubeObject } from "../object";
import { eventPrinter } from "./event";

const NOW = new Date("2025-01-01T01:00:00Z");

function event(fields: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: "web.17f3a", namespace: "default", creationTimestamp: "2025-01-01T00:00:00Z" },
    involvedObject: { kind: "Pod", name: "web", namespace: "default", fieldPath: "spec.containers{app}" },
    type: "Normal",
    reason: "Pulled",
    message: "Successfully pulled image \"nginx\"\n",
    ...fields,
  };
}

describe("eventPrinter", () => {
  it("has upstream's column order with five wide columns", () => {
    expect(eventPrinter.columns.map((c) => [c.name, c.priority, c.format])).toEqual([
      ["Last Seen", 0, ""],
      ["Type", 0, ""],
      ["Reason", 0, ""],
      ["Object", 0, ""],
      ["Subobject", 1, ""],
      ["Source", 1, ""],
      ["Message", 0, ""],
      ["First Seen", 1, ""],
      ["Count", 1, ""],
      ["Name", 1, "name"],
    ]);
  });

  it.each<[string, KubeObject, unknown[]]>([
    [
      "core/v1 event with timestamps, count and source",
      event({
        firstTimestamp: "2025-01-01T00:30:00Z",
        lastTimestamp: "2025-01-01T00:55:00Z",
        count: 3,
        source: { component: "kubelet", host: "node-1" },
      }),
      ["5m", "Normal", "Pulled", "pod/web", "spec.containers{app}", "kubelet, node-1", 'Successfully pulled image "nginx"', "30m", 3, "web.17f3a"],
    ],
    [
      "events/v1 style series with reporting fields",
      event({
        type: "Warning",
        reason: "BackOff",
        eventTime: "2025-01-01T00:20:00.000000Z",
        series: { count: 7, lastObservedTime: "2025-01-01T00:59:30.123456Z" },
        reportingComponent: "kubelet",
        reportingInstance: "node-2",
        count: 2,
      }),
      // 29.877s truncates to 29s.
      ["29s", "Warning", "BackOff", "pod/web", "spec.containers{app}", "kubelet, node-2", 'Successfully pulled image "nginx"', "40m", 7, "web.17f3a"],
    ],
    [
      "singleton with only eventTime counts once and reuses First Seen",
      event({ eventTime: "2025-01-01T00:58:00.000000Z", reportingComponent: "duraplane-scheduler", involvedObject: { kind: "VirtualMachineInstance", name: "vmi1" } }),
      ["2m", "Normal", "Pulled", "virtualmachineinstance/vmi1", "", "duraplane-scheduler", 'Successfully pulled image "nginx"', "2m", 1, "web.17f3a"],
    ],
    [
      "source.component wins, an empty host falls back to reportingInstance; object without name; no times",
      event({
        source: { component: "node-controller" },
        reportingComponent: "not-used",
        reportingInstance: "node-9",
        involvedObject: { kind: "Node" },
        message: "  ",
      }),
      ["<unknown>", "Normal", "Pulled", "node", "", "node-controller, node-9", "", "<unknown>", 1, "web.17f3a"],
    ],
  ])("%s", (_name, obj, want) => {
    expect(eventPrinter.cells(obj, NOW)).toEqual(want);
  });
});
