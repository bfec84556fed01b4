/**
 * @module
 * Whether this host's KVM can run an ordinary guest. `/dev/kvm` alone does
 * not say so: a Firecracker VM whose kernel offers PVM (`kvm-pvm`, KVM
 * without hardware virtualization, seen on this workplace's machines) has
 * the device but runs only guests built for PVM; a stock kernel hangs there
 * right after the bootloader, with QEMU warning that the host lacks SSE3
 * (`CPUID.01H:ECX.pni`). As `kvm-ok` (Ubuntu's cpu-checker) does, KVM is
 * used only when the device exists and the CPU shows Intel VT-x (`vmx`) or
 * AMD-V (`svm`); otherwise domains run under QEMU's TCG emulation.
 */
import { existsSync, readFileSync } from "node:fs";

/** Whether `cpuinfo` (the text of /proc/cpuinfo) shows hardware virtualization on its flags lines. */
export function hasHardwareVirtualization(cpuinfo: string): boolean {
  return cpuinfo.split("\n").some((line) => {
    const [key, value] = line.split(":", 2);
    if (key?.trim() !== "flags" || value === undefined) return false;
    const flags = value.trim().split(/\s+/);
    return flags.includes("vmx") || flags.includes("svm");
  });
}

/** Whether domains on this host should be `type='kvm'` (else `type='qemu'`, TCG). */
export function kvmUsable(): boolean {
  if (!existsSync("/dev/kvm")) return false;
  try {
    return hasHardwareVirtualization(readFileSync("/proc/cpuinfo", "utf8"));
  } catch {
    return false;
  }
}
