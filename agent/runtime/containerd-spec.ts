/**
 * @module
 * One pod container → what containerd is asked to run, as the kubelet's
 * `generateContainerConfig` builds a CRI ContainerConfig: the process args
 * from `command`/`args` and the image's Entrypoint/Cmd, `env` with
 * `valueFrom.fieldRef`/`resourceFieldRef` and `$(VAR)` expansion,
 * `workingDir`, and `resources` as CFS quota/shares and a memory limit.
 * Pure: the golden tests in containerd-spec.test.ts pin it down.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/kuberuntime/kuberuntime_container.go
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/kubelet_pods.go (makeEnvironmentVariables)
 */
import { parseQuantity } from "../../shared/k8s/quantity.ts";
import { isRecord, str } from "../objects.ts";
import type { ImageConfig } from "./containerd-images.ts";

/** The CFS period the kubelet uses (100 ms). */
export const CPU_PERIOD_US = 100_000;

/** A container that cannot be configured (the kubelet's CreateContainerConfigError). */
export class ContainerConfigError extends Error {
  readonly reason = "CreateContainerConfigError";
}

/** The pod facts `fieldRef` reads. */
export interface PodFacts {
  uid: string;
  namespace: string;
  name: string;
  nodeName: string;
  serviceAccountName?: string;
  hostIP: string;
  podIP: string;
  annotations: Readonly<Record<string, string>>;
  labels?: Readonly<Record<string, string>>;
}

/** What containerd runs for one container. */
export interface ContainerRunSpec {
  /** The process's argv (entrypoint and arguments resolved). */
  args: string[];
  /** `NAME=value`, added to the image's Env (same name: ours wins). */
  env: string[];
  workingDir?: string;
  memoryLimitBytes?: number;
  cpuQuotaUs?: number;
  cpuPeriodUs?: number;
  cpuShares?: number;
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map((v) => String(v)) : undefined;
}

/**
 * `$(VAR)` → the value of VAR when defined, `$$(VAR)` → `$(VAR)`, anything
 * else left as written (upstream's expansion.Expand).
 */
export function expand(input: string, vars: ReadonlyMap<string, string>): string {
  return input.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === "$$") return "$";
    return name !== undefined && vars.has(name) ? (vars.get(name) ?? "") : match;
  });
}

function fieldValue(path: string, pod: PodFacts): string {
  const keyed = /^metadata\.(labels|annotations)\['([^']+)'\]$/.exec(path);
  if (keyed) return (keyed[1] === "labels" ? pod.labels : pod.annotations)?.[keyed[2] ?? ""] ?? "";
  switch (path) {
    case "metadata.name": return pod.name;
    case "metadata.namespace": return pod.namespace;
    case "metadata.uid": return pod.uid;
    case "spec.nodeName": return pod.nodeName;
    case "spec.serviceAccountName": return pod.serviceAccountName ?? "default";
    case "status.hostIP": case "status.hostIPs": return pod.hostIP;
    case "status.podIP": case "status.podIPs": return pod.podIP;
    default: throw new ContainerConfigError(`unsupported fieldRef fieldPath "${path}"`);
  }
}

/** `resourceFieldRef`: the container's limit (or the node's allocatable when unset, here: empty), in `divisor` units. */
function resourceValue(ref: Record<string, unknown>, container: Record<string, unknown>): string {
  const resource = str(ref.resource) ?? "";
  const [kind, name] = resource.split(".");
  const resources = isRecord(container.resources) ? container.resources : {};
  const set = isRecord(resources[kind ?? ""]) ? (resources[kind ?? ""] as Record<string, unknown>) : {};
  const raw = set[name ?? ""];
  if (raw === undefined) return "";
  const divisor = parseQuantity(str(ref.divisor) ?? "1");
  return String(Math.ceil(parseQuantity(raw as string) / divisor));
}

/** The container's env in order, with fieldRef/resourceFieldRef resolved and `$(VAR)` expanded. */
export function containerEnv(container: Record<string, unknown>, pod: PodFacts): Map<string, string> {
  const vars = new Map<string, string>();
  for (const entry of Array.isArray(container.env) ? container.env.filter(isRecord) : []) {
    const name = str(entry.name);
    if (!name) continue;
    const from = isRecord(entry.valueFrom) ? entry.valueFrom : undefined;
    if (!from) {
      vars.set(name, expand(str(entry.value) ?? "", vars));
    } else if (isRecord(from.fieldRef)) {
      vars.set(name, fieldValue(str(from.fieldRef.fieldPath) ?? "", pod));
    } else if (isRecord(from.resourceFieldRef)) {
      vars.set(name, resourceValue(from.resourceFieldRef, container));
    } else {
      const kind = Object.keys(from)[0] ?? "valueFrom";
      throw new ContainerConfigError(`env ${name}: ${kind} is not supported by this host's container runtime yet`);
    }
  }
  return vars;
}

/** The kubelet's milliCPUToQuota and milliCPUToShares. */
function cpuSettings(resources: Record<string, unknown>): Pick<ContainerRunSpec, "cpuQuotaUs" | "cpuPeriodUs" | "cpuShares"> {
  const limits = isRecord(resources.limits) ? resources.limits : {};
  const requests = isRecord(resources.requests) ? resources.requests : {};
  const limit = limits.cpu ?? undefined;
  const request = requests.cpu ?? limit;
  const out: Pick<ContainerRunSpec, "cpuQuotaUs" | "cpuPeriodUs" | "cpuShares"> = {};
  if (request !== undefined) out.cpuShares = Math.max(2, Math.floor((Math.ceil(parseQuantity(request as string) * 1000) * 1024) / 1000));
  if (limit !== undefined) {
    const milli = Math.ceil(parseQuantity(limit as string) * 1000);
    out.cpuQuotaUs = Math.max(1000, Math.floor((milli * CPU_PERIOD_US) / 1000));
    out.cpuPeriodUs = CPU_PERIOD_US;
  }
  return out;
}

/** What containerd runs for `container` of the pod, on an image with `image` config. */
export function containerRunSpec(container: Record<string, unknown>, image: ImageConfig, pod: PodFacts): ContainerRunSpec {
  const env = containerEnv(container, pod);
  const command = strings(container.command);
  const args = strings(container.args);
  // Upstream: command replaces the Entrypoint and drops the image's Cmd; args alone replace the Cmd.
  const entry = command ?? image.Entrypoint ?? [];
  const rest = command ? (args ?? []) : (args ?? image.Cmd ?? []);
  const argv = [...entry, ...rest].map((a) => expand(a, env));
  if (argv.length === 0) throw new ContainerConfigError("no command specified: the image has no Entrypoint or Cmd and the container no command");
  const resources = isRecord(container.resources) ? container.resources : {};
  const limits = isRecord(resources.limits) ? resources.limits : {};
  const workingDir = str(container.workingDir);
  return {
    args: argv,
    env: [...env].map(([k, v]) => `${k}=${v}`),
    ...(workingDir ? { workingDir } : {}),
    ...(limits.memory !== undefined ? { memoryLimitBytes: Math.ceil(parseQuantity(limits.memory as string)) } : {}),
    ...cpuSettings(resources),
  };
}

/** The `ctr run` argv for a spec (everything before the image: the options). */
export function ctrRunOptions(spec: ContainerRunSpec, labels: Readonly<Record<string, string>>, logUri: string): string[] {
  const out = ["--detach", "--net-host", "--log-uri", logUri];
  for (const [k, v] of Object.entries(labels)) out.push("--label", `${k}=${v}`);
  for (const e of spec.env) out.push("--env", e);
  if (spec.workingDir) out.push("--cwd", spec.workingDir);
  if (spec.memoryLimitBytes !== undefined) out.push("--memory-limit", String(spec.memoryLimitBytes));
  if (spec.cpuQuotaUs !== undefined) out.push("--cpu-quota", String(spec.cpuQuotaUs), "--cpu-period", String(spec.cpuPeriodUs ?? CPU_PERIOD_US));
  if (spec.cpuShares !== undefined) out.push("--cpu-shares", String(spec.cpuShares));
  return out;
}
