/**
 * @module
 * VM usage from `virsh domstats --cpu-total --balloon --list-running`: per
 * domain `cpu.time` (cumulative guest CPU time in nanoseconds, what
 * KubeVirt's virt-handler exports as kubevirt_vmi_cpu_usage_seconds_total)
 * and memory — the QEMU process's resident set (`balloon.rss`, KiB), which is
 * what the VM costs its host, else the balloon's current size.
 * @see https://libvirt.org/manpages/virsh.html#domstats
 */
import type { CgroupCounters } from "./cgroup-stats.ts";

/** `virsh domstats` output as domain name → its `key=value` fields. */
export function parseDomstats(text: string): Map<string, Record<string, string>> {
  const out = new Map<string, Record<string, string>>();
  let fields: Record<string, string> | undefined;
  for (const line of text.split("\n")) {
    const domain = /^Domain: '(.*)'\s*$/.exec(line)?.[1];
    if (domain !== undefined) {
      fields = {};
      out.set(domain, fields);
      continue;
    }
    const kv = /^\s+([\w.]+)=(.*)$/.exec(line);
    if (kv && fields) fields[kv[1] ?? ""] = (kv[2] ?? "").trim();
  }
  return out;
}

function count(value: string | undefined): number | undefined {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** One domain's counters; undefined without cpu.time or any memory figure. */
export function domainCounters(fields: Record<string, string>): CgroupCounters | undefined {
  const cpu = count(fields["cpu.time"]);
  const kib = count(fields["balloon.rss"]) ?? count(fields["balloon.current"]);
  if (cpu === undefined || kib === undefined) return undefined;
  return { cpuNanoseconds: cpu, memoryBytes: kib * 1024 };
}

/** The arguments that ask libvirt for every running domain's CPU and balloon stats in one call. */
export const DOMSTATS_ARGS = ["domstats", "--cpu-total", "--balloon", "--list-running"] as const;
