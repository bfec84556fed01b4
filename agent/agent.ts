/**
 * @module
 * One host agent: a list+watch of the pods and of the VMIs bound to this
 * node (with the node's own token), a host loop per kind driving its runtime
 * adapter, the reporter delivering observations and heartbeats through the
 * signed webhook. `goSilent`/`comeBack` simulate losing the host's network.
 */
import { VMI_MIGRATION_TARGET_LABEL, VMI_NODE_NAME_LABEL } from "../shared/hosts/constants.ts";
import { MigrationAgent } from "./migration.ts";
import type { BackoffOptions } from "./backoff.ts";
import type { Credentials } from "./config.ts";
import { Heartbeat, nodeReport } from "./heartbeat.ts";
import { HostLoop } from "./host.ts";
import { HttpClient } from "./http.ts";
import { podDriver } from "./kinds/pod.ts";
import { vmiDriver } from "./kinds/vmi.ts";
import type { Logger } from "./log.ts";
import { type ApiObject, asApiObject } from "./objects.ts";
import { Reporter } from "./reporter.ts";
import type { ContainerRuntime } from "./runtime/containers.ts";
import { hasContainerStreams, hasVMStreams } from "./runtime/streams.ts";
import { TunnelClient } from "./tunnel/tunnel-client.ts";
import type { VirtRuntime } from "./runtime/vms.ts";
import type { Sequence } from "./sequence.ts";
import { ListWatch } from "./watch.ts";
import { type HostCounters, UsageCollector } from "./usage.ts";
import { errorMessage } from "./log.ts";
import { sleep } from "./backoff.ts";

/** Everything an agent is made of. */
export interface AgentOptions {
  credentials: Credentials;
  /** The signing secrets, current at each call (see SecretsSource). */
  secrets(): readonly string[];
  containers: ContainerRuntime;
  vms: VirtRuntime;
  capacity: Record<string, string>;
  hostIP: string;
  heartbeatIntervalMs: number;
  sequence: Sequence;
  log: Logger;
  restartBackoff?: BackoffOptions;
  watchBackoff?: BackoffOptions;
  reportBackoff?: BackoffOptions;
  /** Redials of the node's stream tunnel (tunnel/tunnel-client.ts). */
  tunnelBackoff?: BackoffOptions;
  flushDelayMs?: number;
  /** The host's own counters for the node's usage (real hosts: /proc); absent: modelled from the workloads. */
  hostCounters?(): Promise<HostCounters | undefined>;
}

/** A heartbeat waits at most this long for the usage sampled with it, then goes without. */
const USAGE_TIMEOUT_MS = 2000;

/** A running host agent. */
export class Agent {
  private readonly api: HttpClient;
  private readonly webhook: HttpClient;
  private readonly reporter: Reporter;
  private readonly loops: { resync(): void; close(): void; idle(): Promise<void> }[];
  private readonly watches: ListWatch<ApiObject>[];
  private readonly heartbeat: Heartbeat;
  private readonly usage: UsageCollector;
  /** The node's stream tunnel (logs, exec, port-forward, consoles), when the adapters serve streams. */
  readonly tunnel?: TunnelClient;
  private silent = false;

  constructor(private readonly options: AgentOptions) {
    const { credentials: creds, log } = options;
    this.api = new HttpClient({ server: creds.server, token: creds.token, insecureSkipTLSVerify: creds.insecureSkipTLSVerify });
    // The webhook authenticates by signature; the API token is not sent there.
    this.webhook = new HttpClient({ server: creds.server, insecureSkipTLSVerify: creds.insecureSkipTLSVerify });
    this.reporter = new Reporter({
      post: (body, headers) => this.webhook.request("POST", creds.webhookPath, { body, headers }),
      secrets: options.secrets, log, flushDelayMs: options.flushDelayMs,
      // A retry never waits longer than a heartbeat interval (the kubelet retries its node status at
      // that cadence): after a control-plane outage the node is Ready again within one interval,
      // well inside the server's grace period, however long the outage lasted.
      backoff: options.reportBackoff ?? { initialMs: 250, maxMs: Math.min(30_000, options.heartbeatIntervalMs) },
    });
    const shared = { hostIP: options.hostIP, sequence: options.sequence, reporter: this.reporter, log, restartBackoff: options.restartBackoff };
    const pods = new HostLoop(podDriver(options.containers), shared);
    // Live migration (migration.ts): the target role's watch, and the source role beside the VMI loop.
    const migrations = new MigrationAgent({ nodeName: creds.nodeName, vms: options.vms, sequence: options.sequence, reporter: this.reporter, log });
    const vmis = new HostLoop(vmiDriver(options.vms), { ...shared, held: (uid) => migrations.held(uid) });
    this.loops = [pods, vmis];
    const common = {
      http: this.api, parse: asApiObject, resourceVersionOf: (o: ApiObject) => o.metadata.resourceVersion, log, backoff: options.watchBackoff,
    };
    this.watches = [
      new ListWatch({ ...common, name: "pods", path: "/api/v1/pods", query: { fieldSelector: `spec.nodeName=${creds.nodeName}` }, handler: pods }),
      new ListWatch({
        ...common, name: "vmis", path: "/apis/kubevirt.io/v1/virtualmachineinstances",
        query: { labelSelector: `${VMI_NODE_NAME_LABEL}=${creds.nodeName}` }, handler: migrations.tee(vmis),
      }),
      new ListWatch({
        ...common, name: "incoming-vmis", path: "/apis/kubevirt.io/v1/virtualmachineinstances",
        query: { labelSelector: `${VMI_MIGRATION_TARGET_LABEL}=${creds.nodeName}` }, handler: migrations.targetHandler,
      }),
    ];
    const facts = { nodeName: creds.nodeName, hostIP: options.hostIP, capacity: options.capacity, containerRuntimeVersion: options.containers.runtimeVersion };
    const podUsage = options.containers.usage?.bind(options.containers);
    const vmiUsage = options.vms.usage?.bind(options.vms);
    const host = options.hostCounters;
    this.usage = new UsageCollector({
      ...(podUsage ? { pods: podUsage } : {}), ...(vmiUsage ? { vmis: vmiUsage } : {}), ...(host ? { host } : {}),
      onError: (source, err) => log.warn("usage not sampled", { source, error: errorMessage(err) }),
    });
    this.heartbeat = new Heartbeat(() => this.beat(nodeReport(facts)), options.heartbeatIntervalMs);
    const providers = {
      ...(hasContainerStreams(options.containers) ? { containers: options.containers } : {}),
      ...(hasVMStreams(options.vms) ? { vms: options.vms } : {}),
    };
    if (providers.containers || providers.vms) {
      this.tunnel = new TunnelClient({
        server: creds.server, token: creds.token, nodeName: creds.nodeName, insecureSkipTLSVerify: creds.insecureSkipTLSVerify,
        providers, log, ...(options.tunnelBackoff ? { backoff: options.tunnelBackoff } : {}),
      });
    }
  }

  /** One heartbeat, with the usage sampled now (kubectl top); a slow or failing sample never holds it back. */
  private beat(node: ReturnType<typeof nodeReport>): void {
    const timeout = new AbortController();
    void Promise.race([this.usage.collect(), sleep(USAGE_TIMEOUT_MS, timeout.signal).then(() => undefined)])
      .catch((err: unknown) => {
        this.options.log.warn("usage not sampled", { error: errorMessage(err) });
        return undefined;
      })
      .then((usage) => {
        timeout.abort();
        if (!this.silent) this.reporter.heartbeat(node, usage);
      }, () => undefined);
  }

  /** Starts heartbeats and watches. */
  start(): void {
    const { credentials: creds, log } = this.options;
    log.info("agent started", { node: creds.nodeName, server: creds.server, runtime: this.options.containers.runtimeVersion, vmRuntime: this.options.vms.runtimeVersion });
    this.heartbeat.start();
    for (const w of this.watches) w.start();
    this.tunnel?.start();
  }

  /** The host drops off the network: no heartbeats, no reports, no watch; workloads keep running. */
  async goSilent(): Promise<void> {
    if (this.silent) return;
    this.silent = true;
    this.options.log.warn("host lost (simulated): no heartbeats, reports or watches");
    this.heartbeat.stop();
    this.tunnel?.stop();
    await Promise.all([this.reporter.pause(), ...this.watches.map((w) => w.stop())]);
  }

  /** The host is back: list afresh (stopping what the API no longer wants here) and report everything again. */
  comeBack(): void {
    if (!this.silent) return;
    this.silent = false;
    this.options.log.info("host back (simulated): relisting and reporting again");
    this.reporter.resume();
    this.heartbeat.start();
    for (const w of this.watches) w.start();
    this.tunnel?.start();
    for (const loop of this.loops) loop.resync();
  }

  /** Stops cleanly: watches, heartbeats, a last flush of reports, then the runtimes. */
  async stop(): Promise<void> {
    this.heartbeat.stop();
    this.tunnel?.stop();
    await Promise.all(this.watches.map((w) => w.stop()));
    for (const loop of this.loops) loop.close();
    await this.reporter.close();
    await Promise.all([this.options.containers.close(), this.options.vms.close()]);
    await Promise.all(this.loops.map((l) => l.idle()));
    this.api.close();
    this.webhook.close();
    this.options.log.info("agent stopped", { node: this.options.credentials.nodeName });
  }
}
