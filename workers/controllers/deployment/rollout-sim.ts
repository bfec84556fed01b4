/**
 * @module
 * A tiny world for testing the pure Deployment sync (test code): ReplicaSets
 * whose pods follow spec.replicas at once (the ReplicaSet controller, deleting
 * unavailable pods first as ActivePodsWithRanks does), pods that become ready
 * when the test says so, and a clock. Upstream's own deployment tests seed
 * ReplicaSets and compare actions the same way.
 */
import type { Deployment, ReplicaSet } from "../../../shared/schemas";
import { formatTime } from "../../../shared/k8s/time";
import { syncDeployment, type DeploymentPlan } from "./sync-deployment";

/** A simulated pod: ready or not, and whether it can ever become ready (a bad image cannot). */
export interface SimPod {
  ready: boolean;
}

/** The simulated cluster. */
export interface SimWorld {
  d: Deployment;
  rss: ReplicaSet[];
  pods: Map<string, SimPod[]>;
  now: number;
  uids: number;
  /** ReplicaSet names whose pods never become ready. */
  broken: Set<string>;
  last?: DeploymentPlan;
}

/** A Deployment as the API stores it (defaults applied). */
export function simDeployment(spec: Partial<NonNullable<Deployment["spec"]>> = {}, image = "nginx:1"): Deployment {
  return {
    apiVersion: "apps/v1", kind: "Deployment",
    metadata: { name: "web", namespace: "default", uid: "d-uid", generation: 1, creationTimestamp: "2026-01-01T00:00:00Z" },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image }] } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      ...spec,
    },
  };
}

/** A new world around `d`. */
export function simWorld(d: Deployment): SimWorld {
  return { d, rss: [], pods: new Map(), now: Date.parse("2026-01-01T00:00:00Z"), uids: 0, broken: new Set() };
}

/** Changes the Deployment's spec as a user would (generation +1). */
export function userUpdate(w: SimWorld, change: (spec: NonNullable<Deployment["spec"]>) => void): void {
  const d = structuredClone(w.d);
  if (d.spec) change(d.spec);
  d.metadata.generation = (d.metadata.generation ?? 1) + 1;
  w.d = d;
}

/** The ReplicaSet controller: pods follow spec.replicas; status follows pods. */
function syncReplicaSets(w: SimWorld): void {
  for (const rs of w.rss) {
    const name = rs.metadata.name ?? "";
    let pods = w.pods.get(name) ?? [];
    const want = rs.spec?.replicas ?? 1;
    while (pods.length < want) pods.push({ ready: false });
    if (pods.length > want) pods = [...pods.filter((p) => !p.ready), ...pods.filter((p) => p.ready)].slice(pods.length - want);
    w.pods.set(name, pods);
    const ready = pods.filter((p) => p.ready).length;
    rs.status = { replicas: pods.length, readyReplicas: ready, availableReplicas: ready, observedGeneration: rs.metadata.generation ?? 1 };
  }
}

/** Runs one Deployment sync and applies what it decided; then the ReplicaSets catch up. */
export function step(w: SimWorld): DeploymentPlan {
  const plan = syncDeployment(w.d, w.rss, [], new Date(w.now));
  for (const a of plan.actions) {
    if (a.kind === "createReplicaSet") {
      const rs = structuredClone(a.rs);
      rs.metadata.uid = `rs-${++w.uids}`;
      rs.metadata.generation = 1;
      rs.metadata.creationTimestamp = formatTime(w.now + w.uids);
      if (w.rss.some((r) => r.metadata.name === rs.metadata.name)) throw new Error(`duplicate ${rs.metadata.name ?? ""}`);
      w.rss.push(rs);
    } else if (a.kind === "updateReplicaSet") {
      const i = w.rss.findIndex((r) => r.metadata.name === a.rs.metadata.name);
      const old = w.rss[i];
      if (!old) continue;
      const next = structuredClone(a.rs);
      next.metadata.generation = (old.metadata.generation ?? 1) + (old.spec?.replicas !== next.spec?.replicas ? 1 : 0);
      next.status = old.status;
      w.rss[i] = next;
    } else if (a.kind === "deleteReplicaSet") {
      w.rss = w.rss.filter((r) => r.metadata.name !== a.rs.metadata.name);
      w.pods.delete(a.rs.metadata.name ?? "");
    }
  }
  w.d = plan.deployment;
  syncReplicaSets(w);
  w.last = plan;
  return plan;
}

/** Makes pods ready: `decide(pod index)` picks which of the not-ready, not-broken pods become ready. */
export function becomeReady(w: SimWorld, decide: () => boolean): void {
  for (const [name, pods] of w.pods) {
    if (w.broken.has(name)) continue;
    for (const p of pods) if (!p.ready && decide()) p.ready = true;
  }
  syncReplicaSets(w);
}

/** Total pods and available pods across every ReplicaSet. */
export function podCounts(w: SimWorld): { total: number; available: number } {
  let total = 0;
  let available = 0;
  for (const pods of w.pods.values()) {
    total += pods.length;
    available += pods.filter((p) => p.ready).length;
  }
  return { total, available };
}

/** Steps (everything becoming ready) until the Deployment is complete, at most `max` times. */
export function rollOut(w: SimWorld, max = 50): void {
  for (let i = 0; i < max; i++) {
    step(w);
    becomeReady(w, () => true);
    w.now += 1000;
    const s = w.d.status;
    const replicas = w.d.spec?.replicas ?? 1;
    if (s?.updatedReplicas === replicas && s.availableReplicas === replicas && s.replicas === replicas &&
      s.conditions?.some((c) => c.type === "Progressing" && c.reason === "NewReplicaSetAvailable")) {
      step(w);
      return;
    }
  }
  throw new Error(`not rolled out: ${JSON.stringify(w.d.status)}`);
}
