/**
 * apps/v1 Deployments inside workerd: the API (defaults, validation with
 * upstream's messages, Table, /scale) and the controller against the real
 * stores and queue — ReplicaSets named by the template hash, status that
 * follows its ReplicaSets' changes, adoption, and cascading deletion.
 */
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { defaultDeployment, type Deployment as TypedDeployment } from "../shared/schemas/apps-v1/deployment";
import { computeHash } from "../workers/controllers/deployment/pod-template-hash";
import { api, eventually, namespace, type StatusBody } from "./helpers";

type Deployment = KubeObject & {
  spec: Record<string, unknown>;
  status?: { replicas?: number; updatedReplicas?: number; availableReplicas?: number; observedGeneration?: number; conditions?: { type: string; reason?: string }[] };
};
type List<T = KubeObject> = { items: T[] };
const MERGE = { "content-type": "application/merge-patch+json" };

const deployment = (name: string, replicas: number, extra: Record<string, unknown> = {}) => ({
  apiVersion: "apps/v1", kind: "Deployment", metadata: { name },
  spec: {
    replicas, selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "nginx:1" }] } },
    ...extra,
  },
});

async function replicaSets(ns: string, app: string): Promise<List["items"]> {
  return (await api<List>("GET", `/apis/apps/v1/namespaces/${ns}/replicasets?labelSelector=app%3D${app}`)).body.items;
}

async function pods(ns: string, app: string): Promise<List["items"]> {
  return (await api<List>("GET", `/api/v1/namespaces/${ns}/pods?labelSelector=app%3D${app}`)).body.items;
}

/** Plays the kubelet: every pod of `app` Running and Ready. */
async function makeReady(ns: string, app: string): Promise<void> {
  for (const p of await pods(ns, app)) {
    const ready = { status: { phase: "Running", conditions: [{ type: "Ready", status: "True", lastTransitionTime: "2026-01-01T00:00:00Z" }] } };
    await api("PATCH", `/api/v1/namespaces/${ns}/pods/${p.metadata.name ?? ""}/status`, ready, MERGE);
  }
}

async function get(ns: string, name: string): Promise<Deployment> {
  return (await api<Deployment>("GET", `/apis/apps/v1/namespaces/${ns}/deployments/${name}`)).body;
}

describe("Deployment API", () => {
  it("defaults replicas, strategy RollingUpdate 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600", async () => {
    const ns = await namespace();
    const body = deployment("d", 1);
    delete (body.spec as Record<string, unknown>).replicas;
    const res = await api<Deployment>("POST", `/apis/apps/v1/namespaces/${ns}/deployments`, body);
    expect(res.status).toBe(201);
    expect(res.body.spec).toMatchObject({
      replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["a selector not matching the template", { selector: { matchLabels: { app: "other" } } },
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"bad"}: `selector` does not match template `labels`'],
    ["no selector", { selector: undefined }, "spec.selector: Required value"],
    ["both fenceposts 0", { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: "0%" } } },
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "0%": may not be 0 when `maxSurge` is 0'],
    ["a malformed percentage", { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "ten" } } },
      `spec.strategy.rollingUpdate.maxSurge: Invalid value: "ten": must be an integer or percentage (e.g '5%')`],
    ["maxUnavailable over 100%", { strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "150%" } } },
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%'],
    ["rollingUpdate with Recreate", { strategy: { type: "Recreate", rollingUpdate: { maxSurge: 1 } } },
      "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
    ["an unknown strategy", { strategy: { type: "BlueGreen" } }, 'spec.strategy.type: Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"'],
    ["a deadline not above minReadySeconds", { minReadySeconds: 10, progressDeadlineSeconds: 10 },
      "spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds"],
  ])("refuses %s with upstream's message (422)", async (_, extra, message) => {
    const ns = await namespace();
    const res = await api<StatusBody>("POST", `/apis/apps/v1/namespaces/${ns}/deployments`, deployment("bad", 1, extra));
    expect(res.status).toBe(422);
    expect(res.body.message).toContain(message);
  });

  it("keeps the selector immutable and serves /scale with the selector", async () => {
    const ns = await namespace();
    await api("POST", `/apis/apps/v1/namespaces/${ns}/deployments`, deployment("im", 2));
    const res = await api<StatusBody>("PATCH", `/apis/apps/v1/namespaces/${ns}/deployments/im`,
      { spec: { selector: { matchLabels: { app: "im", x: "y" } }, template: { metadata: { labels: { app: "im", x: "y" } } } } }, MERGE);
    expect(res.status).toBe(422);
    expect(res.body.message).toContain("spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"im\", \"x\":\"y\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable");
    const scale = await api<{ spec: { replicas: number }; status: { selector?: string } }>("GET", `/apis/apps/v1/namespaces/${ns}/deployments/im/scale`);
    expect(scale.body).toMatchObject({ spec: { replicas: 2 }, status: { selector: "app=im" } });
  });
});

describe("Deployment controller", () => {
  it("creates <name>-<hash> with the hash label, follows its ReplicaSet's status to complete, and rolls a new template", async () => {
    const ns = await namespace();
    await api("POST", `/apis/apps/v1/namespaces/${ns}/deployments`, deployment("web", 2));
    await eventually(async () => (await pods(ns, "web")).length === 2);
    const [rs] = await replicaSets(ns, "web");
    const hash = rs?.metadata.labels?.["pod-template-hash"] ?? "";
    expect(rs?.metadata.name).toBe(`web-${hash}`);
    expect(rs?.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "Deployment", name: "web", controller: true, blockOwnerDeletion: true })]);
    expect(rs?.metadata.annotations).toMatchObject({ "deployment.kubernetes.io/revision": "1", "deployment.kubernetes.io/desired-replicas": "2" });
    // Only the ReplicaSet's status moves when pods become ready: the Deployment must hear of it.
    await makeReady(ns, "web");
    await eventually(async () => {
      const d = await get(ns, "web");
      return d.status?.availableReplicas === 2 && d.status.conditions?.some((c) => c.reason === "NewReplicaSetAvailable") === true;
    });
    await api("PATCH", `/apis/apps/v1/namespaces/${ns}/deployments/web`, { spec: { template: { spec: { containers: [{ name: "c", image: "nginx:2" }] } } } }, MERGE);
    await eventually(async () => (await replicaSets(ns, "web")).length === 2);
    // Play the kubelet until the rollout is through: each new pod is made ready once it exists.
    await eventually(async () => {
      await makeReady(ns, "web");
      const d = await get(ns, "web");
      const old = (await replicaSets(ns, "web")).find((s) => s.metadata.name === rs?.metadata.name);
      return d.status?.updatedReplicas === 2 && d.status.availableReplicas === 2 && d.status.replicas === 2 &&
        (old?.spec as { replicas?: number } | undefined)?.replicas === 0;
    }, 30_000);
    expect((await get(ns, "web")).metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("2");
  });

  it("adopts a matching orphan ReplicaSet of its template instead of creating one", async () => {
    const ns = await namespace();
    await api("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, {
      apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "orphan", labels: { app: "adopt" } },
      spec: { replicas: 1, selector: { matchLabels: { app: "adopt" } }, template: { metadata: { labels: { app: "adopt" } }, spec: { containers: [{ name: "c", image: "nginx:1" }] } } },
    });
    await api("POST", `/apis/apps/v1/namespaces/${ns}/deployments`, deployment("adopt", 1));
    await eventually(async () => {
      const [only, ...rest] = await replicaSets(ns, "adopt");
      return rest.length === 0 && only?.metadata.ownerReferences?.[0]?.name === "adopt";
    });
  });

  it("deleting the Deployment deletes its ReplicaSets and their pods", async () => {
    const ns = await namespace();
    await api("POST", `/apis/apps/v1/namespaces/${ns}/deployments`, deployment("gone", 2));
    await eventually(async () => (await pods(ns, "gone")).length === 2);
    await api("DELETE", `/apis/apps/v1/namespaces/${ns}/deployments/gone`);
    await eventually(async () => (await replicaSets(ns, "gone")).length === 0 && (await pods(ns, "gone")).length === 0);
  });

  it("a name taken by a ReplicaSet that is not its own raises collisionCount and moves to another hash", async () => {
    const ns = await namespace();
    const body = deployment("clash", 1) as unknown as TypedDeployment;
    defaultDeployment(body);
    const taken = `clash-${computeHash(body.spec?.template ?? {}, undefined)}`;
    await api("POST", `/apis/apps/v1/namespaces/${ns}/replicasets`, {
      apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: taken },
      spec: { replicas: 0, selector: { matchLabels: { app: "squatter" } }, template: { metadata: { labels: { app: "squatter" } }, spec: { containers: [{ name: "c", image: "x" }] } } },
    });
    await api("POST", `/apis/apps/v1/namespaces/${ns}/deployments`, deployment("clash", 1));
    await eventually(async () => (await replicaSets(ns, "clash")).length === 1);
    const [rs] = await replicaSets(ns, "clash");
    expect(rs?.metadata.name).toBe(`clash-${computeHash(body.spec?.template ?? {}, 1)}`);
    expect((await get(ns, "clash")).status).toMatchObject({ collisionCount: 1 });
  });
});
