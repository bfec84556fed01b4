import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Deployment } from "../../../shared/schemas";
import { maxSurge, maxUnavailable, resolveFenceposts } from "./fenceposts";
import { computeHash, POD_TEMPLATE_HASH_LABEL } from "./pod-template-hash";
import { becomeReady, podCounts, rollOut, simDeployment, simWorld, step, userUpdate, type SimWorld } from "./rollout-sim";

const REVISION = "deployment.kubernetes.io/revision";

function progressing(w: SimWorld) {
  return w.d.status?.conditions?.find((c) => c.type === "Progressing");
}

function setImage(w: SimWorld, image: string): void {
  userUpdate(w, (spec) => {
    const c = spec.template?.spec?.containers[0];
    if (c) c.image = image;
  });
}

describe("resolveFenceposts", () => {
  it.each([
    ["25%", "25%", 10, 3, 2],
    ["25%", "25%", 1, 1, 0],
    [0, "10%", 5, 0, 1],
    [2, 0, 4, 2, 0],
    ["0%", "0%", 3, 0, 1],
  ] as const)("surge %s / unavailable %s of %d → %d / %d (surge up, unavailable down)", (s, u, r, surge, unavailable) => {
    expect(resolveFenceposts(s, u, r)).toEqual({ surge, unavailable });
  });
});

describe("new ReplicaSet", () => {
  it("is named <deployment>-<pod-template-hash>, labelled and selected by the hash, and controlled by the Deployment", () => {
    const w = simWorld(simDeployment());
    const plan = step(w);
    const create = plan.actions.find((a) => a.kind === "createReplicaSet");
    if (create?.kind !== "createReplicaSet") throw new Error("no create");
    const hash = computeHash(simDeployment().spec?.template ?? {}, undefined);
    expect(create.rs.metadata.name).toBe(`web-${hash}`);
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(create.rs.spec?.selector.matchLabels).toEqual({ app: "web", [POD_TEMPLATE_HASH_LABEL]: hash });
    expect(create.rs.spec?.template?.metadata?.labels).toEqual({ app: "web", [POD_TEMPLATE_HASH_LABEL]: hash });
    expect(create.rs.metadata.ownerReferences).toEqual([
      { apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: "d-uid", controller: true, blockOwnerDeletion: true },
    ]);
    expect(create.rs.metadata.annotations).toMatchObject({
      [REVISION]: "1", "deployment.kubernetes.io/desired-replicas": "3", "deployment.kubernetes.io/max-replicas": "4",
    });
    expect(create.rs.spec?.replicas).toBe(3);
    expect(progressing(w)?.reason).toBe("NewReplicaSetCreated");
    expect(w.d.metadata.annotations?.[REVISION]).toBe("1");
  });

  it("hash is stable for one template and changes with the collision count", () => {
    const t = simDeployment().spec?.template ?? {};
    expect(computeHash(structuredClone(t), undefined)).toBe(computeHash(t, undefined));
    expect(computeHash(t, 1)).not.toBe(computeHash(t, undefined));
  });

  it("rolls out to complete: Available MinimumReplicasAvailable, Progressing NewReplicaSetAvailable, counts", () => {
    const w = simWorld(simDeployment());
    rollOut(w);
    expect(w.d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 0, observedGeneration: 1 });
    expect(w.d.status?.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ["Available", "True", "MinimumReplicasAvailable"],
      ["Progressing", "True", "NewReplicaSetAvailable"],
    ]);
  });
});

describe("RollingUpdate invariants (property)", () => {
  const intOrPercent = fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 100 }).map((p) => `${p}%`));
  const nonZero = (v: number | string): boolean => (typeof v === "number" ? v : Number(v.slice(0, -1))) !== 0;

  it("total pods ≤ replicas + maxSurge and available ≥ replicas − maxUnavailable at every step of a rollout", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 12 }),
        intOrPercent,
        intOrPercent,
        fc.array(fc.boolean(), { minLength: 0, maxLength: 400 }),
        (replicas, surge, unavailable, readiness) => {
          fc.pre(nonZero(surge) || nonZero(unavailable));
          const w = simWorld(simDeployment({ replicas, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } } }));
          rollOut(w);
          const d: Deployment = w.d;
          const maxTotal = replicas + maxSurge(d);
          const minAvailable = replicas - maxUnavailable(d);
          setImage(w, "nginx:2");
          let i = 0;
          const next = (): boolean => (i < readiness.length ? (readiness[i++] ?? true) : true);
          for (let n = 0; n < 200; n++) {
            step(w);
            const counts = podCounts(w);
            expect(counts.total).toBeLessThanOrEqual(maxTotal);
            expect(counts.available).toBeGreaterThanOrEqual(minAvailable);
            becomeReady(w, next);
            w.now += 1000;
            if (progressing(w)?.reason === "NewReplicaSetAvailable") break;
          }
          // Completes once every pod can become ready, with only the new ReplicaSet left scaled.
          expect(w.d.status).toMatchObject({ replicas, updatedReplicas: replicas, availableReplicas: replicas });
          expect(w.rss.filter((rs) => (rs.spec?.replicas ?? 0) > 0).length).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("Recreate", () => {
  it("scales the old ReplicaSet to 0 and creates the new one only once no old pod is left", () => {
    const w = simWorld(simDeployment({ strategy: { type: "Recreate" } }));
    rollOut(w);
    setImage(w, "nginx:2");
    const first = step(w);
    expect(first.actions.some((a) => a.kind === "createReplicaSet")).toBe(false);
    expect(first.actions).toContainEqual(expect.objectContaining({ kind: "event", message: expect.stringMatching(/^Scaled down replica set web-\w+ from 3 to 0$/) }));
    // The simulated ReplicaSet removed its pods at once; the next sync creates the new set at full size.
    const second = step(w);
    const create = second.actions.find((a) => a.kind === "createReplicaSet");
    expect(create?.kind === "createReplicaSet" && create.rs.spec?.replicas).toBe(3);
    becomeReady(w, () => true);
    rollOut(w);
    expect(w.rss.map((rs) => rs.spec?.replicas)).toEqual([0, 3]);
  });
});

describe("rollback", () => {
  it("going back to an old template reuses its ReplicaSet with the next revision and records the old one in revision-history", () => {
    const w = simWorld(simDeployment());
    rollOut(w);
    const first = w.rss[0]?.metadata.name;
    setImage(w, "nginx:2");
    rollOut(w);
    setImage(w, "nginx:1");
    rollOut(w);
    expect(w.rss).toHaveLength(2);
    const back = w.rss.find((rs) => rs.metadata.name === first);
    expect(back?.spec?.replicas).toBe(3);
    expect(back?.metadata.annotations?.[REVISION]).toBe("3");
    expect(back?.metadata.annotations?.["deployment.kubernetes.io/revision-history"]).toBe("1");
    expect(w.d.metadata.annotations?.[REVISION]).toBe("3");
  });
});

describe("pause and resume", () => {
  it("a paused Deployment creates no ReplicaSet for a new template, reports DeploymentPaused, and rolls out once resumed", () => {
    const w = simWorld(simDeployment());
    rollOut(w);
    userUpdate(w, (spec) => { spec.paused = true; });
    step(w);
    expect(progressing(w)).toMatchObject({ status: "Unknown", reason: "DeploymentPaused", message: "Deployment is paused" });
    setImage(w, "nginx:2");
    for (let i = 0; i < 3; i++) step(w);
    expect(w.rss).toHaveLength(1);
    // Scaling still works while paused.
    userUpdate(w, (spec) => { spec.replicas = 5; });
    step(w);
    expect(w.rss[0]?.spec?.replicas).toBe(5);
    userUpdate(w, (spec) => { spec.paused = false; });
    const resumed = step(w);
    expect(resumed.actions.some((a) => a.kind === "createReplicaSet")).toBe(true);
    rollOut(w);
    expect(w.rss.map((rs) => rs.spec?.replicas)).toEqual([0, 5]);
  });
});

describe("progress deadline", () => {
  it("a new ReplicaSet whose pods never become ready stalls at maxUnavailable and reports ProgressDeadlineExceeded", () => {
    const w = simWorld(simDeployment({ replicas: 4, progressDeadlineSeconds: 30 }));
    rollOut(w);
    setImage(w, "broken:1");
    step(w);
    for (const rs of w.rss) if (rs.spec?.template?.spec?.containers[0]?.image === "broken:1") w.broken.add(rs.metadata.name ?? "");
    let requeue: number | undefined;
    for (let i = 0; i < 10; i++) {
      requeue = step(w).requeueAfterSeconds;
      becomeReady(w, () => true);
    }
    expect(requeue).toBeGreaterThan(1);
    expect(progressing(w)?.reason).toBe("ReplicaSetUpdated");
    w.now += 31_000;
    step(w);
    expect(progressing(w)).toMatchObject({ status: "False", reason: "ProgressDeadlineExceeded" });
    expect(progressing(w)?.message).toMatch(/^ReplicaSet "web-\w+" has timed out progressing\.$/);
    // 4 replicas, 25%: one old pod gone, one surge pod: 3 old available, 2 new never ready.
    expect(podCounts(w)).toEqual({ total: 5, available: 3 });
    expect(w.d.status).toMatchObject({ availableReplicas: 3, unavailableReplicas: 2, updatedReplicas: 2 });
    expect(step(w).requeueAfterSeconds).toBeUndefined();
  });
});

describe("revisionHistoryLimit", () => {
  it("deletes the oldest scaled-down ReplicaSets beyond the limit once the rollout completes", () => {
    const w = simWorld(simDeployment({ revisionHistoryLimit: 1 }));
    rollOut(w);
    for (const image of ["nginx:2", "nginx:3", "nginx:4"]) {
      setImage(w, image);
      rollOut(w);
    }
    expect(w.rss.map((rs) => rs.metadata.annotations?.[REVISION])).toEqual(["3", "4"]);
  });
});

describe("proportional scaling", () => {
  it("a replicas change mid-rollout is spread over the active ReplicaSets by size", () => {
    const w = simWorld(simDeployment({ replicas: 10 }));
    rollOut(w);
    setImage(w, "nginx:2");
    step(w);
    // maxSurge 3: the new set got 3; maxUnavailable 2: the old one lost 2 in the same sync.
    expect(w.rss.map((rs) => rs.spec?.replicas)).toEqual([8, 3]);
    userUpdate(w, (spec) => { spec.replicas = 20; });
    step(w);
    // allowed 20 + 5 = 25, 14 to add: 8/13 and 3/13 of 25 rounded (+7, +3), the 4 left over to the largest.
    expect(w.rss.map((rs) => rs.spec?.replicas)).toEqual([19, 6]);
    expect(w.rss.every((rs) => rs.metadata.annotations?.["deployment.kubernetes.io/desired-replicas"] === "20")).toBe(true);
  });
});
