/**
 * Live migration end to end: two real duraplane-agent processes (simulated
 * hypervisor) join the shared server; a VM (runStrategy Always) runs on one;
 * `kubectl create -f` a VirtualMachineInstanceMigration moves its VMI to the
 * other with the same uid and IP, phase Running at every look, and
 * `status.migrationState.completed`; a VM whose guest fails to migrate
 * (`sim.duraplane.io/fail-migration`), migrated through the `migrate`
 * subresource as virtctl does, stays on its host with the migration Failed.
 * The hosts' Nodes are deleted afterwards, so later files see none.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { joinHost, type LocalHost, runHost } from "../../scripts/local-hosts.ts";
import { kubectl as run, kubectlOk, manifest, until } from "./kubectl.ts";
import { releaseHosts } from "./shared-server-hosts.ts";

const server = inject("server");
const ok = kubectlOk(() => server.kubeconfig);
const NS = `e2e-migration-${process.pid}`;
const NODES = [`mig-${process.pid}-a`, `mig-${process.pid}-b`];
const RUN_ARGS = ["--heartbeat-interval-ms", "2000", "--boot-delay-ms", "800", "--stop-delay-ms", "300", "--migration-duration-ms", "2000"];
let hosts: LocalHost[] = [];

interface VMIView { uid: string; phase: string; node: string; ip: string; migrationState: Record<string, unknown> }
function vmi(name: string): VMIView {
  const o = JSON.parse(ok("-n", NS, "get", "vmi", name, "-o", "json")) as {
    metadata: { uid: string };
    status?: { phase?: string; nodeName?: string; interfaces?: { ipAddress?: string }[]; migrationState?: Record<string, unknown> };
  };
  return {
    uid: o.metadata.uid, phase: o.status?.phase ?? "", node: o.status?.nodeName ?? "",
    ip: o.status?.interfaces?.[0]?.ipAddress ?? "", migrationState: o.status?.migrationState ?? {},
  };
}
const exists = (name: string) => run(server.kubeconfig, ["-n", NS, "get", "vmi", name]).code === 0;
const vmimPhase = (name: string) => ok("-n", NS, "get", "vmim", name, "-o", "jsonpath={.status.phase}");

function vm(name: string, annotations = ""): string {
  return manifest(`apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: ${name}
spec:
  runStrategy: Always
  template:
    metadata:
      annotations: {${annotations}}
    spec:
      domain:
        devices: {}
        resources:
          requests: {memory: 64Mi}
`);
}

beforeAll(async () => {
  await Promise.all(NODES.map((n) => joinHost(server.url, server.token, server.state, n, ["--cpu", "4", "--memory", "8Gi"])));
  hosts = NODES.map((n) => runHost(server.state, n, RUN_ARGS));
  ok("create", "namespace", NS);
  await until("both hosts Ready", () => NODES.every((n) =>
    run(server.kubeconfig, ["get", "node", n, "-o", "jsonpath={.status.conditions[?(@.type=='Ready')].status}"]).stdout === "True"));
}, 60_000);

afterAll(async () => {
  run(server.kubeconfig, ["delete", "namespace", NS, "--wait=false"]);
  // The agents stop the VMIs before they go.
  await until("the VMIs gone", () => !exists("mover") && !exists("stayer"), 20_000).catch(() => undefined);
  await releaseHosts(server.kubeconfig, NS, hosts, NODES);
}, 60_000);

describe("live migration with real agents", () => {
  it("moves a running VMI to the other host keeping its uid and IP; a failing one stays", async () => {
    ok("-n", NS, "apply", "-f", vm("mover"));
    ok("-n", NS, "apply", "-f", vm("stayer", `"sim.duraplane.io/fail-migration": "true"`));
    await until("both VMIs Running with an IP", () => exists("mover") && exists("stayer") &&
      [vmi("mover"), vmi("stayer")].every((v) => v.phase === "Running" && v.ip !== ""));
    const before = vmi("mover");
    const stayerBefore = vmi("stayer");
    // The hosts say their VMs can migrate (virt-handler's condition; `kubectl get vmi -o wide` shows it).
    await until("LiveMigratable", () => ok("-n", NS, "get", "vmi", "mover", "-o", "wide").split("\n")[1]?.includes("True") === true &&
      ok("-n", NS, "get", "vmi", "mover", "-o", "jsonpath={.status.conditions[?(@.type=='LiveMigratable')].status}") === "True");

    ok("-n", NS, "create", "-f", manifest(`apiVersion: kubevirt.io/v1
kind: VirtualMachineInstanceMigration
metadata:
  name: move-it
spec:
  vmiName: mover
`));
    // virtctl migrate: PUT the subresource, which creates kubevirt-migrate-vm-<random>.
    expect(run(server.kubeconfig, ["replace", "--raw", `/apis/subresources.kubevirt.io/v1/namespaces/${NS}/virtualmachines/stayer/migrate`, "-f", manifest("{}")]).code).toBe(0);
    const stayerMigration = ok("-n", NS, "get", "vmim", "-o", "jsonpath={.items[?(@.spec.vmiName=='stayer')].metadata.name}");
    expect(stayerMigration).toMatch(/^kubevirt-migrate-vm-[a-z0-9]{5}$/);
    // One migration per VMI at a time (the create webhook), once the VMI carries the first.
    await until("move-it handed to the target", () => vmi("mover").migrationState.migrationUid !== undefined, 20_000);
    const second = run(server.kubeconfig, ["-n", NS, "create", "-f", manifest(`apiVersion: kubevirt.io/v1
kind: VirtualMachineInstanceMigration
metadata:
  name: move-it-again
spec:
  vmiName: mover
`)]);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(/admission webhook "migration-create-validator.kubevirt.io" denied the request: in-flight migration detected/);

    const phasesSeen = new Set<string>();
    await until("move-it Succeeded", () => {
      const v = vmi("mover");
      phasesSeen.add(v.phase);
      return vmimPhase("move-it") === "Succeeded";
    }, 30_000);
    const after = vmi("mover");
    expect([...phasesSeen]).toEqual(["Running"]);
    expect(after.uid).toBe(before.uid);
    expect(after.node).not.toBe(before.node);
    expect(NODES).toContain(after.node);
    expect(after.ip).toBe(before.ip);
    expect(after.migrationState).toMatchObject({ completed: true, sourceNode: before.node, targetNode: after.node });
    expect(after.migrationState.endTimestamp).toBeTruthy();
    expect(ok("-n", NS, "get", "vmi", "mover", "--show-labels")).toContain(`kubevirt.io/nodeName=${after.node}`);
    expect(ok("-n", NS, "get", "vmim", "move-it")).toMatch(/^NAME\s+PHASE\s+VMI\s*\nmove-it\s+Succeeded\s+mover\s*$/);
    // The new host runs it: it stays Running there.
    await new Promise((r) => setTimeout(r, 1500));
    expect(vmi("mover")).toMatchObject({ phase: "Running", node: after.node, uid: before.uid });

    await until("the failing migration Failed", () => vmimPhase(stayerMigration) === "Failed", 30_000);
    const stayer = vmi("stayer");
    expect(stayer).toMatchObject({ uid: stayerBefore.uid, phase: "Running", node: stayerBefore.node, ip: stayerBefore.ip });
    expect(stayer.migrationState).toMatchObject({ failed: true });
    expect(String(stayer.migrationState.failureReason)).toMatch(/simulated migration failure/);
    expect(ok("-n", NS, "get", "vmi", "stayer", "--show-labels")).not.toContain("migrationTargetNodeName");
  }, 60_000);

  it("cordoning a host evacuates its LiveMigrate VMIs by live migration; uncordoning ends it", async () => {
    const before = vmi("mover");
    // What `kubectl cordon` writes (its strategic merge patch of a Node is the drain work's; a merge patch here).
    const cordon = (on: boolean) => ok("patch", "node", before.node, "--type", "merge", "-p", JSON.stringify({ spec: { unschedulable: on } }));
    cordon(true);
    try {
      await until("mover evacuated", () => {
        const v = vmi("mover");
        expect(v.phase).toBe("Running");
        return v.node !== before.node && v.migrationState.completed === true;
      }, 30_000);
      const after = vmi("mover");
      expect(after.uid).toBe(before.uid);
      expect(after.ip).toBe(before.ip);
      const names = ok("-n", NS, "get", "vmim", "-o", "jsonpath={.items[*].metadata.name}").split(" ");
      expect(names.some((n) => /^kubevirt-evacuation-[a-z0-9]{5}$/.test(n))).toBe(true);
    } finally {
      cordon(false);
    }
  }, 45_000);
});
