import { describe, expect, it } from "vitest";
import type { ReportItem } from "../shared/hosts/report.ts";
import { HostLoop } from "./host.ts";
import { vmiDriver } from "./kinds/vmi.ts";
import { memoryLogger } from "./log.ts";
import { MigrationAgent } from "./migration.ts";
import type { ApiObject } from "./objects.ts";
import { withQueuedMigration } from "./migration-report.ts";
import { liveMigratableCondition } from "./kinds/vmi-migratable.ts";
import { AddressPool } from "./runtime/addresses.ts";
import { SimulatedVirtRuntime } from "./runtime/simulated-vm-migration.ts";
import { Sequence } from "./sequence.ts";

const SIM = { bootDelayMs: 5, stopDelayMs: 5, bootFailureRate: 0, crashRate: 0, crashAfterMs: 1000 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function host(name: string, index: number) {
  const items: ReportItem[] = [];
  const log = memoryLogger();
  const vms = new SimulatedVirtRuntime(SIM, new AddressPool(index), `10.0.0.${index}`, 40);
  const sequence = new Sequence();
  const reporter = { enqueue: (i: ReportItem) => items.push(i) };
  const migration = new MigrationAgent({ nodeName: name, vms, sequence, reporter, log, resendAfterMs: 60_000 });
  const loop = new HostLoop(vmiDriver(vms), { hostIP: `10.0.0.${index}`, sequence, reporter, log, held: (uid) => migration.held(uid) });
  const bound = migration.tee(loop);
  const reported = () => items.flatMap((i) => (i.kind === "VirtualMachineInstance" && i.status.migrationState ? [i.status.migrationState] : []));
  return { items, vms, migration, loop, bound, reported };
}

function vmi(nodeName: string, state: Record<string, unknown>, annotations: Record<string, string> = {}, ip = "", phase = "Running"): ApiObject {
  return {
    apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance",
    metadata: { namespace: "ns", name: "vm", uid: "u1", resourceVersion: "1", labels: {}, annotations },
    spec: { domain: { devices: {} } },
    status: { phase, nodeName, ...(ip ? { interfaces: [{ name: "default", ipAddress: ip }] } : {}), migrationState: state },
  } as unknown as ApiObject;
}

async function running(a: ReturnType<typeof host>, annotations: Record<string, string> = {}): Promise<string> {
  // Scheduled: the host starts it (a Running VMI without a domain would be one the host lost).
  const obj = vmi("a", {}, annotations, "", "Scheduled");
  a.bound.replace([obj]);
  for (let i = 0; i < 50 && a.vms.observe("u1")?.state.phase !== "running"; i++) await sleep(5);
  return a.vms.observe("u1")?.ip ?? "";
}

describe("live migration on the hosts", () => {
  it("target prepares, source sends, target takes over with the same IP; the VMI loop leaves the held domain alone", async () => {
    const a = host("a", 1);
    const b = host("b", 2);
    const ip = await running(a);
    const base = { migrationUid: "m1", sourceNode: "a", targetNode: "b" };
    b.migration.targetHandler.replace([vmi("a", base, {}, ip)]);
    await b.migration.idle();
    expect(b.reported()).toEqual([{ migrationUid: "m1", targetNodeAddress: "10.0.0.2:49152" }]);

    const ready = { ...base, targetNodeAddress: "10.0.0.2:49152" };
    a.bound.apply("MODIFIED", vmi("a", ready, {}, ip));
    await a.migration.idle();
    expect(a.reported()[0]).toMatchObject({ migrationUid: "m1", startTimestamp: expect.any(String) });
    await sleep(80);
    expect(a.reported().at(-1)).toMatchObject({ migrationUid: "m1", completed: true, endTimestamp: expect.any(String) });

    b.migration.targetHandler.apply("MODIFIED", vmi("a", { ...ready, completed: true }, {}, ip));
    await b.migration.idle();
    expect(b.reported().at(-1)).toMatchObject({ targetNodeDomainDetected: true });
    expect(b.vms.observe("u1")).toMatchObject({ ip, state: { phase: "running" } });
    // The target's VMI loop hears of the domain before the handover: held, so not stopped.
    b.loop.replace([]);
    await b.loop.idle();
    expect(b.vms.observe("u1")?.state.phase).toBe("running");
    expect(b.migration.held("u1")).toBe(true);
    // The handover: bound to b now.
    b.bound.apply("ADDED", vmi("b", { ...ready, completed: true, targetNodeDomainDetected: true }, {}, ip));
    await b.loop.idle();
    expect(b.migration.held("u1")).toBe(false);
    expect(b.items.at(-1)).toMatchObject({ status: { phase: "Running" } });
    expect((b.items.at(-1)?.status as { conditions?: unknown[] }).conditions).toContainEqual({ type: "LiveMigratable", status: "True" });
    // The source lets its copy go, without giving the IP back to its pool.
    a.bound.apply("DELETED", vmi("a", { ...ready, completed: true }, {}, ip));
    await a.loop.idle();
    expect(a.vms.observe("u1")).toBeUndefined();
    await a.vms.start({ uid: "u2", namespace: "ns", name: "other", annotations: {}, spec: { cpuCores: 1, interfaces: ["default"] }, rawSpec: {} });
    await sleep(20);
    expect(a.vms.observe("u2")?.ip).not.toBe(ip);
    await Promise.all([a.vms.close(), b.vms.close()]);
  });

  it("reports a failed transfer and keeps the domain running on the source; an abort is reported as such", async () => {
    const a = host("a", 1);
    const ip = await running(a, { "sim.duraplane.io/fail-migration": "true" });
    a.bound.apply("MODIFIED", vmi("a", { migrationUid: "m1", sourceNode: "a", targetNode: "b", targetNodeAddress: "x" }, { "sim.duraplane.io/fail-migration": "true" }, ip));
    await sleep(60);
    expect(a.reported().at(-1)).toMatchObject({ failed: true, failureReason: expect.stringContaining("simulated migration failure") });
    expect(a.vms.observe("u1")?.state.phase).toBe("running");

    a.bound.apply("MODIFIED", vmi("a", { migrationUid: "m2", sourceNode: "a", targetNode: "b", targetNodeAddress: "x" }, {}, ip));
    await a.migration.idle();
    a.bound.apply("MODIFIED", vmi("a", { migrationUid: "m2", sourceNode: "a", targetNode: "b", targetNodeAddress: "x", abortRequested: true }, {}, ip));
    await sleep(10);
    expect(a.reported().at(-1)).toMatchObject({ migrationUid: "m2", failed: true, abortStatus: "Succeeded", failureReason: "Migration aborted" });
    expect(a.vms.observe("u1")?.state.phase).toBe("running");
    await a.vms.close();
  });

  it("a target that cannot prepare reports the failure and holds nothing", async () => {
    const b = host("b", 2);
    b.migration.targetHandler.replace([vmi("a", { migrationUid: "m1", sourceNode: "a", targetNode: "b" }, { "sim.duraplane.io/fail-migration-target": "true" })]);
    await b.migration.idle();
    expect(b.reported().at(-1)).toMatchObject({ failed: true, failureReason: expect.stringContaining("simulated target failure") });
    b.migration.targetHandler.apply("DELETED", vmi("a", { migrationUid: "m1", sourceNode: "a", targetNode: "b", failed: true }));
    await b.migration.idle();
    expect(b.migration.held("u1")).toBe(false);
  });

  it("LiveMigratable: True on a runtime that migrates, False with host devices or host disks, absent otherwise", () => {
    const spec = { domain: { devices: {} } };
    expect(liveMigratableCondition(spec, true)).toEqual({ type: "LiveMigratable", status: "True" });
    expect(liveMigratableCondition(spec, false)).toBeUndefined();
    expect(liveMigratableCondition({ domain: { devices: { gpus: [{ name: "g" }] } } }, true)).toMatchObject({ status: "False", reason: "HostDeviceNotLiveMigratable" });
    expect(liveMigratableCondition({ ...spec, volumes: [{ name: "d", hostDisk: { path: "/x" } }] }, true)).toMatchObject({ status: "False", reason: "DisksNotLiveMigratable" });
  });

  it("a queued migration report rides along with a newer status report of the same VMI", () => {
    const base = { kind: "VirtualMachineInstance" as const, namespace: "ns", name: "vm", uid: "u1" };
    const merged = withQueuedMigration(
      { ...base, sequence: 1, status: { migrationState: { migrationUid: "m1", startTimestamp: "t" } } },
      { ...base, sequence: 2, status: { phase: "Running" } },
    );
    expect(merged.status).toEqual({ phase: "Running", migrationState: { migrationUid: "m1", startTimestamp: "t" } });
  });
});
