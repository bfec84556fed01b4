/**
 * @module
 * A VMI's status from the hypervisor's observation, virt-handler's share of
 * it: phase (Scheduled once accepted, Running while the domain runs,
 * Succeeded after a shutdown, Failed after a crash, a failed boot, a destroy
 * at the end of the grace period, or a domain lost with its host), the Ready
 * and AgentConnected conditions, interfaces and the guest OS info.
 * @see https://github.com/kubevirt/kubevirt/blob/main/pkg/virt-handler/vm.go (calculateVmPhaseForStatusReason)
 */
import type { ReportItem } from "../../shared/hosts/report.ts";
import type { VMDetail } from "../runtime/vms.ts";
import type { StatusInput } from "./driver.ts";

/** The VMI half of a report item's status. */
export type VMIReportStatus = Extract<ReportItem, { kind: "VirtualMachineInstance" }>["status"];

/** The reason given for a VMI whose domain vanished with a host restart. */
export const DOMAIN_LOST_REASON = "DomainLost";

function phaseOf(input: StatusInput<VMDetail>): { phase: NonNullable<VMIReportStatus["phase"]>; reason?: string } {
  const { observation, lostAt } = input;
  if (lostAt) return { phase: "Failed", reason: DOMAIN_LOST_REASON };
  const state = observation?.state;
  if (!state || state.phase === "creating") return { phase: "Scheduled" };
  if (state.phase === "running") return { phase: "Running" };
  // Only a shutdown the guest or we asked for succeeds; a destroy after the grace period fails, as upstream.
  if (state.exitCode === 0) return { phase: "Succeeded" };
  return { phase: "Failed", reason: state.reason };
}

/** The report status of a VMI. */
export function vmiStatus(input: StatusInput<VMDetail>): VMIReportStatus {
  const detail = input.observation?.detail;
  const { phase, reason } = phaseOf(input);
  const running = phase === "Running";
  const agent = running && detail?.guestAgentConnected === true;
  const interfaces = (detail?.interfaces ?? []).map((i) => ({
    name: i.name,
    mac: i.mac,
    ...(i.interfaceName ? { interfaceName: i.interfaceName } : {}),
    ...(i.ipAddress ? { ipAddress: i.ipAddress, ipAddresses: [i.ipAddress], infoSource: "domain, guest-agent" } : { infoSource: "domain" }),
  }));
  return {
    phase,
    ...(reason ? { reason } : {}),
    conditions: [
      running
        ? { type: "Ready", status: "True" }
        : { type: "Ready", status: "False", reason: "GuestNotRunning", message: "Guest VM is not reported as running" },
      agent
        ? { type: "AgentConnected", status: "True" }
        : { type: "AgentConnected", status: "False", reason: "GuestAgentNotConnected" },
      // Kept while the hypervisor reports the domain suspended; the unpause subresource removes it.
      ...(running && input.observation?.paused ? [{ type: "Paused", status: "True", reason: "PausedByUser", message: "VMI was paused by user" }] : []),
    ],
    ...(input.observation ? { interfaces } : {}),
    // The last known guest info stays on the object after the guest stops (it is omitted, not cleared).
    ...(detail?.guestOSInfo ? { guestOSInfo: { ...detail.guestOSInfo } } : {}),
  };
}
