import { afterEach, describe, it } from "vitest";
import { newSigningSecret } from "../shared/hosts/signature.ts";
import { Agent } from "./agent.ts";
import type { Credentials } from "./config.ts";
import { memoryLogger } from "./log.ts";
import { AddressPool } from "./runtime/addresses.ts";
import { simulatedContainerRuntime } from "./runtime/simulated-containers.ts";
import { simulatedVirtRuntime } from "./runtime/simulated-vms.ts";
import type { SimulationOptions } from "./runtime/simulated.ts";
import { Sequence } from "./sequence.ts";
import { type FakeControlPlane, startFakeControlPlane } from "./test-support/fake-control-plane.ts";
import { until } from "./test-support/http-server.ts";

const FAST: SimulationOptions = { bootDelayMs: 20, stopDelayMs: 20, bootFailureRate: 0, crashRate: 0, crashAfterMs: 1000 };

let cp: FakeControlPlane | undefined;
let agent: Agent | undefined;
afterEach(async () => {
  await agent?.stop();
  await cp?.close();
  agent = undefined;
  cp = undefined;
});

describe("Agent", () => {
  it("heartbeats, runs what is bound to it, reports through the signed webhook, and stops what disappears — also after a host loss", async ({ expect }) => {
    const secrets = [newSigningSecret()];
    cp = await startFakeControlPlane("n1", "node-token", secrets);
    const pod = { metadata: { name: "web", namespace: "demo", uid: "pod-1" }, spec: { nodeName: "n1", containers: [{ name: "web", image: "nginx:1.27" }] } };
    const vm = { metadata: { name: "vm", namespace: "demo", uid: "vmi-1", labels: { "kubevirt.io/nodeName": "n1" } }, spec: { domain: {} }, status: { nodeName: "n1" } };
    const elsewhere = { metadata: { name: "other", namespace: "demo", uid: "pod-2" }, spec: { nodeName: "n2", containers: [{ name: "c", image: "busybox" }] } };
    cp.put("pods", pod);
    cp.put("pods", elsewhere);
    const credentials: Credentials = {
      server: cp.url, nodeName: "n1", token: "node-token", signingSecrets: secrets, webhookPath: "/webhooks/v1/nodes/n1/reports",
      insecureSkipTLSVerify: false, labels: {}, capacity: { cpu: "8", memory: "32Gi", pods: "110" },
    };
    const addresses = new AddressPool(5);
    const containers = simulatedContainerRuntime(FAST, addresses);
    const vms = simulatedVirtRuntime(FAST, addresses);
    const log = memoryLogger();
    agent = new Agent({
      credentials, secrets: () => secrets, containers, vms, capacity: credentials.capacity, hostIP: "127.0.0.1",
      heartbeatIntervalMs: 100, sequence: new Sequence(), log, flushDelayMs: 10,
      watchBackoff: { initialMs: 10, maxMs: 50 }, reportBackoff: { initialMs: 10, maxMs: 50 },
    });
    agent.start();
    const reported = (uid: string, pred: (status: Record<string, unknown>, stopped: boolean) => boolean) => () =>
      cp?.reports.some((r) => r.items.some((i) => i.uid === uid && pred(i.status, i.stopped === true)));

    await until(reported("pod-1", (s) => s.phase === "Running"), 5000, "pod Running");
    cp.put("vmis", vm);
    await until(reported("vmi-1", (s) => s.phase === "Running"), 5000, "VMI Running");
    expect(containers.observe("pod-2")).toBeUndefined();
    expect(cp.reports.every((r) => r.verified && r.authorization === undefined)).toBe(true);
    const beat = cp.reports.find((r) => r.node)?.node;
    expect(beat).toEqual(expect.objectContaining({
      capacity: { cpu: "8", memory: "32Gi", pods: "110" },
      addresses: expect.arrayContaining([{ type: "InternalIP", address: "127.0.0.1" }]),
      nodeInfo: expect.objectContaining({ kubeletVersion: expect.stringMatching(/^duraplane-agent\//), containerRuntimeVersion: expect.stringMatching(/^simulated:\/\//) }),
      conditions: expect.arrayContaining([expect.objectContaining({ type: "Ready", status: "True", reason: "KubeletReady" })]),
    }));

    // The pod is force-deleted on the server: the watch says so, and the agent stops it.
    cp.remove("pods", "pod-1");
    await until(() => containers.observe("pod-1") === undefined, 5000, "pod stopped and forgotten");

    // The host goes silent; meanwhile the VMI is failed and replaced elsewhere (gone from this node).
    await agent.goSilent();
    const beats = cp.reports.filter((r) => r.node).length;
    cp.remove("vmis", "vmi-1");
    await new Promise((r) => setTimeout(r, 300));
    expect(cp.reports.filter((r) => r.node).length).toBe(beats);
    expect(vms.observe("vmi-1")?.state.phase).toBe("running");
    agent.comeBack();
    await until(() => vms.observe("vmi-1") === undefined, 5000, "VMI stopped after the host came back");
    await until(() => cp && cp.reports.filter((r) => r.node).length > beats, 5000, "heartbeats again");
    expect(log.lines.some((l) => l.includes("stopping vmi") && l.includes("gone from the API"))).toBe(true);
    // Every report passed the webhook's own schema.
    expect(log.lines.filter((l) => l.includes("refused") || l.includes("invalid"))).toEqual([]);
  });

  it("never waits longer than a heartbeat interval between webhook retries, so it is Ready again soon after an outage", async ({ expect }) => {
    // Nothing listens on this port: every report fails, as during a control-plane restart.
    const closed = await import("node:net").then(({ createServer }) => new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, "127.0.0.1", () => {
        const address = s.address();
        s.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    }));
    const secrets = [newSigningSecret()];
    const credentials: Credentials = {
      server: `http://127.0.0.1:${closed}`, nodeName: "n1", token: "t", signingSecrets: secrets, webhookPath: "/webhooks/v1/nodes/n1/reports",
      insecureSkipTLSVerify: false, labels: {}, capacity: { cpu: "1", memory: "1Gi", pods: "10" },
    };
    const addresses = new AddressPool(1);
    const log = memoryLogger();
    agent = new Agent({
      credentials, secrets: () => secrets, capacity: credentials.capacity, hostIP: "127.0.0.1", log, sequence: new Sequence(),
      containers: simulatedContainerRuntime(FAST, addresses), vms: simulatedVirtRuntime(FAST, addresses),
      heartbeatIntervalMs: 300, flushDelayMs: 10, watchBackoff: { initialMs: 50, maxMs: 100 },
    });
    agent.start();
    const waits = (): number[] => log.lines.filter((l) => l.includes("report not delivered")).map((l) => Number(/retryInMs=(\d+)/.exec(l)?.[1]));
    // Enough failed attempts that an uncapped exponential backoff (250 ms doubling) would pass 300 ms.
    await until(() => waits().length >= 6, 10_000, "six failed report attempts");
    expect(waits().every((ms) => Number.isFinite(ms) && ms <= 300), waits().join(",")).toBe(true);
  });
});
