import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "vitest";
import { tempDir } from "../../test/e2e/temp-dir.ts";
import { parseProcCgroup, readCgroupCounters, statValue } from "./cgroup-stats.ts";
import { runningTaskPids } from "./containerd-usage.ts";
import { domainCounters, parseDomstats } from "./domstats.ts";

const DATA = join(import.meta.dirname, "testdata", "usage");
const sample = (name: string): string => readFileSync(join(DATA, name), "utf8");

describe("cgroup counters", () => {
  it("finds a process's cgroups on a hybrid (v1) host and on a cgroup v2 host", ({ expect }) => {
    expect(parseProcCgroup(sample("proc-cgroup-hybrid.txt"))).toEqual({
      unified: "/", cpuacct: { controller: "cpuacct", path: "/" }, memory: { controller: "memory", path: expect.stringMatching(/^\//) },
    });
    expect(parseProcCgroup("4:cpu,cpuacct:/a/b\n5:memory:/a/b\n")).toEqual({ cpuacct: { controller: "cpu,cpuacct", path: "/a/b" }, memory: { controller: "memory", path: "/a/b" } });
    expect(parseProcCgroup(sample("proc-cgroup-v2.txt"))).toEqual({ unified: "/duraplane/3f2a9c1b0d4e-nginx-0" });
    expect(statValue(sample("cpu-v2.stat"), "usage_usec")).toBe(2847361);
    expect(statValue(sample("memory-v2.stat"), "inactive_file")).toBe(12288000);
    expect(statValue(sample("memory-v2.stat"), "nope")).toBeUndefined();
  });

  it("reads cgroup v2: usage_usec in ns, memory.current less inactive_file", async ({ expect }) => {
    const root = tempDir("cg2-");
    const proc = tempDir("proc-");
    const dir = join(root, "duraplane", "3f2a9c1b0d4e-nginx-0");
    mkdirSync(dir, { recursive: true });
    mkdirSync(join(proc, "41235"));
    copyFileSync(join(DATA, "proc-cgroup-v2.txt"), join(proc, "41235", "cgroup"));
    copyFileSync(join(DATA, "cpu-v2.stat"), join(dir, "cpu.stat"));
    copyFileSync(join(DATA, "memory-v2.stat"), join(dir, "memory.stat"));
    writeFileSync(join(dir, "memory.current"), "31879168\n");
    expect(await readCgroupCounters(41235, root, proc)).toEqual({ cpuNanoseconds: 2847361000, memoryBytes: 31879168 - 12288000 });
    // A task that is gone has no counters.
    expect(await readCgroupCounters(99999, root, proc)).toBeUndefined();
  });

  it("reads cgroup v1: cpuacct.usage and memory.usage_in_bytes less total_inactive_file", async ({ expect }) => {
    const root = tempDir("cg1-");
    const proc = tempDir("proc-");
    mkdirSync(join(proc, "7"));
    writeFileSync(join(proc, "7", "cgroup"), "4:memory:/duraplane/x\n2:cpuacct:/duraplane/x\n0::/\n");
    mkdirSync(join(root, "memory", "duraplane", "x"), { recursive: true });
    mkdirSync(join(root, "cpuacct", "duraplane", "x"), { recursive: true });
    writeFileSync(join(root, "cpuacct", "duraplane", "x", "cpuacct.usage"), "74699375478174\n");
    writeFileSync(join(root, "memory", "duraplane", "x", "memory.usage_in_bytes"), "33353728\n");
    copyFileSync(join(DATA, "memory-v1.stat"), join(root, "memory", "duraplane", "x", "memory.stat"));
    const inactive = statValue(sample("memory-v1.stat"), "total_inactive_file") ?? 0;
    expect(await readCgroupCounters(7, root, proc)).toEqual({ cpuNanoseconds: 74699375478174, memoryBytes: 33353728 - inactive });
  });

  it("reads this process's own cgroup on this machine", async ({ expect }) => {
    const counters = await readCgroupCounters(process.pid);
    expect(counters?.cpuNanoseconds).toBeGreaterThan(0);
    expect(counters?.memoryBytes).toBeGreaterThan(0);
  });

  it("takes running tasks' pids from ctr tasks ls", ({ expect }) => {
    expect([...runningTaskPids(sample("ctr-tasks-ls.txt"))]).toEqual([["3f2a9c1b0d4e-nginx-0", 41235], ["3f2a9c1b0d4e-side-0", 41290]]);
  });
});

describe("virsh domstats", () => {
  it("parses cpu.time and the QEMU resident set of each running domain", ({ expect }) => {
    const stats = parseDomstats(sample("domstats.txt"));
    expect([...stats.keys()]).toEqual(["dpmig-a"]);
    expect(domainCounters(stats.get("dpmig-a") ?? {})).toEqual({ cpuNanoseconds: 7863975000, memoryBytes: 219364 * 1024 });
    // Without rss (older QEMU), the balloon's size; without cpu.time, nothing.
    expect(domainCounters({ "cpu.time": "5", "balloon.current": "131072" })).toEqual({ cpuNanoseconds: 5, memoryBytes: 131072 * 1024 });
    expect(domainCounters({ "balloon.current": "131072" })).toBeUndefined();
    const two = parseDomstats("Domain: 'a'\n  cpu.time=1\n  balloon.rss=2\n\nDomain: 'b b'\n  cpu.time=3\n  balloon.rss=4\n");
    expect([...two.entries()].map(([d, f]) => [d, domainCounters(f)])).toEqual([
      ["a", { cpuNanoseconds: 1, memoryBytes: 2048 }], ["b b", { cpuNanoseconds: 3, memoryBytes: 4096 }],
    ]);
  });
});
