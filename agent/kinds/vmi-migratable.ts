/**
 * @module
 * The `LiveMigratable` condition virt-handler sets on a VMI
 * (pkg/virt-handler/vm.go calculateLiveMigrationCondition), for the cases a
 * host here can tell: a runtime that cannot live-migrate says nothing (the
 * condition is left out), host devices and host disks make it False, and
 * otherwise it is True. The migration webhook and the evacuation controller
 * read it.
 */
import { isRecord } from "../objects.ts";

/** A VMI condition as reported. */
export type ReportedCondition = Record<string, unknown>;

function nonEmpty(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

/** The condition for a VMI of `spec` on a runtime that `canMigrate`; undefined when the runtime cannot. */
export function liveMigratableCondition(spec: Record<string, unknown>, canMigrate: boolean): ReportedCondition | undefined {
  if (!canMigrate) return undefined;
  const domain = isRecord(spec.domain) ? spec.domain : {};
  const devices = isRecord(domain.devices) ? domain.devices : {};
  if (nonEmpty(devices.hostDevices) || nonEmpty(devices.gpus)) {
    return { type: "LiveMigratable", status: "False", reason: "HostDeviceNotLiveMigratable", message: "VMI uses a PCI host devices" };
  }
  const volumes = Array.isArray(spec.volumes) ? spec.volumes : [];
  const hostDisk = volumes.find((v) => isRecord(v) && v.hostDisk !== undefined);
  if (isRecord(hostDisk)) {
    return {
      type: "LiveMigratable", status: "False", reason: "DisksNotLiveMigratable",
      message: `cannot migrate VMI: hostDisk volume ${String(hostDisk.name ?? "")} is local to its host`,
    };
  }
  return { type: "LiveMigratable", status: "True" };
}
