import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../shared/k8s/object";
import { evictionHalt, ZONE_LABEL, zoneState } from "./node-disruption";

const node = (name: string, ready: boolean, zone?: string): KubeObject => ({
  apiVersion: "v1", kind: "Node", metadata: { name, labels: zone ? { [ZONE_LABEL]: zone } : {} }, status: { ready },
});
const isReady = (n: KubeObject): boolean => (n.status as { ready: boolean }).ready;

describe("zone disruption", () => {
  it("computes the zone state as upstream", () => {
    expect(zoneState(0, 1)).toBe("FullDisruption");
    expect(zoneState(1, 2)).toBe("Normal");
    expect(zoneState(2, 3)).toBe("PartialDisruption");
    expect(zoneState(10, 3)).toBe("Normal");
    expect(zoneState(0, 0)).toBe("Normal");
  });

  it("halts evictions when every node is down, or in a small zone in partial disruption", () => {
    const dead = node("a", false);
    expect(evictionHalt(dead, [dead], isReady)).toContain("master disruption");
    expect(evictionHalt(dead, [dead, node("b", true), node("c", true)], isReady)).toBeUndefined();
    const partial = [node("a", false), node("b", false), node("c", false), node("d", true)];
    expect(evictionHalt(partial[0] as KubeObject, partial, isReady)).toContain('zone "" is in partial disruption (3 of 4 nodes not ready)');
  });

  it("evicts a zone that went dark while another zone is healthy, and halts only when all zones are dark", () => {
    const east = [node("e1", false, "east"), node("e2", false, "east")];
    const west = [node("w1", true, "west")];
    expect(evictionHalt(east[0] as KubeObject, [...east, ...west], isReady)).toBeUndefined();
    expect(evictionHalt(east[0] as KubeObject, [...east, node("w1", false, "west")], isReady)).toContain("master disruption");
  });
});
