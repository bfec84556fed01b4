/**
 * Deployments through the real kubectl on two simulated hosts joined to the
 * shared server: `create deployment` (protobuf) → `rollout status` →
 * `set image` → `rollout history` → `rollout undo` back to the old template;
 * `scale`; `rollout restart`; `rollout pause`/`resume`; and a rollout whose
 * new pods fail to boot stalls at maxUnavailable and reports
 * ProgressDeadlineExceeded. A VirtualMachinePool scales its VMs the same way.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { joinHost, type LocalHost, runHost } from "../../scripts/local-hosts.ts";
import { kubectl as run, kubectlOk, manifest, until } from "./kubectl.ts";
import { releaseHosts } from "./shared-server-hosts.ts";

const server = inject("server");
const ok = kubectlOk(() => server.kubeconfig);
const NS = "e2e-deployments";
/** Host names no other test uses. */
const HOSTS = ["deploy-host-1", "deploy-host-2"];
const RUN_ARGS = ["--heartbeat-interval-ms", "2000", "--boot-delay-ms", "300", "--stop-delay-ms", "200"];

let hosts: LocalHost[] = [];

interface DeploymentView {
  metadata: { annotations?: Record<string, string>; generation?: number };
  spec: { replicas: number; template: { metadata?: { annotations?: Record<string, string> }; spec: { containers: { image: string }[] } } };
  status?: {
    replicas?: number; updatedReplicas?: number; availableReplicas?: number; unavailableReplicas?: number; observedGeneration?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

function deployment(name: string): DeploymentView {
  return JSON.parse(ok("-n", NS, "get", "deployment", name, "-o", "json")) as DeploymentView;
}

function image(name: string): string {
  return deployment(name).spec.template.spec.containers[0]?.image ?? "";
}

/** ReplicaSets of app `app` as "name replicas". */
function replicaSets(app: string): { name: string; replicas: number; revision: string }[] {
  const list = JSON.parse(ok("-n", NS, "get", "rs", "-l", `app=${app}`, "-o", "json")) as {
    items: { metadata: { name: string; annotations?: Record<string, string> }; spec: { replicas: number } }[];
  };
  return list.items.map((rs) => ({
    name: rs.metadata.name, replicas: rs.spec.replicas, revision: rs.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? "",
  }));
}

function rolloutStatus(name: string, timeout = "120s"): string {
  return ok("-n", NS, "rollout", "status", `deployment/${name}`, `--timeout=${timeout}`);
}

beforeAll(async () => {
  for (const name of HOSTS) await joinHost(server.url, server.token, server.state, name, ["--cpu", "16", "--memory", "64Gi"]);
  hosts = HOSTS.map((name) => runHost(server.state, name, RUN_ARGS));
  await until("both hosts Ready", () => {
    const out = ok("get", "nodes", ...HOSTS, "--no-headers");
    return out.split("\n").filter((l) => / Ready /.test(l)).length === HOSTS.length;
  }, 90_000);
  ok("create", "namespace", NS);
}, 180_000);

afterAll(async () => {
  await releaseHosts(server.kubeconfig, NS, hosts, HOSTS);
}, 60_000);

describe("Deployments through kubectl", () => {
  it("create deployment → rollout status → set image → history → undo returns to the old template", () => {
    expect(ok("-n", NS, "create", "deployment", "web", "--image=nginx:1.27", "--replicas=3")).toMatch(/deployment.apps\/web created/);
    expect(rolloutStatus("web")).toMatch(/deployment "web" successfully rolled out/);
    expect(ok("-n", NS, "get", "deploy", "web")).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+3\/3\s+3\s+3\s+\S+$/m);
    expect(ok("-n", NS, "get", "deploy", "web", "-o", "wide")).toMatch(/^web\s+3\/3\s+3\s+3\s+\S+\s+nginx\s+nginx:1\.27\s+app=web$/m);
    expect(ok("api-resources", "--api-group=apps")).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    expect(ok("-n", NS, "get", "all")).toMatch(/^deployment\.apps\/web\s+3\/3\s+3\s+3\s/m);
    expect(ok("explain", "deployment.spec.progressDeadlineSeconds")).toMatch(/progressDeadlineSeconds/);
    const first = replicaSets("web");
    expect(first).toHaveLength(1);
    expect(first[0]?.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]+$/);

    ok("-n", NS, "set", "image", "deployment/web", "nginx=nginx:1.28");
    expect(rolloutStatus("web")).toMatch(/successfully rolled out/);
    expect(replicaSets("web").map((rs) => [rs.revision, rs.replicas]).sort()).toEqual([["1", 0], ["2", 3]]);
    const history = ok("-n", NS, "rollout", "history", "deployment/web");
    expect(history).toMatch(/^REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/m);
    expect(ok("-n", NS, "rollout", "history", "deployment/web", "--revision=1")).toMatch(/Image:\s+nginx:1\.27/);

    expect(ok("-n", NS, "rollout", "undo", "deployment/web")).toMatch(/deployment.apps\/web rolled back/);
    expect(rolloutStatus("web")).toMatch(/successfully rolled out/);
    expect(image("web")).toBe("nginx:1.27");
    // The first ReplicaSet is back, at revision 3; no third one was made.
    const after = replicaSets("web");
    expect(after.find((rs) => rs.name === first[0]?.name)).toMatchObject({ replicas: 3, revision: "3" });
    expect(after).toHaveLength(2);
    expect(deployment("web").metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("3");
  }, 300_000);

  it("scale through /scale; rollout restart makes a new ReplicaSet", async () => {
    ok("-n", NS, "scale", "deployment", "web", "--replicas=5");
    expect(rolloutStatus("web")).toMatch(/successfully rolled out/);
    await until("5/5", () => /^web\s+5\/5\s+5\s+5\s/m.test(ok("-n", NS, "get", "deploy", "web")), 60_000);
    const before = replicaSets("web").length;
    ok("-n", NS, "rollout", "restart", "deployment/web");
    expect(deployment("web").spec.template.metadata?.annotations?.["kubectl.kubernetes.io/restartedAt"]).toBeDefined();
    expect(rolloutStatus("web")).toMatch(/successfully rolled out/);
    expect(replicaSets("web")).toHaveLength(before + 1);
  }, 300_000);

  it("rollout pause holds a template change; resume rolls it out", async () => {
    ok("-n", NS, "rollout", "pause", "deployment/web");
    ok("-n", NS, "set", "image", "deployment/web", "nginx=nginx:1.29");
    await until("DeploymentPaused", () => deployment("web").status?.conditions?.some((c) => c.reason === "DeploymentPaused") === true, 30_000);
    const paused = replicaSets("web").length;
    await new Promise((r) => setTimeout(r, 2000));
    expect(replicaSets("web")).toHaveLength(paused);
    const undo = run(server.kubeconfig, ["-n", NS, "rollout", "undo", "deployment/web"]);
    expect(undo.stderr).toMatch(/you cannot rollback a paused deployment/);
    ok("-n", NS, "rollout", "resume", "deployment/web");
    expect(rolloutStatus("web")).toMatch(/successfully rolled out/);
    expect(replicaSets("web")).toHaveLength(paused + 1);
    // rollout status is done once the old ReplicaSet has no active pods; one may still be terminating
    // (listed, with a deletionTimestamp, as upstream lists it).
    const active = JSON.parse(ok("-n", NS, "get", "pods", "-l", "app=web", "-o", "json")) as {
      items: { metadata: { deletionTimestamp?: string }; spec: { containers: { image: string }[] } }[];
    };
    expect(active.items.filter((p) => p.metadata.deletionTimestamp === undefined).map((p) => p.spec.containers[0]?.image))
      .toEqual(Array(5).fill("nginx:1.29"));
  }, 300_000);

  it("a rollout whose pods fail to boot stalls at maxUnavailable and reports ProgressDeadlineExceeded", async () => {
    ok("-n", NS, "create", "deployment", "bad", "--image=nginx:1.27", "--replicas=4");
    expect(rolloutStatus("bad")).toMatch(/successfully rolled out/);
    ok("-n", NS, "patch", "deployment", "bad", "--type=merge", "-p", JSON.stringify({
      spec: { progressDeadlineSeconds: 15, template: { metadata: { annotations: { "sim.duraplane.io/fail-boot": "true" } } } },
    }));
    const stalled = run(server.kubeconfig, ["-n", NS, "rollout", "status", "deployment/bad", "--timeout=120s"]);
    expect(stalled.code).not.toBe(0);
    expect(stalled.stderr).toMatch(/deployment "bad" exceeded its progress deadline/);
    const d = deployment("bad");
    expect(d.status?.conditions?.find((c) => c.type === "Progressing")).toMatchObject({ status: "False", reason: "ProgressDeadlineExceeded" });
    // 4 replicas, 25%: one old pod may go (3 stay available), one may surge (5 in all).
    expect(d.status).toMatchObject({ availableReplicas: 3, updatedReplicas: 2, replicas: 5 });
    expect(d.status?.conditions?.find((c) => c.type === "Available")).toMatchObject({ status: "True", reason: "MinimumReplicasAvailable" });
    expect(ok("-n", NS, "get", "deploy", "bad")).toMatch(/^bad\s+3\/4\s+2\s+3\s/m);
  }, 300_000);

  it("a VirtualMachinePool keeps <pool>-<index> VMs running and scales with kubectl scale", async () => {
    ok("-n", NS, "apply", "-f", manifest(`apiVersion: pool.kubevirt.io/v1alpha1
kind: VirtualMachinePool
metadata:
  name: fleet
spec:
  replicas: 2
  selector:
    matchLabels: {pool: fleet}
  virtualMachineTemplate:
    metadata:
      labels: {pool: fleet}
    spec:
      runStrategy: Always
      template:
        spec:
          domain:
            devices: {}
            resources:
              requests: {memory: 64Mi}
`));
    await until("2 ready", () => /^fleet\s+2\s+2\s+2\s/m.test(ok("-n", NS, "get", "vmpool", "fleet")), 90_000);
    ok("-n", NS, "scale", "vmpool", "fleet", "--replicas=3");
    await until("3 ready", () => /^fleet\s+3\s+3\s+3\s/m.test(ok("-n", NS, "get", "vmpool", "fleet")), 90_000);
    expect(ok("-n", NS, "get", "vm", "-l", "pool=fleet", "-o", "name").split("\n").filter((l) => l !== "").sort())
      .toEqual(["virtualmachine.kubevirt.io/fleet-0", "virtualmachine.kubevirt.io/fleet-1", "virtualmachine.kubevirt.io/fleet-2"]);
  }, 300_000);
});
