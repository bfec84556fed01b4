import { describe, expect, it } from "vitest";
import type { KubeObject } from "../object";
import { podPrinter } from "./pod";

const NOW = new Date("2025-01-01T01:00:00Z");
const CREATED = "2025-01-01T00:00:00Z";

/** An RFC 3339 instant `seconds` before NOW. */
function ago(seconds: number): string {
  return new Date(NOW.getTime() - seconds * 1000).toISOString();
}

function pod(spec: Record<string, unknown>, status: Record<string, unknown>, metadata: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web", namespace: "default", creationTimestamp: CREATED, ...metadata },
    spec: { containers: [{ name: "app", image: "nginx" }], ...spec },
    status,
  };
}

const running = { running: { startedAt: ago(600) } };
const readyCond = { type: "Ready", status: "True" };

// Each case: the pod and the expected Name, Ready, Status, Restarts, Age, IP, Node, Nominated Node, Readiness Gates.
const cases: [string, KubeObject, unknown[]][] = [
  [
    "running 2/2 with restarts, last one 5m ago",
    pod(
      { containers: [{ name: "app" }, { name: "log" }], nodeName: "node-1" },
      {
        phase: "Running",
        podIP: "10.0.0.5",
        podIPs: [{ ip: "10.0.0.5" }],
        conditions: [readyCond],
        containerStatuses: [
          { name: "app", ready: true, restartCount: 3, state: running, lastState: { terminated: { exitCode: 1, finishedAt: ago(300) } } },
          { name: "log", ready: true, restartCount: 2, state: running, lastState: { terminated: { exitCode: 1, finishedAt: ago(600) } } },
        ],
      },
    ),
    ["web", "2/2", "Running", "5 (5m ago)", "60m", "10.0.0.5", "node-1", "<none>", "<none>"],
  ],
  [
    "CrashLoopBackOff",
    pod(
      { nodeName: "node-1" },
      {
        phase: "Running",
        podIPs: [{ ip: "10.0.0.6" }],
        containerStatuses: [
          {
            name: "app",
            ready: false,
            restartCount: 4,
            state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s" } },
            lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: ago(30) } },
          },
        ],
      },
    ),
    ["web", "0/1", "CrashLoopBackOff", "4 (30s ago)", "60m", "10.0.0.6", "node-1", "<none>", "<none>"],
  ],
  [
    "terminating",
    pod(
      { nodeName: "node-1" },
      { phase: "Running", podIP: "10.0.0.7", containerStatuses: [{ name: "app", ready: true, restartCount: 0, state: running }] },
      { deletionTimestamp: ago(10), deletionGracePeriodSeconds: 30 },
    ),
    ["web", "1/1", "Terminating", "0", "60m", "10.0.0.7", "node-1", "<none>", "<none>"],
  ],
  [
    "deleted pod that already succeeded keeps its reason",
    pod(
      {},
      { phase: "Succeeded", containerStatuses: [{ name: "app", ready: false, state: { terminated: { exitCode: 0, reason: "Completed" } } }] },
      { deletionTimestamp: ago(10) },
    ),
    ["web", "0/1", "Completed", "0", "60m", "<none>", "<none>", "<none>", "<none>"],
  ],
  [
    "deleted pod on a lost node is Unknown",
    pod({ nodeName: "node-2" }, { phase: "Running", reason: "NodeLost" }, { deletionTimestamp: ago(10) }),
    ["web", "0/1", "Unknown", "0", "60m", "<none>", "node-2", "<none>", "<none>"],
  ],
  ["pending without status", pod({}, { phase: "Pending" }), ["web", "0/1", "Pending", "0", "60m", "<none>", "<none>", "<none>", "<none>"]],
  [
    "scheduling gated",
    pod({}, { phase: "Pending", conditions: [{ type: "PodScheduled", status: "False", reason: "SchedulingGated" }] }),
    ["web", "0/1", "SchedulingGated", "0", "60m", "<none>", "<none>", "<none>", "<none>"],
  ],
  [
    "evicted (status.reason wins over phase)",
    pod({}, { phase: "Failed", reason: "Evicted", message: "low on memory" }),
    ["web", "0/1", "Evicted", "0", "60m", "<none>", "<none>", "<none>", "<none>"],
  ],
  [
    "terminated without reason shows the exit code",
    pod({}, { phase: "Failed", containerStatuses: [{ name: "app", state: { terminated: { exitCode: 137 } } }] }),
    ["web", "0/1", "ExitCode:137", "0", "60m", "<none>", "<none>", "<none>", "<none>"],
  ],
  [
    "terminated by a signal without reason",
    pod({}, { phase: "Failed", containerStatuses: [{ name: "app", state: { terminated: { exitCode: 0, signal: 15 } } }] }),
    ["web", "0/1", "Signal:15", "0", "60m", "<none>", "<none>", "<none>", "<none>"],
  ],
  [
    "restarts without a recorded termination have no age",
    pod({}, { phase: "Running", containerStatuses: [{ name: "app", ready: true, restartCount: 3, state: running }] }),
    ["web", "1/1", "Running", "3", "60m", "<none>", "<none>", "<none>", "<none>"],
  ],
  [
    "podIP wins over podIPs, nominated node and readiness gates",
    pod(
      { readinessGates: [{ conditionType: "example.com/lb" }, { conditionType: "example.com/dns" }] },
      {
        phase: "Pending",
        podIP: "10.0.0.9",
        podIPs: [{ ip: "fd00::9" }],
        nominatedNodeName: "node-3",
        conditions: [
          { type: "example.com/lb", status: "True" },
          { type: "example.com/dns", status: "False" },
          { type: "example.com/lb", status: "False" },
        ],
      },
    ),
    ["web", "0/1", "Pending", "0", "60m", "10.0.0.9", "<none>", "node-3", "1/2"],
  ],
];

const initSpec = { initContainers: [{ name: "init-db" }, { name: "init-cache" }] };

// Init containers: only the first unfinished one decides the Status.
const initCases: [string, unknown[], string, string][] = [
  ["first still running", [{ name: "init-db", state: running }], "Init:0/2", "0"],
  [
    "first done, second waiting with a reason",
    [
      { name: "init-db", state: { terminated: { exitCode: 0, reason: "Completed" } } },
      { name: "init-cache", restartCount: 2, state: { waiting: { reason: "ImagePullBackOff" } } },
    ],
    "Init:ImagePullBackOff",
    "2",
  ],
  [
    "PodInitializing is not a reason",
    [{ name: "init-db", state: { waiting: { reason: "PodInitializing" } } }],
    "Init:0/2",
    "0",
  ],
  ["failed with a reason", [{ name: "init-db", restartCount: 1, state: { terminated: { exitCode: 1, reason: "Error" } } }], "Init:Error", "1"],
  // Exit code 0 counts as done whatever the signal, so with no other status the pod is not initializing.
  ["exit code 0 with a signal", [{ name: "init-db", state: { terminated: { exitCode: 0, signal: 9 } } }], "Pending", "0"],
  ["failed with no reason", [{ name: "init-db", state: { terminated: { exitCode: 2 } } }], "Init:ExitCode:2", "0"],
  ["signalled with a non-zero code", [{ name: "init-db", state: { terminated: { exitCode: 143, signal: 15 } } }], "Init:Signal:15", "0"],
];

describe("podPrinter", () => {
  it("has upstream's columns, wide ones at priority 1", () => {
    expect(podPrinter.columns.map((c) => [c.name, c.type, c.priority, c.format])).toEqual([
      ["Name", "string", 0, "name"],
      ["Ready", "string", 0, ""],
      ["Status", "string", 0, ""],
      ["Restarts", "string", 0, ""],
      ["Age", "string", 0, ""],
      ["IP", "string", 1, ""],
      ["Node", "string", 1, ""],
      ["Nominated Node", "string", 1, ""],
      ["Readiness Gates", "string", 1, ""],
    ]);
  });

  it.each(cases)("%s", (_name, obj, want) => {
    expect(podPrinter.cells(obj, NOW)).toEqual(want);
  });

  it.each(initCases)("init containers: %s", (_name, initContainerStatuses, status, restarts) => {
    const cells = podPrinter.cells(pod(initSpec, { phase: "Pending", initContainerStatuses }), NOW);
    expect(cells.slice(1, 4)).toEqual(["0/1", status, restarts]);
  });

  it("counts a started sidecar towards Ready and only its restarts once initialized", () => {
    const obj = pod(
      { initContainers: [{ name: "setup" }, { name: "proxy", restartPolicy: "Always" }] },
      {
        phase: "Running",
        conditions: [{ type: "Initialized", status: "True" }, readyCond],
        initContainerStatuses: [
          { name: "setup", restartCount: 5, state: { terminated: { exitCode: 0, reason: "Completed" } } },
          {
            name: "proxy",
            ready: true,
            started: true,
            restartCount: 1,
            state: running,
            lastState: { terminated: { exitCode: 1, finishedAt: ago(120) } },
          },
        ],
        containerStatuses: [{ name: "app", ready: true, restartCount: 0, state: running }],
      },
    );
    expect(podPrinter.cells(obj, NOW).slice(1, 4)).toEqual(["2/2", "Running", "1 (2m ago)"]);
  });

  it("shows a sidecar that has not started as initializing", () => {
    const obj = pod(
      { initContainers: [{ name: "proxy", restartPolicy: "Always" }] },
      { phase: "Pending", initContainerStatuses: [{ name: "proxy", started: false, state: running }] },
    );
    expect(podPrinter.cells(obj, NOW).slice(1, 4)).toEqual(["0/2", "Init:0/1", "0"]);
  });

  it.each([
    ["Running", [readyCond]],
    ["NotReady", []],
  ])("a completed container next to a running one reads %s", (want, conditions) => {
    const obj = pod(
      { containers: [{ name: "job" }, { name: "app" }] },
      {
        phase: "Running",
        conditions,
        containerStatuses: [
          { name: "job", ready: false, state: { terminated: { exitCode: 0, reason: "Completed" } } },
          { name: "app", ready: true, state: running },
        ],
      },
    );
    expect(podPrinter.cells(obj, NOW).slice(1, 3)).toEqual(["1/2", want]);
  });

  it("takes the first container's reason (statuses are walked backwards)", () => {
    const obj = pod(
      { containers: [{ name: "a" }, { name: "b" }] },
      {
        phase: "Pending",
        containerStatuses: [
          { name: "a", state: { waiting: { reason: "ErrImagePull" } } },
          { name: "b", state: { waiting: { reason: "ContainerCreating" } } },
        ],
      },
    );
    expect(podPrinter.cells(obj, NOW)[2]).toBe("ErrImagePull");
  });

  it("reads a malformed object as zero values instead of throwing", () => {
    const obj: KubeObject = { apiVersion: "v1", kind: "Pod", metadata: {}, spec: "nonsense", status: [1, 2] };
    expect(podPrinter.cells(obj, NOW)).toEqual(["", "0/0", "", "0", "<unknown>", "<none>", "<none>", "<none>", "<none>"]);
  });
});
