import { describe, expect, it } from "vitest";
import { hasHardwareVirtualization } from "./kvm.ts";

const cpu = (flags: string) => `processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: ${flags}\nbugs\t\t: spectre_v1\n\nprocessor\t: 1\nflags\t\t: ${flags}\n`;

describe("hasHardwareVirtualization", () => {
  it("sees Intel VT-x and AMD-V on the flags lines", () => {
    expect(hasHardwareVirtualization(cpu("fpu vme de pse tsc msr pae vmx sse sse2"))).toBe(true);
    expect(hasHardwareVirtualization(cpu("fpu vme svm sse sse2 pni"))).toBe(true);
  });

  it("refuses a CPU without either, as a PVM guest's (KVM device, no hardware virtualization)", () => {
    expect(hasHardwareVirtualization(cpu("fpu vme de pse tsc msr pae sse sse2 pni hypervisor"))).toBe(false);
  });

  it("matches whole flags on flags lines only", () => {
    expect(hasHardwareVirtualization(cpu("fpu vmx_ept svmx sse"))).toBe(false);
    expect(hasHardwareVirtualization("model name\t: vmx svm\nflags\t\t: fpu sse\n")).toBe(false);
    expect(hasHardwareVirtualization("")).toBe(false);
  });
});
