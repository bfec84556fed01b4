/**
 * @module
 * VMIs on this host: what the hypervisor is given, the grace period (the
 * spec's terminationGracePeriodSeconds, nil meaning 30 — a VMI's own
 * deletion carries grace 0, as custom resources have no graceful delete, and
 * virt-handler uses the spec's), and no restarts: a VMI runs once; the
 * VirtualMachine controller makes a new one.
 */
import type { ApiObject } from "../objects.ts";
import { isRecord, num, str } from "../objects.ts";
import type { VirtRuntime, VMDetail, VMRuntimeSpec } from "../runtime/vms.ts";
import { FINAL_PHASES, type KindDriver } from "./driver.ts";
import { vmiStatus } from "./vmi-status.ts";
import { liveMigratableCondition } from "./vmi-migratable.ts";

/** KubeVirt's DefaultGracePeriodSeconds. */
const DEFAULT_GRACE_SECONDS = 30;

function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/** The VMI carries the Paused condition the pause subresource writes. */
export function isPausedByUser(status: Record<string, unknown>): boolean {
  const conditions = Array.isArray(status.conditions) ? status.conditions : [];
  return conditions.some((c) => isRecord(c) && c.type === "Paused" && c.status === "True" && (c.reason === undefined || c.reason === PAUSED_BY_USER));
}

/** The Paused condition's reason when a user paused the VMI (KubeVirt's VirtualMachineInstanceReasonPausedByUser). */
export const PAUSED_BY_USER = "PausedByUser";

/** The hypervisor's summary of a VMI spec (defaults as KubeVirt's pkg/defaults). */
export function vmRuntimeSpec(spec: Record<string, unknown>): VMRuntimeSpec {
  const domain = record(spec.domain);
  const cpu = record(domain.cpu);
  const requests = record(record(domain.resources).requests);
  const cores = (num(cpu.sockets) ?? 1) * (num(cpu.cores) ?? 1) * (num(cpu.threads) ?? 1);
  const devices = record(domain.devices);
  const names = (Array.isArray(devices.interfaces) ? devices.interfaces : []).map((i) => str(record(i).name)).filter((n): n is string => !!n);
  const memory = str(record(domain.memory).guest) ?? str(requests.memory);
  return { cpuCores: cores, ...(memory ? { memory } : {}), interfaces: names.length > 0 ? names : ["default"] };
}

/** The driver for VMIs, over a hypervisor. */
export function vmiDriver(adapter: VirtRuntime): KindDriver<VMRuntimeSpec, VMDetail> {
  return {
    kind: "VirtualMachineInstance",
    noun: "vmi",
    adapter,
    workload: (object: ApiObject) => ({
      uid: object.metadata.uid, namespace: object.metadata.namespace, name: object.metadata.name,
      annotations: object.metadata.annotations, spec: vmRuntimeSpec(object.spec), rawSpec: object.spec,
    }),
    gracePeriodSeconds: (object) => num(object.spec.terminationGracePeriodSeconds) ?? DEFAULT_GRACE_SECONDS,
    isFinal: (object) => FINAL_PHASES.has(str(object.status.phase) ?? ""),
    shouldRestart: () => false,
    // virt-handler: a Running VMI without a domain is Failed (it cannot have been stopped by anyone else).
    isLost: (object) => str(object.status.phase) === "Running",
    // The pause subresource writes Paused=True (PausedByUser) and unpause removes it; the agent suspends/resumes to match.
    wantsPaused: (object) => isPausedByUser(object.status),
    item: (base, input) => {
      const status = vmiStatus(input);
      // Live migration: virt-handler's LiveMigratable condition, when this runtime can migrate (vmi-migratable.ts).
      const migratable = liveMigratableCondition(input.object.spec, adapter.migration !== undefined);
      if (migratable) status.conditions = [...(status.conditions ?? []), migratable];
      return { kind: "VirtualMachineInstance", ...base, status };
    },
  };
}
