/**
 * @module
 * Addresses for simulated workloads: IPs `10.<node-index>.x.y` from one pool
 * per host (pods and VMs share it, as they share a real host's bridge), and
 * stable locally administered MACs in QEMU's 52:54:00 range.
 */
import { createHash } from "node:crypto";

/** Hands out and takes back the host's workload IPs. */
export class AddressPool {
  private readonly free: string[] = [];
  private nextHost = 0;

  /** @param nodeIndex 0–255, the second octet. */
  constructor(private readonly nodeIndex: number) {
    if (!Number.isInteger(nodeIndex) || nodeIndex < 0 || nodeIndex > 255) throw new Error(`node index must be 0–255, got ${nodeIndex}`);
  }

  /** A free IP; released ones are reused last-in first-out. */
  allocate(): string {
    const reused = this.free.pop();
    if (reused) return reused;
    // 253 usable host numbers per /24 (2–254: .1 is the bridge), 256 /24s per node.
    const n = this.nextHost++;
    const third = Math.floor(n / 253);
    if (third > 255) throw new Error("address pool exhausted");
    return `10.${this.nodeIndex}.${third}.${(n % 253) + 2}`;
  }

  /** Returns an IP to the pool. */
  release(ip: string): void {
    this.free.push(ip);
  }
}

/** A stable MAC for one interface of one workload. */
export function macFor(uid: string, iface: string): string {
  const h = createHash("sha256").update(`${uid}/${iface}`).digest();
  return ["52", "54", "00", ...[h[0], h[1], h[2]].map((b) => (b ?? 0).toString(16).padStart(2, "0"))].join(":");
}

/** A node index derived from the node name, for when none is configured (1–254). */
export function nodeIndexFor(nodeName: string): number {
  return ((createHash("sha256").update(nodeName).digest()[0] ?? 0) % 254) + 1;
}

/** A short hex id derived from `parts` (simulated container and image ids). */
export function digestOf(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\0")).digest("hex");
}
