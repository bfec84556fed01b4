/**
 * @module
 * The dead-letter queue's consumer: a key whose reconcile kept failing is
 * recorded in D1 (the `duraplane_reconcile_dead_letters_total` metric) and
 * reported as a Warning Event on its owner, so `kubectl describe` and
 * `kubectl get events` show it.
 */
import { count, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { deadLetters } from "../../../shared/db/schema";
import type { Json } from "../../../shared/k8s/object";
import { createObject } from "../../objects/create";
import { kindByResource } from "../../registry";
import { isReconcileKey, type ReconcileKey } from "./keys";
import { RESOURCES } from "../replicaset/replicas-sync";
import { formatTime } from "../../../shared/k8s/time";
import { recordWorkqueueDone } from "../../metrics/workqueue-metrics";

/** Each controller's owner resource; a garbage collector key names its owner's resource itself. */
const OWNER_RESOURCE: Record<ReconcileKey["controller"], string | undefined> = {
  replicaset: RESOURCES.replicasets,
  deployment: "apps/deployments",
  vmirs: RESOURCES.vmirs,
  vmpool: RESOURCES.vmpools,
  virtualmachine: RESOURCES.vms,
  garbagecollector: undefined,
  // The scheduler's key names no object; a node's Events would need a namespace the key lacks.
  scheduler: undefined,
  vmitermination: RESOURCES.vmis,
  nodelifecycle: undefined,
  // One key for all ClusterRoles: no object to report on.
  clusterroleaggregation: undefined,
  // A namespace's key: its Events would need a namespace the key lacks.
  serviceaccounts: undefined,
  resourcequota: "/resourcequotas",
  limitrange: "/limitranges",
  // Cluster-scoped: its Events would need a namespace.
  clusterresourcequota: undefined,
  // A namespace's key (every budget of it): its Events would need an object the key does not name.
  disruption: undefined,
  // One key for every migration / every drained node: no object to report on.
  migration: undefined,
  evacuation: undefined,
};

/** Records and reports every dead-lettered key; always acks (there is nowhere further to go). */
export async function consumeDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = drizzle(env.DB);
  const events = kindByResource("/events");
  for (const msg of batch.messages) {
    if (!isReconcileKey(msg.body)) {
      msg.ack();
      continue;
    }
    const key = msg.body;
    // It left the reconcile queue: workqueue_depth no longer counts it.
    recordWorkqueueDone(key);
    console.error(`reconcile key ${key.controller}/${key.namespace}/${key.name} exhausted its retries`);
    await db.insert(deadLetters).values({
      id: msg.id, controller: key.controller, namespace: key.namespace, name: key.name,
      attempts: msg.attempts, at: new Date(),
    }).onConflictDoNothing();
    const owner = kindByResource(key.resource ?? OWNER_RESOURCE[key.controller] ?? "");
    if (events && owner) {
      const now = formatTime(Date.now());
      const event: Json = {
        apiVersion: "v1", kind: "Event",
        metadata: { namespace: key.namespace },
        involvedObject: {
          apiVersion: owner.group ? `${owner.group}/${owner.version}` : owner.version, kind: owner.kind, namespace: key.namespace, name: key.name,
          ...(key.uid ? { uid: key.uid } : {}),
        },
        reason: "ReconcileFailed", type: "Warning",
        message: `reconcile kept failing and was given up after ${msg.attempts} attempts; it resumes at the next resync`,
        source: { component: `${key.controller}-controller` }, firstTimestamp: now, lastTimestamp: now, count: 1,
      };
      try {
        await createObject(env, { kind: events, namespace: key.namespace, generateName: `${key.name}.` }, event);
      } catch (err) {
        console.error("could not record the dead-letter Event", err);
      }
    }
    msg.ack();
  }
}

/** Prometheus text for the dead-letter counter, per controller. */
export async function deadLetterMetrics(env: Env): Promise<string> {
  const rows = await drizzle(env.DB)
    .select({ controller: deadLetters.controller, n: count() })
    .from(deadLetters)
    .groupBy(deadLetters.controller);
  const lines = [
    "# HELP duraplane_reconcile_dead_letters_total Reconcile keys moved to the dead-letter queue.",
    "# TYPE duraplane_reconcile_dead_letters_total counter",
  ];
  for (const c of Object.keys(OWNER_RESOURCE)) {
    const n = rows.find((r) => r.controller === c)?.n ?? 0;
    lines.push(`duraplane_reconcile_dead_letters_total{controller="${c}"} ${n}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Dead letters of one controller (tests). */
export async function deadLetterCount(env: Env, controller: string): Promise<number> {
  const row = await drizzle(env.DB).select({ n: count() }).from(deadLetters).where(eq(deadLetters.controller, controller)).get();
  return row?.n ?? 0;
}
