/**
 * Usage from the real containerd (DURAPLANE_REAL_RUNTIMES=1; skipped
 * otherwise): a container spinning on the CPU and an idle one, read through
 * their tasks' cgroups twice, give the busy one a rate near a CPU and both a
 * non-zero working set. The file's test namespace is swept in afterAll.
 */
import { afterAll, beforeAll, describe, it } from "vitest";
import { busyboxImage } from "../../scripts/images/busybox.ts";
import { buildImages } from "../../scripts/images/build.ts";
import { tempDir } from "../../test/e2e/temp-dir.ts";
import { podDriver } from "../kinds/pod.ts";
import { memoryLogger } from "../log.ts";
import { asApiObject } from "../objects.ts";
import { REAL_RUNTIMES, sweepNamespace, testCtr } from "../test-support/containerd.ts";
import { until } from "../test-support/http-server.ts";
import { UsageCollector } from "../usage.ts";
import { type ContainerdRuntime, containerdRuntime } from "./containerd-containers.ts";
import { ContainerdImageStore } from "./containerd-images.ts";
import type { Ctr } from "./ctr.ts";

describe.skipIf(!REAL_RUNTIMES)("containerd usage", () => {
  let ctr: Ctr | undefined;
  let rt: ContainerdRuntime | undefined;

  beforeAll(async () => {
    ctr = await testCtr();
    await buildImages({ ctr, recipes: [busyboxImage] });
  }, 120_000);

  afterAll(async () => {
    await rt?.close();
    if (ctr) await sweepNamespace(ctr);
  }, 60_000);

  it("reads a busy and an idle container's cgroups: CPU rate over the window and working set", async ({ expect }) => {
    if (!ctr) throw new Error("no ctr");
    const stateDir = tempDir("containerd-usage");
    rt = await containerdRuntime({ ctr, images: new ContainerdImageStore(ctr, `${stateDir}/images`), stateDir, nodeName: "n1", hostIP: "127.0.0.1", log: memoryLogger(), relistMs: 500 });
    const pod = asApiObject({
      metadata: { name: "spin", namespace: "default", uid: `uid-spin-${process.pid}`, resourceVersion: "1" },
      spec: {
        nodeName: "n1",
        containers: [
          { name: "busy", image: busyboxImage.ref, imagePullPolicy: "Never", command: ["sh", "-c", "while :; do :; done"] },
          { name: "idle", image: busyboxImage.ref, imagePullPolicy: "Never", command: ["sleep", "3600"] },
        ],
      },
      status: { phase: "Pending" },
    });
    if (!pod) throw new Error("bad fixture");
    const workload = podDriver({} as never).workload(pod);
    await rt.start(workload);
    const runtime = rt;
    await until(() => runtime.observe(workload.uid)?.detail.containers.every((c) => c.state.phase === "running"), 60_000, "both containers running");
    const collector = new UsageCollector({ pods: () => runtime.usage() });
    await until(async () => (await runtime.usage()).length === 1, 10_000, "a sample of both containers");
    await collector.collect();
    await new Promise((r) => setTimeout(r, 2000));
    const usage = await collector.collect();
    const containers = Object.fromEntries((usage?.pods?.[0]?.containers ?? []).map((c) => [c.name, c]));
    // The spinning shell uses most of a CPU (the machine is shared), the sleeping one next to nothing.
    expect(containers.busy?.cpuNanoCores).toBeGreaterThan(200_000_000);
    expect(containers.idle?.cpuNanoCores).toBeLessThan(50_000_000);
    expect(containers.busy?.memoryBytes).toBeGreaterThan(0);
    expect(containers.idle?.memoryBytes).toBeGreaterThan(0);
    expect(usage?.pods?.[0]?.windowSeconds).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
