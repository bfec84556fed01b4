import { describe, it } from "vitest";
import { UsageReportSchema } from "../shared/hosts/report.ts";
import { until } from "./test-support/http-server.ts";
import type { Workload } from "./runtime/adapter.ts";
import { AddressPool } from "./runtime/addresses.ts";
import type { PodRuntimeSpec } from "./runtime/containers.ts";
import { simulatedContainerRuntime } from "./runtime/simulated-containers.ts";
import { simulatedCounters } from "./runtime/simulated-usage.ts";
import { simulatedVirtRuntime } from "./runtime/simulated-vms.ts";
import type { SimulationOptions } from "./runtime/simulated.ts";
import type { UsageSample } from "./runtime/usage.ts";
import { SIMULATED_BASE, UsageCollector } from "./usage.ts";

const FAST: SimulationOptions = { bootDelayMs: 10, stopDelayMs: 10, bootFailureRate: 0, crashRate: 0, crashAfterMs: 1000 };

function pod(uid: string, cpu: string, memory: string): Workload<PodRuntimeSpec> {
  return {
    uid, namespace: "ns", name: uid, annotations: {},
    spec: { containers: [{ name: "app", image: "nginx" }, { name: "side", image: "busybox" }] },
    rawSpec: { containers: [{ name: "app", image: "nginx", resources: { requests: { cpu, memory } } }, { name: "side", image: "busybox" }] },
  };
}

describe("simulated usage", () => {
  it("is deterministic, never runs its CPU counter backwards, and stays near a fraction of the request", ({ expect }) => {
    const demand = { name: "app", cpuCores: 2, memoryBytes: 1024 ** 3 };
    let last = 0;
    for (let t = 0; t <= 600_000; t += 997) {
      const c = simulatedCounters("u1", demand, 0, t);
      expect(c.cpuNanoseconds).toBeGreaterThanOrEqual(last);
      last = c.cpuNanoseconds;
      expect(c.memoryBytes).toBeGreaterThan(0.25 * demand.memoryBytes);
      expect(c.memoryBytes).toBeLessThan(0.65 * demand.memoryBytes);
    }
    // Mean rate over ten minutes: 15–45 % of 2 cores.
    const cores = last / 600_000 / 1e6;
    expect(cores).toBeGreaterThan(0.3 * 0.9);
    expect(cores).toBeLessThan(0.9 * 1.1);
    expect(simulatedCounters("u1", demand, 0, 123_456)).toEqual(simulatedCounters("u1", demand, 0, 123_456));
    expect(simulatedCounters("u2", demand, 0, 123_456)).not.toEqual(simulatedCounters("u1", demand, 0, 123_456));
  });

  it("makes rates from two samples: pods per container, VMIs, and the simulated host as their sum plus a base", async ({ expect }) => {
    const pods = simulatedContainerRuntime(FAST, new AddressPool(3));
    const vms = simulatedVirtRuntime(FAST, new AddressPool(4));
    await pods.start(pod("p1", "500m", "256Mi"));
    await vms.start({ uid: "v1", namespace: "ns", name: "vm", annotations: {}, spec: { cpuCores: 2, memory: "1Gi", interfaces: ["default"] }, rawSpec: {} });
    await until(() => pods.observe("p1")?.state.phase === "running" && vms.observe("v1")?.state.phase === "running", 2000, "running");
    const collector = new UsageCollector({ pods: () => pods.usage(), vmis: () => vms.usage() });
    expect(await collector.collect()).toBeUndefined(); // one sample makes no rate
    await new Promise((r) => setTimeout(r, 1100));
    const usage = await collector.collect();
    const parsed = UsageReportSchema.parse(usage);
    expect(parsed.pods).toHaveLength(1);
    const p = parsed.pods[0];
    expect(p?.containers.map((c) => c.name)).toEqual(["app", "side"]);
    const app = p?.containers[0];
    // 500m requested: 15–45 % with a ±30 % swing.
    expect(app?.cpuNanoCores).toBeGreaterThan(0.5e9 * 0.15 * 0.65);
    expect(app?.cpuNanoCores).toBeLessThan(0.5e9 * 0.45 * 1.35);
    expect(app?.memoryBytes).toBeGreaterThan(0.25 * 256 * 1024 ** 2);
    expect(p?.windowSeconds).toBeGreaterThanOrEqual(1);
    expect(p?.windowSeconds).toBeLessThan(3);
    // The side container requested nothing: the default 100m / 64Mi basis, still non-zero.
    expect(p?.containers[1]?.cpuNanoCores).toBeGreaterThan(0);
    const vmi = parsed.vmis[0];
    expect(vmi?.cpuNanoCores).toBeGreaterThan(2e9 * 0.15 * 0.65);
    expect(vmi?.memoryBytes).toBeGreaterThan(0.25 * 1024 ** 3);
    const sum = (p?.containers ?? []).reduce((s, c) => s + c.cpuNanoCores, 0) + (vmi?.cpuNanoCores ?? 0);
    expect(parsed.node?.cpuNanoCores).toBe(sum + SIMULATED_BASE.cpuNanoCores);
    await pods.close();
    await vms.close();
  });

  it("a failing source leaves the others' samples, and says so", async ({ expect }) => {
    const failed: string[] = [];
    let t = 1_000;
    const collector = new UsageCollector({
      pods: async () => {
        throw new Error("ctr: connection refused");
      },
      host: async () => ({ timeMs: (t += 10_000), cpuNanoseconds: t * 1e5, memoryBytes: 1 }),
      onError: (source, err) => failed.push(`${source}: ${err instanceof Error ? err.message : String(err)}`),
    });
    await collector.collect();
    const second = await collector.collect();
    expect(second?.node?.cpuNanoCores).toBe(1e8);
    expect(second?.pods).toEqual([]);
    expect(failed).toEqual(["pods: ctr: connection refused", "pods: ctr: connection refused"]);
  });

  it("leaves out a workload whose counter went backwards (a restart) and reads the host's own counters when given", async ({ expect }) => {
    let samples: UsageSample[] = [{ uid: "a", namespace: "n", name: "a", timeMs: 1_000, containers: [{ name: "c", cpuNanoseconds: 5e9, memoryBytes: 1 }] }];
    let host = { timeMs: 1_000, cpuNanoseconds: 100e9, memoryBytes: 4096 };
    const collector = new UsageCollector({ pods: async () => samples, host: async () => host });
    await collector.collect();
    samples = [{ uid: "a", namespace: "n", name: "a", timeMs: 11_000, containers: [{ name: "c", cpuNanoseconds: 1e9, memoryBytes: 1 }] }];
    host = { timeMs: 11_000, cpuNanoseconds: 120e9, memoryBytes: 8192 };
    const second = await collector.collect();
    expect(second?.pods).toEqual([]);
    expect(second?.node).toEqual({ timestamp: "1970-01-01T00:00:11Z", windowSeconds: 10, cpuNanoCores: 2e9, memoryBytes: 8192 });
    samples = [{ uid: "a", namespace: "n", name: "a", timeMs: 21_000, containers: [{ name: "c", cpuNanoseconds: 6e9, memoryBytes: 7 }] }];
    expect((await collector.collect())?.pods).toEqual([
      { namespace: "n", name: "a", uid: "a", timestamp: "1970-01-01T00:00:21Z", windowSeconds: 10, containers: [{ name: "c", cpuNanoCores: 5e8, memoryBytes: 7 }] },
    ]);
  });
});
