/**
 * The agent in-process against the real control plane (a local server as
 * `npm start` runs it, the host joined by the agent's own CLI): it
 * heartbeats, runs what is bound to it, reports through the signed webhook,
 * stops what disappears from the API — also what disappeared while the host
 * was cut off — and backs off no longer than a heartbeat interval.
 */
import { afterAll, afterEach, beforeAll, describe, it } from "vitest";
import { newSigningSecret } from "../shared/hosts/signature.ts";
import { Agent } from "./agent.ts";
import type { Credentials } from "./config.ts";
import { memoryLogger } from "./log.ts";
import { AddressPool } from "./runtime/addresses.ts";
import { simulatedContainerRuntime } from "./runtime/simulated-containers.ts";
import { simulatedVirtRuntime } from "./runtime/simulated-vms.ts";
import type { SimulationOptions } from "./runtime/simulated.ts";
import { Sequence } from "./sequence.ts";
import { type ControlPlane, startControlPlane } from "./test-support/control-plane.ts";
import { until } from "./test-support/http-server.ts";

const FAST: SimulationOptions = { bootDelayMs: 20, stopDelayMs: 20, bootFailureRate: 0, crashRate: 0, crashAfterMs: 1000 };
const NS = `agent-${process.pid}`;

let cp: ControlPlane | undefined;
let agent: Agent | undefined;
beforeAll(async () => {
  cp = await startControlPlane();
}, 120_000);
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});
afterAll(async () => {
  await cp?.close();
}, 60_000);

interface Obj { metadata: { uid: string }; status?: { phase?: string; capacity?: Record<string, string>; addresses?: unknown[]; nodeInfo?: Record<string, string>; conditions?: { type: string; status: string; reason?: string }[] } }

describe("Agent", () => {
  it("heartbeats, runs what is bound to it, reports through the signed webhook, and stops what disappears — also after a host loss", async ({ expect }) => {
    if (!cp) throw new Error("no control plane");
    const plane = cp;
    const credentials: Credentials = await plane.join("agent-n1", ["--cpu", "8", "--memory", "32Gi", "--pods", "110"]);
    const node = credentials.nodeName;
    expect((await plane.call("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } })).status).toBe(201);
    const create = async (path: string, body: unknown): Promise<string> => {
      const res = await plane.call<Obj>("POST", path, body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.metadata.uid;
    };
    const pods = `/api/v1/namespaces/${NS}/pods`;
    const vmis = `/apis/kubevirt.io/v1/namespaces/${NS}/virtualmachineinstances`;
    const phase = async (path: string): Promise<string> => (await plane.call<Obj>("GET", path)).body.status?.phase ?? "";
    const webUid = await create(pods, { apiVersion: "v1", kind: "Pod", metadata: { name: "web" }, spec: { nodeName: node, containers: [{ name: "web", image: "nginx:1.27" }] } });
    // Bound to a node that does not exist: not this host's to run.
    const otherUid = await create(pods, { apiVersion: "v1", kind: "Pod", metadata: { name: "other" }, spec: { nodeName: "agent-n2", containers: [{ name: "c", image: "busybox" }] } });

    const addresses = new AddressPool(5);
    const containers = simulatedContainerRuntime(FAST, addresses);
    const vms = simulatedVirtRuntime(FAST, addresses);
    const log = memoryLogger();
    agent = new Agent({
      credentials, secrets: () => credentials.signingSecrets, containers, vms, capacity: credentials.capacity, hostIP: "127.0.0.1",
      heartbeatIntervalMs: 500, sequence: new Sequence(), log, flushDelayMs: 10,
      watchBackoff: { initialMs: 10, maxMs: 200 }, reportBackoff: { initialMs: 10, maxMs: 200 },
    });
    agent.start();

    await until(async () => (await phase(`${pods}/web`)) === "Running", 30_000, "pod Running");
    const vmiUid = await create(vmis, {
      apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: { name: "vm" },
      spec: { terminationGracePeriodSeconds: 0, nodeSelector: { "kubernetes.io/hostname": node }, domain: { devices: {}, resources: { requests: { memory: "64Mi" } } } },
    });
    await until(async () => (await phase(`${vmis}/vm`)) === "Running", 30_000, "VMI Running");
    expect(containers.observe(otherUid)).toBeUndefined();
    const seen = (await plane.call<Obj>("GET", `/api/v1/nodes/${node}`)).body.status;
    expect(seen).toEqual(expect.objectContaining({
      capacity: expect.objectContaining({ cpu: "8", memory: "32Gi", pods: "110" }),
      addresses: expect.arrayContaining([{ type: "InternalIP", address: "127.0.0.1" }]),
      nodeInfo: expect.objectContaining({ kubeletVersion: expect.stringMatching(/^duraplane-agent\//), containerRuntimeVersion: expect.stringMatching(/^simulated:\/\//) }),
      conditions: expect.arrayContaining([expect.objectContaining({ type: "Ready", status: "True", reason: "KubeletReady" })]),
    }));

    // The pod is force-deleted on the server: the watch says so, and the agent stops it.
    expect((await plane.call("DELETE", `${pods}/web?gracePeriodSeconds=0`)).status).toBe(200);
    await until(() => containers.observe(webUid) === undefined, 10_000, "pod stopped and forgotten");

    // The host goes silent; meanwhile its VMI is deleted (grace 0: the server does not wait for the host).
    await agent.goSilent();
    expect((await plane.call("DELETE", `${vmis}/vm`)).status).toBe(200);
    await until(async () => (await plane.call("GET", `${vmis}/vm`)).status === 404, 30_000, "the VMI gone from the API");
    await new Promise((r) => setTimeout(r, 500));
    expect(vms.observe(vmiUid)?.state.phase).toBe("running"); // a host cut off does not act
    agent.comeBack();
    await until(() => vms.observe(vmiUid) === undefined, 10_000, "VMI stopped after the host came back");
    expect(log.lines.some((l) => l.includes("stopping vmi") && l.includes("gone from the API"))).toBe(true);
    // Every report passed the webhook's own schema and signature check.
    expect(log.lines.filter((l) => l.includes("refused") || l.includes("invalid"))).toEqual([]);
  }, 120_000);

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
