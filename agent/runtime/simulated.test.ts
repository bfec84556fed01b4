import { describe, it } from "vitest";
import { until } from "../test-support/http-server.ts";
import type { Observation, RunState, Workload } from "./adapter.ts";
import { AddressPool } from "./addresses.ts";
import type { PodRuntimeSpec } from "./containers.ts";
import { simulatedContainerRuntime } from "./simulated-containers.ts";
import { simulatedVirtRuntime } from "./simulated-vms.ts";
import { SIM_ANNOTATIONS, type SimulationOptions } from "./simulated.ts";

const FAST: SimulationOptions = { bootDelayMs: 20, stopDelayMs: 20, bootFailureRate: 0, crashRate: 0, crashAfterMs: 1000 };

function podWorkload(uid: string, annotations: Record<string, string> = {}): Workload<PodRuntimeSpec> {
  return { uid, namespace: "default", name: uid, annotations, spec: { containers: [{ name: "app", image: "nginx:1.27" }] }, rawSpec: {} };
}

/** Records the phases a workload goes through. */
function phases<D>(adapter: { subscribe(l: (o: Observation<D>) => void): () => void }): RunState["phase"][] {
  const seen: RunState["phase"][] = [];
  adapter.subscribe((o) => seen.push(o.state.phase));
  return seen;
}

describe("simulated container runtime", () => {
  it("creates, runs with an address, and stops gracefully within the grace period", async ({ expect }) => {
    const rt = simulatedContainerRuntime(FAST, new AddressPool(7));
    const seen = phases(rt);
    await rt.start(podWorkload("p1"));
    await rt.start(podWorkload("p1")); // idempotent
    expect(rt.observe("p1")?.state.phase).toBe("creating");
    expect(rt.observe("p1")?.detail.containers[0]?.state).toEqual(expect.objectContaining({ phase: "creating" }));
    await until(() => rt.observe("p1")?.state.phase === "running", 2000, "running");
    const running = rt.observe("p1");
    expect(running?.ip).toBe("10.7.0.2");
    expect(running?.detail.containers[0]).toEqual(expect.objectContaining({
      name: "app", image: "nginx:1.27", imageID: expect.stringMatching(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/),
      containerID: expect.stringMatching(/^simulated:\/\//), restartCount: 0,
    }));
    await rt.stop("p1", 30);
    expect(rt.observe("p1")?.state).toEqual(expect.objectContaining({ phase: "exited", exitCode: 0, reason: "Completed", requested: true }));
    expect(seen).toEqual(["creating", "running", "exited"]);
    await rt.remove("p1");
    expect(rt.observe("p1")).toBeUndefined();
    await rt.close();
  });

  it("kills a workload whose stop outlasts the grace period", async ({ expect }) => {
    const rt = simulatedContainerRuntime({ ...FAST, stopDelayMs: 60_000 }, new AddressPool(1));
    await rt.start(podWorkload("p1"));
    await until(() => rt.observe("p1")?.state.phase === "running", 2000, "running");
    const started = Date.now();
    await rt.stop("p1", 0);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(rt.observe("p1")?.state).toEqual(expect.objectContaining({ exitCode: 137, reason: "Error", requested: true }));
    await rt.close();
  });

  it("fails a start (StartError) by rate or annotation, and a restart is a new attempt", async ({ expect }) => {
    const rt = simulatedContainerRuntime({ ...FAST, bootFailureRate: 1 }, new AddressPool(1));
    await rt.start(podWorkload("p1"));
    await until(() => rt.observe("p1")?.state.phase === "exited", 2000, "boot failure");
    expect(rt.observe("p1")?.state).toEqual(expect.objectContaining({ exitCode: 128, reason: "StartError", requested: false }));
    await rt.start(podWorkload("p1"));
    const again = rt.observe("p1");
    expect(again?.attempt).toBe(1);
    expect(again?.lastExit?.reason).toBe("StartError");
    expect(again?.detail.containers[0]?.restartCount).toBe(1);
    await rt.close();

    const byAnnotation = simulatedContainerRuntime(FAST, new AddressPool(1));
    await byAnnotation.start(podWorkload("p2", { [SIM_ANNOTATIONS.failBoot]: "true" }));
    await until(() => byAnnotation.observe("p2")?.state.phase === "exited", 2000, "annotated boot failure");
    await byAnnotation.close();
  });

  it("crashes running workloads after crash-after-ms, and finishes them per annotation", async ({ expect }) => {
    const rt = simulatedContainerRuntime({ ...FAST, crashRate: 1, crashAfterMs: 30 }, new AddressPool(1));
    const seen = phases(rt);
    await rt.start(podWorkload("p1"));
    await until(() => rt.observe("p1")?.state.phase === "exited", 2000, "crash");
    const crashed = rt.observe("p1")?.state;
    expect(crashed).toEqual(expect.objectContaining({ exitCode: 1, reason: "Error", requested: false, startedAt: expect.any(String) }));
    expect(seen).toEqual(["creating", "running", "exited"]);
    await rt.close();

    const jobs = simulatedContainerRuntime(FAST, new AddressPool(1));
    await jobs.start(podWorkload("ok", { [SIM_ANNOTATIONS.exitAfterMs]: "10" }));
    await jobs.start(podWorkload("bad", { [SIM_ANNOTATIONS.exitAfterMs]: "10", [SIM_ANNOTATIONS.exitCode]: "3" }));
    await until(() => jobs.list().every((o) => o.state.phase === "exited"), 2000, "both finished");
    expect(jobs.observe("ok")?.state).toEqual(expect.objectContaining({ exitCode: 0, reason: "Completed" }));
    expect(jobs.observe("bad")?.state).toEqual(expect.objectContaining({ exitCode: 3, reason: "Error" }));
    await jobs.close();
  });

  it("hands out distinct addresses and reuses released ones", async ({ expect }) => {
    const pool = new AddressPool(3);
    const rt = simulatedContainerRuntime(FAST, pool);
    await rt.start(podWorkload("a"));
    await rt.start(podWorkload("b"));
    await until(() => rt.list().every((o) => o.ip), 2000, "addresses");
    const ips = rt.list().map((o) => o.ip);
    expect(new Set(ips).size).toBe(2);
    await rt.stop("a", 1);
    await rt.remove("a");
    expect(pool.allocate()).toBe(ips[0]);
    await rt.close();
  });
});

describe("simulated hypervisor", () => {
  const vm = { uid: "v1", namespace: "default", name: "v1", annotations: {}, spec: { cpuCores: 1, interfaces: ["default"] }, rawSpec: {} };

  it("boots a domain whose guest agent reports the OS and whose first interface has the IP", async ({ expect }) => {
    const rt = simulatedVirtRuntime(FAST, new AddressPool(9));
    await rt.start(vm);
    expect(rt.observe("v1")?.detail.guestAgentConnected).toBe(false);
    await until(() => rt.observe("v1")?.state.phase === "running", 2000, "running");
    const o = rt.observe("v1");
    expect(o?.detail.guestOSInfo).toEqual(expect.objectContaining({ id: "fedora", name: "Fedora Linux" }));
    expect(o?.detail.interfaces).toEqual([{ name: "default", interfaceName: "eth0", ipAddress: "10.9.0.2", mac: expect.stringMatching(/^52:54:00(:[0-9a-f]{2}){3}$/) }]);
    await rt.stop("v1", 30);
    expect(rt.observe("v1")?.state).toEqual(expect.objectContaining({ exitCode: 0, reason: "Shutdown", requested: true }));
    await rt.close();
  });

  it("reports a failed boot and a crash with their reasons", async ({ expect }) => {
    const failing = simulatedVirtRuntime({ ...FAST, bootFailureRate: 1 }, new AddressPool(9));
    await failing.start(vm);
    await until(() => failing.observe("v1")?.state.phase === "exited", 2000, "boot failure");
    expect(failing.observe("v1")?.state).toEqual(expect.objectContaining({ reason: "BootFailed", exitCode: 1 }));
    await failing.close();
    const crashing = simulatedVirtRuntime({ ...FAST, crashRate: 1, crashAfterMs: 10 }, new AddressPool(9));
    await crashing.start(vm);
    await until(() => crashing.observe("v1")?.state.phase === "exited", 2000, "crash");
    expect(crashing.observe("v1")?.state).toEqual(expect.objectContaining({ reason: "Crashed" }));
    await crashing.close();
  });
});

