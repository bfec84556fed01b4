/**
 * One agent with the containerd adapter against a fake control plane and the
 * real daemon (DURAPLANE_REAL_RUNTIMES=1): a pod that prints and exits 0 is
 * reported Succeeded, a container nobody wants (left by an earlier agent) is
 * stopped, and heartbeats carry the host's own capacity and containerd's version.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { busyboxImage } from "../scripts/images/busybox.ts";
import { buildImages } from "../scripts/images/build.ts";
import { newSigningSecret } from "../shared/hosts/signature.ts";
import { tempDir } from "../test/e2e/temp-dir.ts";
import { Agent } from "./agent.ts";
import type { Credentials } from "./config.ts";
import { hostCapacity } from "./heartbeat.ts";
import { memoryLogger } from "./log.ts";
import { AddressPool } from "./runtime/addresses.ts";
import { type ContainerdRuntime, containerdRuntime } from "./runtime/containerd-containers.ts";
import { ContainerdImageStore } from "./runtime/containerd-images.ts";
import type { Ctr } from "./runtime/ctr.ts";
import { simulatedVirtRuntime } from "./runtime/simulated-vms.ts";
import { Sequence } from "./sequence.ts";
import { containerIds, REAL_RUNTIMES, sweepNamespace, testCtr } from "./test-support/containerd.ts";
import { startFakeControlPlane } from "./test-support/fake-control-plane.ts";
import { until } from "./test-support/http-server.ts";

describe.skipIf(!REAL_RUNTIMES)("agent with containerd", () => {
  let ctr: Ctr;
  beforeAll(async () => {
    ctr = await testCtr();
    await buildImages({ ctr, recipes: [busyboxImage] });
  }, 60_000);
  afterAll(async () => {
    if (ctr) await sweepNamespace(ctr);
  }, 60_000);

  it("runs a pod to Succeeded, stops a container nobody wants, heartbeats the host's facts", async () => {
    const stateDir = tempDir("agent-containerd");
    const log = memoryLogger();
    const make = (): Promise<ContainerdRuntime> => containerdRuntime({
      ctr, images: new ContainerdImageStore(ctr, `${stateDir}/images`), stateDir, nodeName: "n1", hostIP: "127.0.0.1", log, relistMs: 500,
    });
    // An earlier agent left a container running for a pod the API no longer has.
    const earlier = await make();
    await earlier.start({
      uid: "orphan-uid", namespace: "demo", name: "orphan", annotations: {}, spec: { containers: [{ name: "c", image: busyboxImage.ref }] },
      rawSpec: { containers: [{ name: "c", image: busyboxImage.ref, command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"] }] },
    });
    await until(() => earlier.observe("orphan-uid")?.state.phase === "running", 30_000, "the orphan running");
    await earlier.close();

    const secrets = [newSigningSecret()];
    const cp = await startFakeControlPlane("n1", "node-token", secrets);
    const containers = await make();
    const credentials: Credentials = {
      server: cp.url, nodeName: "n1", token: "node-token", signingSecrets: secrets, webhookPath: "/webhooks/v1/nodes/n1/reports",
      insecureSkipTLSVerify: false, labels: {}, capacity: { cpu: "8", memory: "32Gi", pods: "110" },
    };
    cp.put("pods", {
      metadata: { name: "hello", namespace: "demo", uid: "hello-uid" },
      spec: { nodeName: "n1", restartPolicy: "Never", containers: [{ name: "app", image: busyboxImage.ref, imagePullPolicy: "IfNotPresent", command: ["echo", "hello"] }] },
    });
    const agent = new Agent({
      credentials, secrets: () => secrets, containers, vms: simulatedVirtRuntime({ bootDelayMs: 20, stopDelayMs: 20, bootFailureRate: 0, crashRate: 0, crashAfterMs: 1000 }, new AddressPool(5)),
      capacity: hostCapacity(), hostIP: "127.0.0.1", heartbeatIntervalMs: 200, sequence: new Sequence(), log, flushDelayMs: 10,
      watchBackoff: { initialMs: 10, maxMs: 50 }, reportBackoff: { initialMs: 10, maxMs: 50 },
    });
    try {
      agent.start();
      const item = await until(() => cp.reports.flatMap((r) => r.items).find((i) => i.uid === "hello-uid" && i.status.phase === "Succeeded"), 60_000, "hello Succeeded");
      const statuses = (item.status as { containerStatuses?: unknown }).containerStatuses as { state: { terminated?: { exitCode: number; reason: string } } }[];
      expect(statuses[0]?.state.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
      expect(item.stopped).toBe(true);
      // The orphan is stopped gracefully (it traps SIGTERM) and removed.
      await until(() => containers.observe("orphan-uid") === undefined, 60_000, "the orphan stopped and removed");
      const beat = cp.reports.find((r) => r.node)?.node as { capacity?: unknown; nodeInfo?: { containerRuntimeVersion?: string } } | undefined;
      expect(beat?.capacity).toEqual(hostCapacity());
      expect(beat?.nodeInfo?.containerRuntimeVersion).toMatch(/^containerd:\/\/\d+\.\d+/);
    } finally {
      await agent.stop();
      await cp.close();
    }
    expect((await containerIds(ctr)).filter((id) => !id.includes("-app-"))).toEqual([]);
  }, 120_000);
});
