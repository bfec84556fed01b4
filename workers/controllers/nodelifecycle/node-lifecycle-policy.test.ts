import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../shared/k8s/object";
import { assessNode, nodeLifecycleOptions, unknownConditions } from "./node-lifecycle-policy";

const NOW = Date.parse("2026-03-01T12:00:00Z");
const STAMP = "2026-03-01T12:00:00Z";
const OPTS = { gracePeriodSeconds: 40, evictionTimeoutSeconds: 300 };
const at = (secondsAgo: number): string => new Date(NOW - secondsAgo * 1000).toISOString().replace(".000Z", "Z");

function node(conditions: Record<string, unknown>[], createdAgo = 3600): KubeObject {
  return { apiVersion: "v1", kind: "Node", metadata: { name: "n1", creationTimestamp: at(createdAgo) }, status: { conditions } };
}
const ready = (beatAgo: number, status = "True") => ({ type: "Ready", status, reason: "KubeletReady", lastHeartbeatTime: at(beatAgo), lastTransitionTime: at(600) });
/** When the server saw a heartbeat `secondsAgo` before NOW. */
const seen = (secondsAgo: number): number => NOW - secondsAgo * 1000;

describe("assessNode", () => {
  it("a fresh heartbeat is healthy until the grace period passes", () => {
    expect(assessNode(node([ready(10)]), seen(10), NOW, OPTS)).toEqual({ stale: false, evict: false, workloadsNotReady: false, requeueAfterSeconds: 31 });
  });

  it("silent past the grace period: stale, workloads NotReady, next deadline is the eviction", () => {
    expect(assessNode(node([ready(41)]), seen(41), NOW, OPTS)).toEqual({ stale: true, evict: false, workloadsNotReady: true, requeueAfterSeconds: 300 });
  });

  it("silent past grace plus eviction timeout: evict, then recheck every grace period", () => {
    expect(assessNode(node([ready(341)]), seen(341), NOW, OPTS)).toMatchObject({ stale: true, evict: true, requeueAfterSeconds: 41 });
  });

  it("a node that never posted status is judged from its creation; one reporting NotReady marks its workloads", () => {
    expect(assessNode(node([], 50), undefined, NOW, OPTS)).toMatchObject({ stale: true, evict: false });
    expect(assessNode(node([ready(5, "False")]), seen(5), NOW, OPTS)).toMatchObject({ stale: false, workloadsNotReady: true });
  });

  it("counts silence only from when the controller began observing (a restarted control plane)", () => {
    const since = NOW - 10_000;
    expect(assessNode(node([ready(3600)]), seen(3600), NOW, OPTS, since)).toEqual({ stale: false, evict: false, workloadsNotReady: false, requeueAfterSeconds: 31 });
    expect(assessNode(node([ready(3600)]), seen(3600), NOW + 31_000, OPTS, since)).toMatchObject({ stale: true, evict: false });
    expect(assessNode(node([ready(3600)]), seen(3600), NOW + 331_000, OPTS, since)).toMatchObject({ stale: true, evict: true });
    // A heartbeat newer than the observer's start is judged as usual.
    expect(assessNode(node([ready(5)]), seen(5), NOW, OPTS, since)).toMatchObject({ stale: false, requeueAfterSeconds: 36 });
  });

  it("counts from when the server saw the heartbeat change, not from the time the node wrote", () => {
    // A node wrote a heartbeat a year ahead, 41 s ago by the server's clock: it is silent all the same.
    const future = { type: "Ready", status: "True", lastHeartbeatTime: at(-365 * 86400), lastTransitionTime: at(600) };
    expect(assessNode(node([future]), seen(41), NOW, OPTS)).toMatchObject({ stale: true, evict: false });
  });

  it("takes its timeouts from the vars, defaulting malformed ones", () => {
    expect(nodeLifecycleOptions({ NODE_MONITOR_GRACE_PERIOD_SECONDS: "5", POD_EVICTION_TIMEOUT_SECONDS: "x" })).toEqual({ gracePeriodSeconds: 5, evictionTimeoutSeconds: 300 });
    expect(nodeLifecycleOptions({})).toEqual(OPTS);
  });
});

describe("unknownConditions", () => {
  it("turns every known condition Unknown with upstream's reason, keeping the heartbeat", () => {
    const pressure = { type: "MemoryPressure", status: "False", lastHeartbeatTime: at(100), lastTransitionTime: at(600) };
    expect(unknownConditions(node([ready(100), pressure]), STAMP)).toEqual([
      { type: "Ready", status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastHeartbeatTime: at(100), lastTransitionTime: STAMP },
      { type: "MemoryPressure", status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastHeartbeatTime: at(100), lastTransitionTime: STAMP },
    ]);
  });

  it("adds a missing Ready (never posted) and changes nothing the second time", () => {
    const added = unknownConditions(node([], 100), STAMP);
    expect(added).toEqual([{ type: "Ready", status: "Unknown", reason: "NodeStatusNeverUpdated", message: "Kubelet never posted node status.", lastHeartbeatTime: at(100), lastTransitionTime: STAMP }]);
    expect(unknownConditions(node(added as Record<string, unknown>[]), STAMP)).toBeUndefined();
  });
});
