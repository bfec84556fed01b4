/**
 * @module
 * `duraplane-agent run`: the agent loop for a joined host, with containers
 * under containerd (`--container-runtime containerd`) or simulated, and the
 * simulated runtimes' fault injection, including `--lose-host-after-ms`,
 * which silences the whole agent to simulate losing the host.
 */
import { join } from "node:path";
import { procHostCounters } from "../host-usage.ts";
import { parseArgs } from "node:util";
import { Agent } from "../agent.ts";
import { credentialsPath, readCredentials, SecretsSource } from "../config.ts";
import { hostCapacity } from "../heartbeat.ts";
import { createLogger, errorMessage, type Logger } from "../log.ts";
import { AddressPool, nodeIndexFor } from "../runtime/addresses.ts";
import { containerdRuntime } from "../runtime/containerd-containers.ts";
import { ContainerdImageStore } from "../runtime/containerd-images.ts";
import type { ContainerRuntime } from "../runtime/containers.ts";
import { DirectoryImageStore } from "../runtime/dir-images.ts";
import type { ImageStore } from "../runtime/images.ts";
import { containerdMissing, Ctr } from "../runtime/ctr.ts";
import { simulatedContainerRuntime } from "../runtime/simulated-containers.ts";
import { SimulatedVirtRuntime } from "../runtime/simulated-vm-migration.ts";
import type { VirtRuntime } from "../runtime/vms.ts";
import type { SimulationOptions } from "../runtime/simulated.ts";
import { rotateSigningSecret, SecretRotator } from "../rotation.ts";
import { loadSequenceFloor, saveSequenceFloor, Sequence } from "../sequence.ts";
import { intFlag, rateFlag, UsageError } from "./flags.ts";
import { defaultStateDir } from "./join.ts";
import { openLibvirt, VM_RUNTIMES } from "./vm-runtime.ts";

/** Usage of this command. */
export const RUN_USAGE = `duraplane-agent run (--state DIR | --name NODE) [options]
  --adapter simulated            runtime adapters (only "simulated" so far)
  --container-runtime simulated  pods under "containerd" (needs the containerd and runc packages) or "simulated"
  --containerd-address /run/containerd/containerd.sock  containerd's socket
  --capacity join|host           advertise the capacity given at join, or the host's own (cpus, MemTotal,
                                 110 pods); default: host with a real runtime, join otherwise
  --heartbeat-interval-ms 10000  how often the Node's status is sent
  --host-ip 127.0.0.1            the node's InternalIP
  --cpu N --memory Q --pods N    override the capacity given at join
  --[no-]insecure-skip-tls-verify override the TLS setting kept at join
  --restart-backoff-ms 10000     first delay before restarting a crashed container (doubles to 5 min)
  --rotate-secret-every-ms 86400000  rotate the webhook signing secret this often (0: never)
  --vm-runtime simulated         VMs: simulated, or libvirt (QEMU through libvirtd)
 libvirt VM runtime:
  --libvirt-uri qemu:///system   the libvirt connection
  --image-dir DIR                kernelBoot and containerDisk images, one directory per image
                                 (default: containerd's store, where npm run images puts them)
  --vm-run-dir DIR               per-VMI files: disks, kernel, serial log (default /var/lib/duraplane/NODE/vms)
  --vm-bridge BR                 attach VM interfaces to this host bridge (default: user-mode networking)
  --migration-address HOST:PORT  where other hosts reach this host's libvirtd over TCP for live
                                 migration (default: --host-ip and libvirt's port, 16509)
 simulated runtime:
  --boot-delay-ms 2000           creating → running
  --stop-delay-ms 1000           a graceful stop (beyond the grace period: killed at its end)
  --boot-failure-rate 0          share of starts that fail (0–1)
  --crash-after-ms MS            running workloads crash this long after starting…
  --crash-rate R                 …this share of them (1 when only --crash-after-ms is given)
  --node-index N                 workload IPs are 10.N.x.y (default: from the node name)
  --migration-duration-ms 3000   a live migration's transfer takes this long
  --lose-host-after-ms MS        then go silent: no heartbeats, reports or watches
  --lose-host-for-ms MS          …and come back after this long (default: never)`;

/** Runs the agent until SIGTERM or SIGINT; resolves with the exit code. */
export async function runCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args, allowNegative: true,
    options: {
      state: { type: "string" }, name: { type: "string" }, adapter: { type: "string", default: "simulated" },
      "heartbeat-interval-ms": { type: "string" }, "host-ip": { type: "string", default: "127.0.0.1" },
      cpu: { type: "string" }, memory: { type: "string" }, pods: { type: "string" },
      "insecure-skip-tls-verify": { type: "boolean" }, "restart-backoff-ms": { type: "string" },
      "container-runtime": { type: "string", default: "simulated" }, "containerd-address": { type: "string" }, capacity: { type: "string" },
      "rotate-secret-every-ms": { type: "string" },
      "boot-delay-ms": { type: "string" }, "stop-delay-ms": { type: "string" }, "boot-failure-rate": { type: "string" },
      "crash-after-ms": { type: "string" }, "crash-rate": { type: "string" }, "node-index": { type: "string" },
      "lose-host-after-ms": { type: "string" }, "lose-host-for-ms": { type: "string" },
      "vm-runtime": { type: "string", default: "simulated" }, "libvirt-uri": { type: "string", default: "qemu:///system" },
      "image-dir": { type: "string" }, "vm-run-dir": { type: "string" }, "vm-bridge": { type: "string" },
      "migration-address": { type: "string" },
      "migration-duration-ms": { type: "string" },
    },
  });
  const state = values.state ?? (values.name ? defaultStateDir(values.name) : undefined);
  if (!state) throw new UsageError(RUN_USAGE);
  if (values.adapter !== "simulated") throw new UsageError(`--adapter: only "simulated" exists so far, got "${values.adapter}"`);
  const vmRuntime = values["vm-runtime"];
  if (!(VM_RUNTIMES as readonly string[]).includes(vmRuntime)) throw new UsageError(`--vm-runtime must be one of ${VM_RUNTIMES.join(", ")}, got "${vmRuntime}"`);
  const stored = readCredentials(state);
  if (!stored) throw new UsageError(`no credentials in ${credentialsPath(state)}: run \`duraplane-agent join\` first`);
  const credentials = { ...stored, insecureSkipTLSVerify: values["insecure-skip-tls-verify"] ?? stored.insecureSkipTLSVerify };

  const simulation: SimulationOptions = {
    bootDelayMs: intFlag("boot-delay-ms", values["boot-delay-ms"], 2000),
    stopDelayMs: intFlag("stop-delay-ms", values["stop-delay-ms"], 1000),
    bootFailureRate: rateFlag("boot-failure-rate", values["boot-failure-rate"], 0),
    crashAfterMs: intFlag("crash-after-ms", values["crash-after-ms"], 30_000),
    crashRate: rateFlag("crash-rate", values["crash-rate"], values["crash-after-ms"] !== undefined ? 1 : 0),
  };
  const addresses = new AddressPool(intFlag("node-index", values["node-index"], nodeIndexFor(credentials.nodeName), 0, 255));
  const containerRuntime = values["container-runtime"];
  if (containerRuntime !== "simulated" && containerRuntime !== "containerd") {
    throw new UsageError(`--container-runtime must be "containerd" or "simulated", got "${containerRuntime}"`);
  }
  const real = containerRuntime === "containerd";
  const capacityFrom = values.capacity ?? (real || vmRuntime === "libvirt" ? "host" : "join");
  if (capacityFrom !== "host" && capacityFrom !== "join") throw new UsageError(`--capacity must be "host" or "join", got "${capacityFrom}"`);
  if (real) {
    const missing = await containerdMissing({ address: values["containerd-address"] });
    if (missing) throw new UsageError(`--container-runtime containerd: ${missing}`);
  }
  const capacity = {
    ...(capacityFrom === "host" ? hostCapacity() : credentials.capacity),
    ...(values.cpu ? { cpu: values.cpu } : {}), ...(values.memory ? { memory: values.memory } : {}), ...(values.pods ? { pods: values.pods } : {}),
  };
  const log = createLogger();
  const sequenceFile = join(state, "sequence");
  const sequence = new Sequence(loadSequenceFloor(sequenceFile));
  const secrets = new SecretsSource(state, credentials.signingSecrets);
  const restartMs = intFlag("restart-backoff-ms", values["restart-backoff-ms"], 10_000, 1);
  const containers: ContainerRuntime = real
    ? await realContainerRuntime({ state, address: values["containerd-address"], nodeName: credentials.nodeName, hostIP: values["host-ip"], log })
    : simulatedContainerRuntime(simulation, addresses);
  const vms: VirtRuntime = vmRuntime === "libvirt"
    ? await openLibvirt({
      uri: values["libvirt-uri"], images: () => vmImageStore(state, values["image-dir"], values["containerd-address"]), runDir: values["vm-run-dir"] ?? join("/var/lib/duraplane", credentials.nodeName, "vms"),
      ...(values["vm-bridge"] ? { bridge: values["vm-bridge"] } : {}), log, nodeName: credentials.nodeName,
      migrationAddress: values["migration-address"] ?? `${values["host-ip"]}:16509`,
    })
    : new SimulatedVirtRuntime(simulation, addresses, values["host-ip"], intFlag("migration-duration-ms", values["migration-duration-ms"], 3000));
  const agent = new Agent({
    credentials, secrets: () => secrets.current(), capacity, hostIP: values["host-ip"], log, sequence,
    containers, vms,
    // A real host reports its own usage (/proc); a simulated one the sum of what it runs.
    ...(real || vmRuntime === "libvirt" ? { hostCounters: () => procHostCounters() } : {}),
    heartbeatIntervalMs: intFlag("heartbeat-interval-ms", values["heartbeat-interval-ms"], 10_000, 100),
    restartBackoff: { initialMs: restartMs, maxMs: Math.max(restartMs, 300_000), jitter: 0 },
  });

  const timers: NodeJS.Timeout[] = [];
  const loseAfter = values["lose-host-after-ms"];
  if (loseAfter !== undefined) {
    const forMs = values["lose-host-for-ms"];
    timers.push(setTimeout(() => {
      agent.goSilent().then(() => {
        if (forMs !== undefined) timers.push(setTimeout(() => agent.comeBack(), intFlag("lose-host-for-ms", forMs, 0)));
      }, (err: unknown) => log.error("going silent failed", { error: errorMessage(err) }));
    }, intFlag("lose-host-after-ms", loseAfter, 0)));
  }

  agent.start();
  const rotateEvery = intFlag("rotate-secret-every-ms", values["rotate-secret-every-ms"], 86_400_000, 0);
  const rotator = rotateEvery > 0
    ? new SecretRotator({ everyMs: rotateEvery, retryMs: Math.min(rotateEvery, 60_000), rotate: () => rotateSigningSecret(state), log })
    : undefined;
  rotator?.start();
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  log.info("stopping", { signal });
  for (const t of timers) clearTimeout(t);
  rotator?.stop();
  await agent.stop();
  saveSequenceFloor(sequenceFile, sequence);
  return 0;
}

/**
 * The containerd adapter with its image store (`<state>/images` caches
 * unpacked images; the VM adapter reads kernelBoot and containerDisk images
 * through the same kind of store) and its logs under `<state>/pods`.
 */
/**
 * Where the libvirt runtime reads images: `--image-dir` (one directory per
 * image) when given, else containerd's store (`npm run images` imports there).
 */
async function vmImageStore(state: string, imageDir: string | undefined, address: string | undefined): Promise<ImageStore> {
  if (imageDir !== undefined) return new DirectoryImageStore(imageDir);
  const missing = await containerdMissing({ address });
  if (missing) throw new UsageError(`--vm-runtime libvirt reads its images from containerd, which is not usable: ${missing}; or pass --image-dir DIR`);
  return new ContainerdImageStore(new Ctr({ address }), join(state, "images"));
}

async function realContainerRuntime(o: { state: string; address?: string; nodeName: string; hostIP: string; log: Logger }): Promise<ContainerRuntime> {
  const ctr = new Ctr({ address: o.address });
  const images = new ContainerdImageStore(ctr, join(o.state, "images"));
  return containerdRuntime({ ctr, images, stateDir: o.state, nodeName: o.nodeName, hostIP: o.hostIP, log: o.log });
}
