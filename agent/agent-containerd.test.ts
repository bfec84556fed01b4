/**
 * One agent with the containerd adapter against the real control plane (a
 * local server as `npm start` runs it, the host joined by the agent's CLI) and
 * the real daemon (DURAPLANE_REAL_RUNTIMES=1): a pod that prints and exits 0 is
 * reported Succeeded, a container nobody wants (left by an earlier agent) is
 * stopped, and heartbeats carry the host's own capacity and containerd's version.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { busyboxImage } from "../scripts/images/busybox.ts";
import { buildImages } from "../scripts/images/build.ts";
import { tempDir } from "../test/e2e/temp-dir.ts";
import { Agent } from "./agent.ts";
import { hostCapacity } from "./heartbeat.ts";
import { memoryLogger } from "./log.ts";
import { AddressPool } from "./runtime/addresses.ts";
import { type ContainerdRuntime, containerdRuntime } from "./runtime/containerd-containers.ts";
import { ContainerdImageStore } from "./runtime/containerd-images.ts";
import type { Ctr } from "./runtime/ctr.ts";
import { simulatedVirtRuntime } from "./runtime/simulated-vms.ts";
import { Sequence } from "./sequence.ts";
import { containerIds, REAL_RUNTIMES, sweepNamespace, testCtr } from "./test-support/containerd.ts";
import { type ControlPlane, startControlPlane } from "./test-support/control-plane.ts";
import { until } from "./test-support/http-server.ts";

describe.skipIf(!REAL_RUNTIMES)("agent with containerd", () => {
  let ctr: Ctr;
  let cp: ControlPlane | undefined;
  beforeAll(async () => {
    ctr = await testCtr();
    await buildImages({ ctr, recipes: [busyboxImage] });
    cp = await startControlPlane();
  }, 180_000);
  afterAll(async () => {
    await cp?.close();
    if (ctr) await sweepNamespace(ctr);
  }, 60_000);

  it("runs a pod to Succeeded, stops a container nobody wants, heartbeats the host's facts", async () => {
    const stateDir = tempDir("agent-containerd");
    const log = memoryLogger();
    const make = (nodeName: string): Promise<ContainerdRuntime> => containerdRuntime({
      ctr, images: new ContainerdImageStore(ctr, `${stateDir}/images`), stateDir, nodeName, hostIP: "127.0.0.1", log, relistMs: 500,
    });
    // An earlier agent of this host left a container running for a pod the API no longer has.
    const earlier = await make("agent-containerd-n1");
    await earlier.start({
      uid: "orphan-uid", namespace: "demo", name: "orphan", annotations: {}, spec: { containers: [{ name: "c", image: busyboxImage.ref }] },
      rawSpec: { containers: [{ name: "c", image: busyboxImage.ref, command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done"] }] },
    });
    await until(() => earlier.observe("orphan-uid")?.state.phase === "running", 30_000, "the orphan running");
    await earlier.close();

    if (!cp) throw new Error("no control plane");
    const plane = cp;
    const credentials = await plane.join("agent-containerd-n1");
    const ns = `agent-containerd-${process.pid}`;
    expect((await plane.call("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } })).status).toBe(201);
    const containers = await make(credentials.nodeName);
    const created = await plane.call<{ metadata: { uid: string } }>("POST", `/api/v1/namespaces/${ns}/pods`, {
      apiVersion: "v1", kind: "Pod", metadata: { name: "hello" },
      spec: { nodeName: credentials.nodeName, restartPolicy: "Never", containers: [{ name: "app", image: busyboxImage.ref, imagePullPolicy: "IfNotPresent", command: ["echo", "hello"] }] },
    });
    expect(created.status).toBe(201);
    const agent = new Agent({
      credentials, secrets: () => credentials.signingSecrets, containers, vms: simulatedVirtRuntime({ bootDelayMs: 20, stopDelayMs: 20, bootFailureRate: 0, crashRate: 0, crashAfterMs: 1000 }, new AddressPool(5)),
      capacity: hostCapacity(), hostIP: "127.0.0.1", heartbeatIntervalMs: 200, sequence: new Sequence(), log, flushDelayMs: 10,
      watchBackoff: { initialMs: 10, maxMs: 50 }, reportBackoff: { initialMs: 10, maxMs: 50 },
    });
    try {
      agent.start();
      type PodView = { status?: { phase?: string; containerStatuses?: { state: { terminated?: { exitCode: number; reason: string } } }[] } };
      const pod = await until(async () => {
        const got = await plane.call<PodView>("GET", `/api/v1/namespaces/${ns}/pods/hello`);
        return got.body.status?.phase === "Succeeded" ? got.body : undefined;
      }, 60_000, "hello Succeeded");
      expect(pod.status?.containerStatuses?.[0]?.state.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
      // The orphan is stopped gracefully (it traps SIGTERM) and removed.
      await until(() => containers.observe("orphan-uid") === undefined, 60_000, "the orphan stopped and removed");
      // The heartbeat carried the host's own capacity and containerd's version into the Node.
      type NodeView = { status?: { capacity?: unknown; nodeInfo?: { containerRuntimeVersion?: string } } };
      const node = await until(async () => {
        const got = await plane.call<NodeView>("GET", `/api/v1/nodes/${credentials.nodeName}`);
        return got.body.status?.nodeInfo?.containerRuntimeVersion ? got.body : undefined;
      }, 30_000, "the Node's runtime version");
      expect(node.status?.capacity).toEqual(expect.objectContaining(hostCapacity()));
      expect(node.status?.nodeInfo?.containerRuntimeVersion).toMatch(/^containerd:\/\/\d+\.\d+/);
    } finally {
      await agent.stop();
    }
    expect((await containerIds(ctr)).filter((id) => !id.includes("-app-"))).toEqual([]);
  }, 120_000);
});
