import { describe, it } from "vitest";
import { busyCpuNanoseconds, memoryInUseBytes, procHostCounters } from "./host-usage.ts";

describe("host usage from /proc", () => {
  it("reads busy CPU time (all but idle and iowait) and MemTotal − MemAvailable", ({ expect }) => {
    const stat = "cpu  4705 356 584 3699 23 0 12 5 0 0\ncpu0 1393 280 283 1000 5 0 7 0 0 0\nintr 1\n";
    expect(busyCpuNanoseconds(stat)).toBe((4705 + 356 + 584 + 0 + 12 + 5) * 1e7);
    expect(busyCpuNanoseconds("intr 1\n")).toBeUndefined();
    const meminfo = "MemTotal:       16303428 kB\nMemFree:         1234567 kB\nMemAvailable:   10000000 kB\n";
    expect(memoryInUseBytes(meminfo)).toBe((16303428 - 10000000) * 1024);
    expect(memoryInUseBytes("MemTotal: 1 kB\n")).toBeUndefined();
  });

  it("reads this machine's /proc", async ({ expect }) => {
    const counters = await procHostCounters();
    expect(counters?.cpuNanoseconds).toBeGreaterThan(0);
    expect(counters?.memoryBytes).toBeGreaterThan(0);
  });
});
