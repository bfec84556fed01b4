/**
 * Live migration in workerd: two joined hosts report through the signed
 * webhook as the agents do, the migration controller runs pass by pass, and
 * the stored VMI and migration are checked at every phase — the target's
 * share of the report, the handover of nodeName and labels, a target whose
 * Node stops being Ready, cancelling by deletion before and during the
 * transfer, the create webhook's refusals, `virtualmachines/{name}/migrate`,
 * and the evacuation of a cordoned node.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { HostReportResult, MigrationReport, ReportItem } from "../shared/hosts/report";
import type { KubeObject } from "../shared/k8s/object";
import { reconcileEvacuation } from "../workers/controllers/evacuation/evacuation-controller";
import { reconcileMigrations } from "../workers/controllers/migration/migration-controller";
import { reconcileScheduler } from "../workers/controllers/scheduler/scheduler";
import { api, namespace } from "./helpers";
import { asNode, joinNode, nextSequence, postReport } from "./hosts-helpers";

type VMI = KubeObject & {
  status: { phase?: string; nodeName?: string; migrationState?: Record<string, unknown>; evacuationNodeName?: string };
};
type VMIM = KubeObject & { status?: { phase?: string; phaseTransitionTimestamps?: { phase: string }[]; migrationState?: Record<string, unknown> } };

const unique = (p: string): string => `${p}-${crypto.randomUUID().slice(0, 8)}`;
const MERGE = { "content-type": "application/merge-patch+json" };

interface Host {
  name: string;
  secret: string;
  token: string;
}

interface World {
  ns: string;
  source: Host;
  target: Host;
  vmi: VMI;
}

async function beat(h: Pick<Host, "name" | "secret">, ready: "True" | "False" | "Unknown" = "True"): Promise<void> {
  const capacity = { cpu: "8", memory: "32Gi", pods: "110" };
  const res = await postReport(h.name, h.secret, { node: { conditions: [{ type: "Ready", status: ready }], capacity, allocatable: capacity }, items: [] });
  expect(res.status).toBe(200);
}

const vmiPath = (ns: string, name: string) => `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances/${name}`;
const vmimPath = (ns: string, name = "") => `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstancemigrations${name ? `/${name}` : ""}`;
const getVMI = async (ns: string, name: string) => (await api<VMI>("GET", vmiPath(ns, name))).body;
const getVMIM = async (ns: string, name: string) => api<VMIM>("GET", vmimPath(ns, name));

/** Reports for `vmi` from host `h`; answers the item's result. */
async function report(h: Host, vmi: KubeObject, status: Extract<ReportItem, { kind: "VirtualMachineInstance" }>["status"]): Promise<string> {
  const item: ReportItem = {
    kind: "VirtualMachineInstance", namespace: vmi.metadata.namespace ?? "", name: vmi.metadata.name ?? "", uid: vmi.metadata.uid ?? "",
    sequence: nextSequence(), status,
  };
  const res = await postReport(h.name, h.secret, { items: [item] });
  return (res.body as unknown as HostReportResult).items[0]?.result ?? `HTTP ${res.status}`;
}

async function migrationReport(h: Host, w: World, fields: Omit<MigrationReport, "migrationUid">, migrationUid: string): Promise<string> {
  return report(h, await getVMI(w.ns, w.vmi.metadata.name ?? ""), { migrationState: { migrationUid, ...fields } });
}

/** Two Ready hosts labelled for this test and a VMI Running on one of them (the source). */
async function world(vmName?: string): Promise<World> {
  const id = unique("s");
  const ns = await namespace();
  const hosts: Host[] = [];
  for (const side of ["a", "b"]) {
    const name = `${side}-${id}`;
    const creds = await joinNode(name);
    hosts.push({ name, secret: creds.signingSecret, token: creds.token });
    await beat({ name, secret: creds.signingSecret });
    expect((await api("PATCH", `/api/v1/nodes/${name}`, { metadata: { labels: { suite: id } } }, MERGE)).status).toBe(200);
  }
  const spec = { nodeSelector: { suite: id }, domain: { devices: {}, resources: { requests: { memory: "1Gi" } } } };
  let name: string;
  if (vmName) {
    name = vmName;
    const vm = await api("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachines`, {
      apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name }, spec: { runStrategy: "Always", template: { spec } },
    });
    expect(vm.status).toBe(201);
    await until(async () => (await api("GET", vmiPath(ns, name))).status === 200);
  } else {
    name = unique("vmi");
    const created = await api("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`, {
      apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: { name }, spec,
    });
    expect(created.status).toBe(201);
  }
  await until(async () => {
    await reconcileScheduler(env);
    return (await getVMI(ns, name)).status.nodeName !== undefined;
  });
  const bound = await getVMI(ns, name);
  const source = hosts.find((h) => h.name === bound.status.nodeName);
  const target = hosts.find((h) => h.name !== bound.status.nodeName);
  if (!source || !target) throw new Error("VMI not bound to a test host");
  expect(await report(source, bound, { phase: "Running", conditions: [{ type: "Ready", status: "True" }], interfaces: [{ name: "default", ipAddress: "10.9.0.7" }] })).toBe("Applied");
  return { ns, source, target, vmi: await getVMI(ns, name) };
}

async function until(check: () => Promise<boolean>, tries = 40): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("condition never held");
}

/** Runs migration passes until the migration reaches `phase`. */
async function advance(ns: string, name: string, phase: string): Promise<VMIM> {
  let last = "";
  for (let i = 0; i < 20; i++) {
    await reconcileMigrations(env);
    const m = await getVMIM(ns, name);
    last = m.body.status?.phase ?? `HTTP ${m.status}`;
    if (last === phase) return m.body;
  }
  throw new Error(`migration ${name} stayed ${last}, expected ${phase}`);
}

async function createMigration(w: World, name = unique("mig")): Promise<VMIM> {
  const res = await api<VMIM>("POST", vmimPath(w.ns), {
    apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceMigration", metadata: { name }, spec: { vmiName: w.vmi.metadata.name },
  });
  expect(res.status).toBe(201);
  return res.body;
}

/** A migration brought to PreparingTarget and TargetReady, answering its uid. */
async function toTargetReady(w: World): Promise<{ name: string; uid: string }> {
  const m = await createMigration(w);
  const name = m.metadata.name ?? "";
  const uid = m.metadata.uid ?? "";
  await advance(w.ns, name, "PreparingTarget");
  expect(await migrationReport(w.target, w, { targetNodeAddress: "10.0.0.2:49152" }, uid)).toBe("Applied");
  await advance(w.ns, name, "TargetReady");
  return { name, uid };
}

describe("live migration", () => {
  it("walks Pending → Scheduling → Scheduled → PreparingTarget → TargetReady → Running → Succeeded, handing the VMI over", async () => {
    const w = await world();
    const vmiName = w.vmi.metadata.name ?? "";
    const m = await createMigration(w);
    const name = m.metadata.name ?? "";
    const uid = m.metadata.uid ?? "";
    expect(m.status?.phase).toBe("Pending");
    const table = await api<{ columnDefinitions: { name: string }[] }>("GET", vmimPath(w.ns), undefined, { accept: "application/json;as=Table;v=v1;g=meta.k8s.io" });
    expect(table.body.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Phase", "VMI"]);

    const preparing = await advance(w.ns, name, "PreparingTarget");
    expect(preparing.metadata.finalizers).toContain("kubevirt.io/migrationJobFinalize");
    let vmi = await getVMI(w.ns, vmiName);
    expect(vmi.metadata.labels?.["kubevirt.io/migrationTargetNodeName"]).toBe(w.target.name);
    expect(vmi.status.migrationState).toEqual({ migrationUid: uid, sourceNode: w.source.name, targetNode: w.target.name, mode: "PreCopy" });

    // NodeRestriction: the target may watch the VMIs migrating to it, by that label only.
    const incoming = (node: string) => `/apis/kubevirt.io/v1/virtualmachineinstances?labelSelector=kubevirt.io%2FmigrationTargetNodeName%3D${node}`;
    const listed = await asNode<{ items: KubeObject[] }>(w.target.token, "GET", incoming(w.target.name));
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((i) => i.metadata.uid)).toEqual([w.vmi.metadata.uid]);
    expect((await asNode(w.target.token, "GET", incoming(w.source.name))).status).toBe(403);
    // The target may report only the migration's state, and only its own share of it.
    expect(await report(w.target, vmi, { phase: "Failed" })).toBe("Refused");
    expect(await migrationReport(w.target, w, { targetNodeAddress: "10.0.0.2:49152", completed: true }, uid)).toBe("Applied");
    expect((await getVMI(w.ns, vmiName)).status.migrationState).not.toHaveProperty("completed");
    await advance(w.ns, name, "TargetReady");

    expect(await migrationReport(w.source, w, { startTimestamp: "2026-12-03T08:00:00Z" }, uid)).toBe("Applied");
    await advance(w.ns, name, "Running");
    expect(await migrationReport(w.source, w, { completed: true, endTimestamp: "2026-12-03T08:00:03Z" }, uid)).toBe("Applied");
    await reconcileMigrations(env);
    expect((await getVMIM(w.ns, name)).body.status?.phase).toBe("Running");
    expect((await getVMI(w.ns, vmiName)).status.nodeName).toBe(w.source.name);

    // The handover: the target runs the domain.
    expect(await migrationReport(w.target, w, { targetNodeDomainDetected: true }, uid)).toBe("Applied");
    vmi = await getVMI(w.ns, vmiName);
    expect(vmi.metadata.uid).toBe(w.vmi.metadata.uid);
    expect(vmi.status.phase).toBe("Running");
    expect(vmi.status.nodeName).toBe(w.target.name);
    expect(vmi.metadata.labels?.["kubevirt.io/nodeName"]).toBe(w.target.name);
    expect(vmi.metadata.labels).not.toHaveProperty(["kubevirt.io/migrationTargetNodeName"]);
    expect(vmi.status.migrationState).toMatchObject({ completed: true, targetNodeDomainDetected: true, endTimestamp: "2026-12-03T08:00:03Z" });

    const done = await advance(w.ns, name, "Succeeded");
    expect(done.status?.phaseTransitionTimestamps?.map((t) => t.phase)).toEqual([
      "Pending", "Scheduling", "Scheduled", "PreparingTarget", "TargetReady", "Running", "Succeeded",
    ]);
    // The old host lost the VMI; the new one reports it.
    expect(await report(w.source, vmi, { phase: "Running" })).toBe("Refused");
    expect(await report(w.target, vmi, { phase: "Running", conditions: [{ type: "Ready", status: "True" }] })).toBe("Applied");
    // Finished: its finalizer goes with a delete.
    expect((await api("DELETE", vmimPath(w.ns, name))).status).toBe(200);
    await until(async () => {
      await reconcileMigrations(env);
      return (await getVMIM(w.ns, name)).status === 404;
    });
  });

  it("fails cleanly when the target's Node stops being Ready, leaving the VMI Running on the source", async () => {
    const w = await world();
    const { name } = await toTargetReady(w);
    await beat(w.target, "Unknown");
    const failed = await advance(w.ns, name, "Failed");
    expect(failed.status?.migrationState).toMatchObject({ failed: true, failureReason: `target node ${w.target.name} is not ready` });
    const vmi = await getVMI(w.ns, w.vmi.metadata.name ?? "");
    expect(vmi.status).toMatchObject({ phase: "Running", nodeName: w.source.name, migrationState: { failed: true } });
    expect(vmi.metadata.labels).not.toHaveProperty(["kubevirt.io/migrationTargetNodeName"]);
    // A new migration may start once this one failed.
    await beat(w.target, "True");
    await advance(w.ns, (await createMigration(w)).metadata.name ?? "", "PreparingTarget");
  });

  it("fails when the target reports that it could not prepare", async () => {
    const w = await world();
    const m = await createMigration(w);
    await advance(w.ns, m.metadata.name ?? "", "PreparingTarget");
    expect(await migrationReport(w.target, w, { failed: true, failureReason: "no room" }, m.metadata.uid ?? "")).toBe("Applied");
    const failed = await advance(w.ns, m.metadata.name ?? "", "Failed");
    expect(failed.status?.migrationState).toMatchObject({ failed: true, failureReason: "no room" });
    expect((await getVMI(w.ns, w.vmi.metadata.name ?? "")).status.nodeName).toBe(w.source.name);
  });

  it("cancels when the migration is deleted: at once before the source sends, through the source's abort while it sends", async () => {
    const w = await world();
    const early = await toTargetReady(w);
    expect((await api("DELETE", vmimPath(w.ns, early.name))).status).toBe(200);
    await until(async () => {
      await reconcileMigrations(env);
      return (await getVMIM(w.ns, early.name)).status === 404;
    });
    let vmi = await getVMI(w.ns, w.vmi.metadata.name ?? "");
    expect(vmi.status).toMatchObject({ nodeName: w.source.name, phase: "Running", migrationState: { abortRequested: true, abortStatus: "Succeeded", failed: true } });
    expect(vmi.metadata.labels).not.toHaveProperty(["kubevirt.io/migrationTargetNodeName"]);

    const late = await toTargetReady(w);
    expect(await migrationReport(w.source, w, { startTimestamp: "2026-12-03T08:00:00Z" }, late.uid)).toBe("Applied");
    await advance(w.ns, late.name, "Running");
    expect((await api("DELETE", vmimPath(w.ns, late.name))).status).toBe(200);
    await reconcileMigrations(env);
    expect((await getVMI(w.ns, w.vmi.metadata.name ?? "")).status.migrationState).toMatchObject({ abortRequested: true, abortStatus: "Aborting" });
    expect((await getVMIM(w.ns, late.name)).status).toBe(200); // held until the source answers
    expect(await migrationReport(w.source, w, { abortStatus: "Succeeded", failed: true, failureReason: "Migration aborted" }, late.uid)).toBe("Applied");
    await until(async () => {
      await reconcileMigrations(env);
      return (await getVMIM(w.ns, late.name)).status === 404;
    });
    vmi = await getVMI(w.ns, w.vmi.metadata.name ?? "");
    expect(vmi.status).toMatchObject({ nodeName: w.source.name, phase: "Running", migrationState: { abortStatus: "Succeeded", failed: true } });
  });

  it("refuses what KubeVirt's migration webhook refuses", async () => {
    const w = await world();
    const post = (spec: Record<string, unknown>) => api<{ message: string }>("POST", vmimPath(w.ns), {
      apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstanceMigration", metadata: { generateName: "m-" }, spec,
    });
    const missing = await post({});
    expect(missing.status).toBe(422);
    expect(missing.body.message).toContain("vmiName is missing");
    const absent = await post({ vmiName: "nope" });
    expect(absent.status).toBe(422);
    expect(absent.body.message).toBe(`admission webhook "migration-create-validator.kubevirt.io" denied the request: the VMI "${w.ns}/nope" does not exist`);
    // The host said it cannot be migrated.
    expect(await report(w.source, w.vmi, { conditions: [{ type: "LiveMigratable", status: "False", reason: "DisksNotLiveMigratable", message: "local disk" }] })).toBe("Applied");
    const local = await post({ vmiName: w.vmi.metadata.name });
    expect(local.status).toBe(422);
    expect(local.body.message).toContain("Cannot migrate VMI, Reason: DisksNotLiveMigratable, Message: local disk");
    expect(await report(w.source, w.vmi, { conditions: [{ type: "LiveMigratable", status: "True" }] })).toBe("Applied");
    expect((await post({ vmiName: w.vmi.metadata.name })).status).toBe(201);
    await advance(w.ns, (await api<{ items: VMIM[] }>("GET", vmimPath(w.ns))).body.items[0]?.metadata.name ?? "", "PreparingTarget");
    const twice = await post({ vmiName: w.vmi.metadata.name });
    expect(twice.status).toBe(422);
    expect(twice.body.message).toMatch(/in-flight migration detected\. Active migration job \(.+\) is currently already in progress/);
    const spec = await api("PATCH", vmimPath(w.ns, (await api<{ items: VMIM[] }>("GET", vmimPath(w.ns))).body.items[0]?.metadata.name ?? ""), { spec: { vmiName: "other" } }, MERGE);
    expect(spec.status).toBe(422);
  });

  it("serves PUT virtualmachines/{name}/migrate as virtctl calls it", async () => {
    const w = await world(unique("vm"));
    const vm = w.vmi.metadata.name ?? "";
    const put = (name: string) => api("PUT", `/apis/subresources.kubevirt.io/v1/namespaces/${w.ns}/virtualmachines/${name}/migrate`, {});
    expect((await put(vm)).status).toBe(202);
    const list = await api<{ items: VMIM[] }>("GET", vmimPath(w.ns));
    expect(list.body.items.map((m) => m.metadata.name)).toEqual([expect.stringMatching(/^kubevirt-migrate-vm-[a-z0-9]{5}$/)]);
    expect((await put("absent")).status).toBe(404);
  });

  it("evacuates a cordoned node: a kubevirt-evacuation- migration and the VMI marked", async () => {
    const w = await world();
    const vmiName = w.vmi.metadata.name ?? "";
    expect((await api("PATCH", `/api/v1/nodes/${w.source.name}`, { spec: { unschedulable: true } }, MERGE)).status).toBe(200);
    try {
      // Driven by the queue, as in production (one evacuation pass at a time).
      await until(async () => (await api<{ items: VMIM[] }>("GET", vmimPath(w.ns))).body.items.length > 0, 200);
      const [m] = (await api<{ items: VMIM[] }>("GET", vmimPath(w.ns))).body.items;
      expect(m?.metadata.name).toMatch(/^kubevirt-evacuation-[a-z0-9]{5}$/);
      expect(m?.metadata.annotations?.["kubevirt.io/evacuationMigration"]).toBe(w.source.name);
      expect((await getVMI(w.ns, vmiName)).status.evacuationNodeName).toBe(w.source.name);
      await advance(w.ns, m?.metadata.name ?? "", "PreparingTarget");
      expect((await getVMI(w.ns, vmiName)).status.migrationState).toMatchObject({ targetNode: w.target.name });
      await new Promise((r) => setTimeout(r, 500));
      expect((await reconcileEvacuation(env)).requeueAfterSeconds).toBeUndefined();
      expect((await api<{ items: VMIM[] }>("GET", vmimPath(w.ns))).body.items).toHaveLength(1);
    } finally {
      await api("PATCH", `/api/v1/nodes/${w.source.name}`, { spec: { unschedulable: false } }, MERGE);
    }
  });
});
