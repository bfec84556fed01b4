import { describe, expect, it } from "vitest";
import type { JsonObject, KubeObject } from "../../../shared/k8s/object";
import { fitErrorMessage } from "./scheduler-filters";
import { planScheduling, type ScheduleInput } from "./scheduler-plan";
import { podRequests, vmiRequests } from "./scheduler-resources";
import { unplacedStatus } from "./scheduler-status";
import { ago } from "../shared/test-fixtures";

interface NodeOptions {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  ready?: "True" | "False" | "Unknown" | null;
  unschedulable?: boolean;
  taints?: JsonObject[];
  capacityOnly?: boolean;
}

function node(name: string, o: NodeOptions = {}): KubeObject {
  const resources = { cpu: o.cpu ?? "4", memory: o.memory ?? "8Gi", pods: o.pods ?? "110" };
  const ready = o.ready === undefined ? "True" : o.ready;
  return {
    apiVersion: "v1", kind: "Node", metadata: { name, labels: o.labels ?? {} },
    spec: { ...(o.unschedulable ? { unschedulable: true } : {}), ...(o.taints ? { taints: o.taints } : {}) },
    status: {
      ...(o.capacityOnly ? { capacity: resources } : { capacity: resources, allocatable: resources }),
      conditions: ready === null ? [] : [{ type: "Ready", status: ready }],
    },
  };
}

interface WorkOptions {
  cpu?: string;
  memory?: string;
  node?: string;
  phase?: string;
  selector?: Record<string, string>;
  age?: number;
  priority?: number;
  schedulerName?: string;
  tolerations?: JsonObject[];
  gates?: boolean;
}

function pod(name: string, o: WorkOptions = {}): KubeObject {
  const requests: JsonObject = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: "v1", kind: "Pod",
    metadata: { name, namespace: "ns", uid: `uid-${name}`, creationTimestamp: ago(o.age ?? 0) },
    spec: {
      containers: [{ name: "c", image: "x", resources: { requests } }],
      ...(o.node ? { nodeName: o.node } : {}),
      ...(o.selector ? { nodeSelector: o.selector } : {}),
      ...(o.priority !== undefined ? { priority: o.priority } : {}),
      ...(o.schedulerName ? { schedulerName: o.schedulerName } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.gates ? { schedulingGates: [{ name: "wait" }] } : {}),
    },
    status: { phase: o.phase ?? "Pending" },
  };
}

function vmi(name: string, o: WorkOptions & { guest?: string } = {}): KubeObject {
  const requests: JsonObject = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance",
    metadata: { name, namespace: "ns", uid: `uid-${name}`, creationTimestamp: ago(o.age ?? 0) },
    spec: {
      domain: { devices: {}, resources: { requests }, ...(o.guest ? { memory: { guest: o.guest } } : {}) },
      ...(o.selector ? { nodeSelector: o.selector } : {}),
    },
    status: { phase: o.phase ?? "Pending", ...(o.node ? { nodeName: o.node } : {}) },
  };
}

function plan(input: Partial<ScheduleInput>) {
  const p = planScheduling({ nodes: [], pods: [], vmis: [], ...input });
  return {
    placed: Object.fromEntries(p.placements.map((x) => [x.obj.metadata.name ?? "", x.node])),
    unplaced: Object.fromEntries(p.unplaced.map((x) => [x.obj.metadata.name ?? "", x.message])),
    raw: p,
  };
}

describe("requests (computePodResourceRequest, VMI domain resources)", () => {
  it("sums containers, takes the init peak, adds sidecars and overhead", () => {
    const p: KubeObject = {
      apiVersion: "v1", kind: "Pod", metadata: { name: "p" },
      spec: {
        containers: [{ name: "a", resources: { requests: { cpu: "100m", memory: "100Mi" } } }, { name: "b", resources: { requests: { cpu: "0.7" } } }],
        initContainers: [
          { name: "side", restartPolicy: "Always", resources: { requests: { cpu: "50m" } } },
          { name: "init", resources: { requests: { cpu: "2", memory: "1Gi" } } },
        ],
        overhead: { cpu: "10m" },
      },
    };
    const r = podRequests(p);
    expect(r.requests).toEqual({ milliCPU: 2060, memory: 1024 ** 3, pods: 1 });
    // Scoring counts a container without a memory request as 200Mi.
    expect(r.nonZero.memory).toBe(1024 ** 3);
  });

  it("a VMI requests its domain resources, memory falling back to memory.guest", () => {
    expect(vmiRequests(vmi("v", { cpu: "2", memory: "1Gi" })).requests).toEqual({ milliCPU: 2000, memory: 1024 ** 3, pods: 1 });
    expect(vmiRequests(vmi("v", { guest: "512Mi" })).requests).toEqual({ milliCPU: 0, memory: 512 * 1024 ** 2, pods: 1 });
    expect(vmiRequests(vmi("v")).nonZero).toEqual({ milliCPU: 100, memory: 200 * 1024 ** 2 });
  });
});

describe("planScheduling: filters", () => {
  it("fits by cpu, memory and pod count against allocatable, counting bound non-final pods and VMIs", () => {
    const nodes = [node("a", { cpu: "2", memory: "4Gi", pods: "3" })];
    const pods = [
      pod("bound", { node: "a", cpu: "1", phase: "Running" }),
      pod("done", { node: "a", cpu: "2", phase: "Succeeded" }),
      pod("fits", { cpu: "500m", age: 30 }),
      pod("cpu", { cpu: "1", age: 20 }),
    ];
    const vmis = [vmi("vmi", { node: "a", memory: "3Gi", phase: "Running" }), vmi("mem", { memory: "2Gi", age: 10 })];
    const r = plan({ nodes, pods, vmis });
    expect(r.placed).toEqual({ fits: "a" });
    expect(r.unplaced).toEqual({
      cpu: "0/1 nodes are available: 1 Insufficient cpu, 1 Too many pods.",
      mem: "0/1 nodes are available: 1 Insufficient memory, 1 Too many pods.",
    });
  });

  it("uses capacity when allocatable is absent, and a node reporting no pods capacity takes none", () => {
    expect(plan({ nodes: [node("a", { capacityOnly: true })], pods: [pod("p", { cpu: "1" })] }).placed).toEqual({ p: "a" });
    expect(plan({ nodes: [node("a", { pods: "0" })], pods: [pod("p")] }).unplaced).toEqual({ p: "0/1 nodes are available: 1 Too many pods." });
  });

  it("skips unschedulable, NotReady, Unknown, tainted, kubevirt.io/schedulable=false and non-matching nodes", () => {
    const nodes = [
      node("cordoned", { unschedulable: true }),
      node("notready", { ready: "False" }),
      node("unknown", { ready: "Unknown" }),
      node("silent", { ready: null }),
      node("tainted", { taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] }),
      node("novms", { labels: { "kubevirt.io/schedulable": "false", zone: "z1" } }),
      node("other", { labels: { zone: "z2" } }),
    ];
    const r = plan({ nodes, pods: [pod("p", { selector: { zone: "z1" } })] });
    expect(r.unplaced.p).toBe(
      "0/7 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, " +
        "1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 1 node(s) were unschedulable, " +
        "2 node(s) didn't match Pod's node affinity/selector, 2 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.",
    );
  });

  it("honours nodeSelector and tolerations", () => {
    const nodes = [node("gpu", { labels: { gpu: "yes" }, taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] }), node("plain")];
    const tolerate = [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }];
    const r = plan({ nodes, pods: [pod("tol", { selector: { gpu: "yes" }, tolerations: tolerate }), pod("sel", { selector: { gpu: "yes" } })], vmis: [vmi("v", { selector: { gpu: "no" } })] });
    expect(r.placed).toEqual({ tol: "gpu" });
    expect(r.unplaced.sel).toBe("0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}.");
    // TaintToleration runs before NodeAffinity: the tainted node is rejected for its taint.
    expect(r.unplaced.v).toBe("0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}.");
  });

  it("leaves bound, final, deleting, Running and other schedulers' objects alone", () => {
    const pods = [
      pod("bound", { node: "a" }), pod("running", { phase: "Running" }), pod("other", { schedulerName: "custom" }),
      { ...pod("deleting"), metadata: { ...pod("deleting").metadata, deletionTimestamp: ago(1) } },
    ];
    const vmis = [vmi("final", { phase: "Failed" }), vmi("scheduled", { phase: "Scheduled" }), vmi("retry", { phase: "Scheduling" })];
    expect(plan({ nodes: [node("a")], pods, vmis }).placed).toEqual({ retry: "a" });
  });

  it("reports a gated pod as SchedulingGated without placing it", () => {
    const r = plan({ nodes: [node("a")], pods: [pod("g", { gates: true })] });
    expect(r.raw.unplaced).toEqual([expect.objectContaining({ reason: "SchedulingGated", message: "Scheduling is blocked due to non-empty scheduling gates" })]);
  });
});

describe("planScheduling: order and spreading", () => {
  it("spreads by LeastAllocated, ties by node name, each placement counted before the next", () => {
    const nodes = [node("c"), node("b"), node("a")];
    const pods = [1, 2, 3, 4, 5, 6].map((i) => pod(`p${i}`, { cpu: "1", memory: "1Gi", age: 100 - i }));
    expect(plan({ nodes, pods }).placed).toEqual({ p1: "a", p2: "b", p3: "c", p4: "a", p5: "b", p6: "c" });
  });

  it("spreads evenly over big hosts whose whole-number scores tie, pods and VMIs alike", () => {
    // On 64-cpu hosts, 100m requests leave every score at 99: ties go to the node with fewer workloads.
    const nodes = ["h1", "h2", "h3"].map((n) => node(n, { cpu: "64", memory: "256Gi", pods: "500" }));
    const pods = Array.from({ length: 30 }, (_, i) => pod(`p${i}`, { cpu: "100m", memory: "64Mi", age: 1000 - i }));
    const vmis = Array.from({ length: 30 }, (_, i) => vmi(`v${i}`, { cpu: "100m", memory: "64Mi", age: 1000 - i }));
    const counts: Record<string, number> = {};
    for (const n of Object.values(plan({ nodes, pods, vmis }).placed)) counts[n] = (counts[n] ?? 0) + 1;
    expect(counts).toEqual({ h1: 20, h2: 20, h3: 20 });
  });

  it("prefers the emptier node", () => {
    const nodes = [node("busy"), node("idle")];
    const pods = [pod("x", { node: "busy", cpu: "3", memory: "6Gi", phase: "Running" }), pod("new", { cpu: "100m" })];
    expect(plan({ nodes, pods }).placed).toEqual({ new: "idle" });
  });

  it("places higher priority, then older, first when capacity runs out", () => {
    const nodes = [node("a", { cpu: "2" })];
    const pods = [pod("young", { cpu: "1", age: 1 }), pod("old", { cpu: "1", age: 50 }), pod("vip", { cpu: "1", age: 0, priority: 1000 })];
    const r = plan({ nodes, pods });
    expect(r.placed).toEqual({ vip: "a", old: "a" });
    expect(Object.keys(r.unplaced)).toEqual(["young"]);
  });
});

describe("FitError message and the unplaced status", () => {
  it("reads as upstream's", () => {
    expect(fitErrorMessage(3, [["Insufficient memory"], ["Insufficient memory"], ["Insufficient memory"]])).toBe("0/3 nodes are available: 3 Insufficient memory.");
    expect(fitErrorMessage(0, [])).toBe("no nodes available to schedule pods");
  });

  it("writes PodScheduled=False once; a VMI also goes to Scheduling", () => {
    const stamp = "2026-03-01T12:00:00Z";
    const u = { obj: pod("p"), reason: "Unschedulable" as const, message: "0/1 nodes are available: 1 Insufficient cpu." };
    const status = unplacedStatus(u, stamp);
    expect(status?.conditions).toEqual([{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: u.message, lastProbeTime: null, lastTransitionTime: stamp }]);
    expect(unplacedStatus({ ...u, obj: { ...u.obj, status } }, "2026-03-01T12:00:10Z")).toBeUndefined();
    const v = unplacedStatus({ ...u, obj: vmi("v") }, stamp);
    expect(v).toMatchObject({ phase: "Scheduling", phaseTransitionTimestamps: [{ phase: "Scheduling", phaseTransitionTimestamp: stamp }] });
    expect(unplacedStatus({ ...u, obj: { ...vmi("v"), status: v } }, stamp)).toBeUndefined();
  });
});
