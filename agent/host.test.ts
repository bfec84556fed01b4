import { describe, it } from "vitest";
import { type ReportItem, ReportItemSchema } from "../shared/hosts/report.ts";
import { HostLoop } from "./host.ts";
import { podDriver } from "./kinds/pod.ts";
import { vmiDriver } from "./kinds/vmi.ts";
import { memoryLogger } from "./log.ts";
import { type ApiObject, asApiObject } from "./objects.ts";
import { AddressPool } from "./runtime/addresses.ts";
import { simulatedContainerRuntime } from "./runtime/simulated-containers.ts";
import { simulatedVirtRuntime } from "./runtime/simulated-vms.ts";
import type { SimulationOptions } from "./runtime/simulated.ts";
import { Sequence } from "./sequence.ts";
import { until } from "./test-support/http-server.ts";

const FAST: SimulationOptions = { bootDelayMs: 20, stopDelayMs: 20, bootFailureRate: 0, crashRate: 0, crashAfterMs: 1000 };

function object(raw: Record<string, unknown>): ApiObject {
  const o = asApiObject(raw);
  if (!o) throw new Error("bad fixture");
  return o;
}

function pod(name: string, extra: { spec?: Record<string, unknown>; status?: Record<string, unknown>; metadata?: Record<string, unknown> } = {}): ApiObject {
  return object({
    metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: "1", ...extra.metadata },
    spec: { nodeName: "n1", containers: [{ name: "app", image: "nginx:1.27" }], ...extra.spec },
    status: { phase: "Pending", ...extra.status },
  });
}

function vmi(name: string, extra: { status?: Record<string, unknown>; metadata?: Record<string, unknown> } = {}): ApiObject {
  return object({
    metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: "1", labels: { "kubevirt.io/nodeName": "n1" }, ...extra.metadata },
    spec: { domain: { devices: {}, resources: { requests: { memory: "128Mi" } } } },
    status: { phase: "Scheduling", nodeName: "n1", ...extra.status },
  });
}

function setup(sim: Partial<SimulationOptions> = {}) {
  const items: ReportItem[] = [];
  const log = memoryLogger();
  const options = { hostIP: "127.0.0.1", sequence: new Sequence(), reporter: { enqueue: (i: ReportItem) => items.push(i) }, log, restartBackoff: { initialMs: 30, maxMs: 100, jitter: 0 } };
  const addresses = new AddressPool(4);
  const containers = simulatedContainerRuntime({ ...FAST, ...sim }, addresses);
  const vms = simulatedVirtRuntime({ ...FAST, ...sim }, addresses);
  const pods = new HostLoop(podDriver(containers), options);
  const vmis = new HostLoop(vmiDriver(vms), options);
  const last = (uid: string) => items.filter((i) => i.uid === uid).at(-1);
  const close = async () => {
    // Everything reported must pass the webhook's schema.
    for (const i of items) ReportItemSchema.parse(i);
    pods.close();
    vmis.close();
    await Promise.all([containers.close(), vms.close()]);
  };
  return { items, log, pods, vmis, containers, vms, last, close };
}

type PodStatus = Extract<ReportItem, { kind: "Pod" }>["status"];
type VMIStatus = Extract<ReportItem, { kind: "VirtualMachineInstance" }>["status"];
const podStatus = (i: ReportItem | undefined): PodStatus => (i?.kind === "Pod" ? i.status : {});
const vmiStatus = (i: ReportItem | undefined): VMIStatus => (i?.kind === "VirtualMachineInstance" ? i.status : {});

describe("host loop: the server's status drifts from what the host reported", () => {
  it("reports again when the server marks a running VMI not ready (e.g. while it could not hear the host), once per server view", async ({ expect }) => {
    const h = setup();
    h.vmis.replace([vmi("vm")]);
    await until(() => vmiStatus(h.last("uid-vm")).phase === "Running", 3000, "Running");
    await h.vmis.idle();
    const reported = vmiStatus(h.last("uid-vm"));
    const count = h.items.length;
    // The server echoes the report: nothing to do.
    h.vmis.apply("MODIFIED", vmi("vm", { status: { ...reported, nodeName: "n1" } }));
    await h.vmis.idle();
    expect(h.items.length).toBe(count);
    // The node lifecycle controller wrote Ready=False: the host says Ready=True again.
    const notReady = { ...reported, nodeName: "n1", conditions: (reported.conditions ?? []).map((c) => (c.type === "Ready" ? { ...c, status: "False", reason: "NodeNotReady" } : c)) };
    h.vmis.apply("MODIFIED", vmi("vm", { status: notReady }));
    await h.vmis.idle();
    expect(h.items.length).toBe(count + 1);
    expect(vmiStatus(h.last("uid-vm")).conditions).toContainEqual(expect.objectContaining({ type: "Ready", status: "True" }));
    // A server that keeps the same different view is not answered twice.
    h.vmis.apply("MODIFIED", vmi("vm", { status: notReady }));
    await h.vmis.idle();
    expect(h.items.length).toBe(count + 1);
    await h.close();
  });
});

describe("host loop: pods", () => {
  it("starts a bound pod, reports ContainerCreating then Running, and on deletion stops it and reports stopped", async ({ expect }) => {
    const h = setup();
    h.pods.replace([pod("web")]);
    await until(() => podStatus(h.last("uid-web")).phase === "Running", 3000, "Running");
    const first = h.items[0];
    expect(podStatus(first).phase).toBe("Pending");
    expect(podStatus(first).containerStatuses?.[0]).toEqual(expect.objectContaining({ state: { waiting: { reason: "ContainerCreating" } }, ready: false }));
    const running = podStatus(h.last("uid-web"));
    expect(running).toEqual(expect.objectContaining({ hostIP: "127.0.0.1", podIP: "10.4.0.2", podIPs: [{ ip: "10.4.0.2" }], startTime: expect.any(String) }));
    expect(running.conditions).toEqual([
      { type: "PodScheduled", status: "True" }, { type: "Initialized", status: "True" },
      { type: "ContainersReady", status: "True" }, { type: "Ready", status: "True" },
    ]);
    expect(running.containerStatuses?.[0]).toEqual(expect.objectContaining({ ready: true, started: true, restartCount: 0, state: { running: { startedAt: expect.any(String) } } }));
    const sequences = h.items.map((i) => i.sequence);
    expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
    expect(new Set(sequences).size).toBe(sequences.length);

    h.pods.apply("MODIFIED", pod("web", { metadata: { deletionTimestamp: new Date(Date.now() + 30_000).toISOString(), deletionGracePeriodSeconds: 30 }, status: { phase: "Running" } }));
    await until(() => h.last("uid-web")?.stopped, 3000, "stopped report");
    const final = h.last("uid-web");
    expect(podStatus(final).phase).toBe("Succeeded");
    expect(podStatus(final).containerStatuses?.[0]?.state).toEqual({ terminated: expect.objectContaining({ exitCode: 0, reason: "Completed" }) });
    expect(h.containers.observe("uid-web")?.state).toEqual(expect.objectContaining({ phase: "exited", requested: true }));

    h.pods.apply("DELETED", pod("web"));
    await h.pods.idle();
    expect(h.pods.size).toBe(0);
    expect(h.containers.observe("uid-web")).toBeUndefined();
    await h.close();
  });

  it("stops workloads that disappeared from the watch (relist without them, or DELETED), without reporting them", async ({ expect }) => {
    const h = setup();
    h.pods.replace([pod("a"), pod("b"), pod("c")]);
    await until(() => h.containers.list().filter((o) => o.state.phase === "running").length === 3, 3000, "three running");
    h.pods.replace([pod("a")]);
    h.pods.apply("DELETED", pod("c"));
    await until(() => !h.containers.observe("uid-b") && !h.containers.observe("uid-c"), 3000, "b and c gone");
    await h.pods.idle();
    expect(h.containers.observe("uid-a")?.state.phase).toBe("running");
    expect(h.items.some((i) => (i.uid === "uid-b" || i.uid === "uid-c") && i.stopped)).toBe(false);
    expect(h.log.lines.filter((l) => l.includes("stopping pod") && l.includes("gone from the API"))).toHaveLength(2);
    await h.close();
  });

  it("restarts a crashed restartPolicy=Always container after a backoff, showing CrashLoopBackOff meanwhile", async ({ expect }) => {
    const h = setup({ crashRate: 1, crashAfterMs: 30 });
    h.pods.replace([pod("crashy")]);
    await until(() => podStatus(h.last("uid-crashy")).containerStatuses?.some((c) => c.restartCount === 1), 3000, "a restart");
    const statuses = h.items.filter((i) => i.uid === "uid-crashy").map((i) => podStatus(i));
    const backoff = statuses.find((s) => JSON.stringify(s.containerStatuses).includes("CrashLoopBackOff"));
    expect(backoff?.phase).toBe("Running");
    expect(backoff?.containerStatuses?.[0]).toEqual(expect.objectContaining({
      state: { waiting: expect.objectContaining({ reason: "CrashLoopBackOff" }) },
      lastState: { terminated: expect.objectContaining({ exitCode: 1, reason: "Error" }) },
    }));
    expect(h.items.some((i) => i.uid === "uid-crashy" && i.stopped)).toBe(false);
    await h.close();
  });

  it("lets restartPolicy Never and OnFailure pods end Failed or Succeeded, reported stopped", async ({ expect }) => {
    const h = setup({ crashRate: 1, crashAfterMs: 30 });
    h.pods.replace([pod("once", { spec: { restartPolicy: "Never" } })]);
    await until(() => h.last("uid-once")?.stopped, 3000, "final report");
    expect(podStatus(h.last("uid-once")).phase).toBe("Failed");
    expect(podStatus(h.last("uid-once")).conditions).toContainEqual({ type: "Ready", status: "False", reason: "PodCompleted" });
    await h.close();

    const j = setup();
    j.pods.replace([pod("job", { spec: { restartPolicy: "OnFailure" }, metadata: { annotations: { "sim.duraplane.io/exit-after-ms": "10" } } })]);
    await until(() => j.last("uid-job")?.stopped, 3000, "final report");
    expect(podStatus(j.last("uid-job")).phase).toBe("Succeeded");
    await j.close();
  });

  it("stops a pod being deleted before it ever ran and reports it stopped", async ({ expect }) => {
    const h = setup({ bootDelayMs: 60_000 });
    h.pods.replace([pod("slow")]);
    await until(() => h.containers.observe("uid-slow"), 3000, "accepted");
    h.pods.apply("MODIFIED", pod("slow", { metadata: { deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 0 } }));
    await until(() => h.last("uid-slow")?.stopped, 3000, "stopped report");
    expect(h.containers.observe("uid-slow")?.state.phase).toBe("exited");
    await h.close();
  });

  it("fails a restartPolicy=Never pod the server believes running but the runtime lost", async ({ expect }) => {
    const h = setup();
    h.pods.replace([pod("lost", { spec: { restartPolicy: "Never" }, status: { phase: "Running" } })]);
    await until(() => h.last("uid-lost")?.stopped, 3000, "lost report");
    expect(podStatus(h.last("uid-lost")).phase).toBe("Failed");
    expect(podStatus(h.last("uid-lost")).containerStatuses?.[0]?.state).toEqual({ terminated: expect.objectContaining({ reason: "ContainerStatusUnknown", exitCode: 137 }) });
    expect(h.containers.observe("uid-lost")).toBeUndefined();
    await h.close();
  });
});

describe("host loop: VMIs", () => {
  it("reports Scheduled, then Running with Ready, AgentConnected, interfaces and guest OS info; deletion ends Succeeded", async ({ expect }) => {
    const h = setup();
    h.vmis.replace([vmi("testvm")]);
    await until(() => vmiStatus(h.last("uid-testvm")).phase === "Running", 3000, "Running");
    expect(vmiStatus(h.items.find((i) => i.uid === "uid-testvm")).phase).toBe("Scheduled");
    const running = vmiStatus(h.last("uid-testvm"));
    expect(running.conditions).toEqual([{ type: "Ready", status: "True" }, { type: "AgentConnected", status: "True" }]);
    expect(running.interfaces).toEqual([{
      name: "default", interfaceName: "eth0", ipAddress: "10.4.0.2", ipAddresses: ["10.4.0.2"],
      mac: expect.stringMatching(/^52:54:00/), infoSource: "domain, guest-agent",
    }]);
    expect(running.guestOSInfo).toEqual(expect.objectContaining({ id: "fedora", name: "Fedora Linux", prettyName: expect.any(String), version: expect.any(String), kernelRelease: expect.any(String) }));
    // A VMI's delete carries grace 0; the guest still gets the spec's grace (nil = 30 s) to shut down.
    h.vmis.apply("MODIFIED", vmi("testvm", { metadata: { deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 0 }, status: { phase: "Running" } }));
    await until(() => h.last("uid-testvm")?.stopped, 3000, "stopped report");
    expect(vmiStatus(h.last("uid-testvm")).phase).toBe("Succeeded");
    expect(h.vms.observe("uid-testvm")?.state).toEqual(expect.objectContaining({ reason: "Shutdown", requested: true }));
    await h.close();
  });

  it("reports a boot failure as Failed with its reason, and never restarts a VMI", async ({ expect }) => {
    const h = setup({ bootFailureRate: 1 });
    h.vmis.replace([vmi("broken")]);
    await until(() => h.last("uid-broken")?.stopped, 3000, "final report");
    expect(vmiStatus(h.last("uid-broken"))).toEqual(expect.objectContaining({ phase: "Failed", reason: "BootFailed" }));
    await new Promise((r) => setTimeout(r, 100));
    expect(h.vms.observe("uid-broken")?.attempt).toBe(0);
    await h.close();
  });

  it("stops a VMI the server made final while the host was away (NodeUnresponsive), then forgets it when it is deleted", async ({ expect }) => {
    const h = setup();
    h.vmis.replace([vmi("away")]);
    await until(() => h.vms.observe("uid-away")?.state.phase === "running", 3000, "running");
    h.vmis.replace([vmi("away", { status: { phase: "Failed", reason: "NodeUnresponsive" } })]);
    await until(() => h.vms.observe("uid-away")?.state.phase === "exited", 3000, "stopped locally");
    await until(() => h.last("uid-away")?.stopped, 3000, "stopped report");
    expect(h.log.lines.some((l) => l.includes("stopping vmi") && l.includes("final on the server"))).toBe(true);
    h.vmis.replace([]);
    await h.vmis.idle();
    expect(h.vmis.size).toBe(0);
    await h.close();
  });

  it("suspends a VMI whose Paused condition (the pause subresource) is set, reports Paused while the runtime says so, and resumes when it is removed", async ({ expect }) => {
    const h = setup();
    h.vmis.replace([vmi("p")]);
    await until(() => vmiStatus(h.last("uid-p")).phase === "Running", 3000, "Running");
    await h.vmis.idle();
    const running = vmiStatus(h.last("uid-p"));
    expect(running.conditions?.some((c) => c.type === "Paused")).toBe(false);
    // What PUT …/virtualmachineinstances/p/pause writes.
    const pausedByUser = { type: "Paused", status: "True", reason: "PausedByUser", message: "VMI was paused by user" };
    h.vmis.apply("MODIFIED", vmi("p", { status: { ...running, nodeName: "n1", conditions: [...(running.conditions ?? []), pausedByUser] } }));
    await until(() => h.vms.observe("uid-p")?.paused === true, 3000, "paused by the runtime");
    await h.vmis.idle();
    const paused = vmiStatus(h.last("uid-p"));
    expect(paused.phase).toBe("Running");
    expect(paused.conditions).toContainEqual(pausedByUser);
    expect(h.log.lines.some((l) => l.includes("pausing vmi"))).toBe(true);
    // A further event with the condition still there changes nothing.
    const count = h.items.length;
    h.vmis.apply("MODIFIED", vmi("p", { status: { ...paused, nodeName: "n1" } }));
    await h.vmis.idle();
    expect(h.items.length).toBe(count);
    // unpause removes the condition: the agent resumes the domain and reports without Paused.
    h.vmis.apply("MODIFIED", vmi("p", { status: { ...paused, nodeName: "n1", conditions: (paused.conditions ?? []).filter((c) => c.type !== "Paused") } }));
    await until(() => h.vms.observe("uid-p")?.paused === false, 3000, "resumed");
    await h.vmis.idle();
    expect(vmiStatus(h.last("uid-p")).conditions?.some((c) => c.type === "Paused")).toBe(false);
    expect(h.log.lines.some((l) => l.includes("unpausing vmi"))).toBe(true);
    await h.close();
  });

  it("fails a VMI the server believes running but the hypervisor does not have (host restarted)", async ({ expect }) => {
    const h = setup();
    h.vmis.replace([vmi("ghost", { status: { phase: "Running" } })]);
    await until(() => h.last("uid-ghost")?.stopped, 3000, "lost report");
    expect(vmiStatus(h.last("uid-ghost"))).toEqual(expect.objectContaining({ phase: "Failed", reason: "DomainLost" }));
    expect(h.vms.observe("uid-ghost")).toBeUndefined();
    await h.close();
  });
});
