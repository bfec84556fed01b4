/**
 * @module
 * `GET /apis/metrics.k8s.io/v1beta1/…`: NodeMetrics and PodMetrics as
 * metrics-server serves them to `kubectl top` (lists with label and field
 * selectors, one object by name), and duraplane's
 * VirtualMachineInstanceMetrics. Each answer joins the objects as stored now
 * (their labels; an object that no longer exists is not listed) with the
 * fresh samples of the UsageStore; an object without a fresh sample is left
 * out of a list and is NotFound by name, as upstream (an object that does
 * not exist is its own kind's NotFound, `pods "web" not found`); only
 * running pods are served. Authorization is the
 * ordinary RBAC decision on the path (group metrics.k8s.io), made before
 * these handlers run.
 * @see https://github.com/kubernetes-sigs/metrics-server/blob/master/pkg/api/node.go
 * @see https://github.com/kubernetes-sigs/metrics-server/blob/master/pkg/api/pod.go
 */
import { Hono } from "hono";
import { methodNotAllowed, notFound } from "../../shared/k8s/errors";
import type { KubeObject } from "../../shared/k8s/object";
import { listAll } from "../client/list-all";
import type { ListRequest } from "../objects/collection-list";
import { findObject } from "../objects/client";
import { isWatch } from "../api/watch-handler";
import { json } from "../api/respond";
import { METRICS_GROUP, list, nodeMetrics, podMetrics, single, vmiMetrics } from "./metrics-objects";
import { type Held, usageStore } from "./usage-store";

const PREFIX = "/apis/metrics.k8s.io/v1beta1";

/** Registry keys (registry.ts resourceKey) of the objects metrics are joined with. */
const NODES = "/nodes";
const PODS = "/pods";
const VMIS = "kubevirt.io/virtualmachineinstances";

/** The lists a metrics list joins with: the same selectors, on the objects themselves. */
function objectsRequest(resource: string, url: URL, namespace?: string): ListRequest {
  const req: ListRequest = { resource, ...(namespace !== undefined ? { namespace } : {}) };
  const labelSelector = url.searchParams.get("labelSelector");
  const fieldSelector = url.searchParams.get("fieldSelector");
  if (labelSelector) req.labelSelector = labelSelector;
  if (fieldSelector) req.fieldSelector = fieldSelector;
  return req;
}

function keyOf(obj: { metadata: { namespace?: string; name?: string } } | { namespace: string; name: string }): string {
  return "metadata" in obj ? `${obj.metadata.namespace ?? ""}/${obj.metadata.name ?? ""}` : `${obj.namespace}/${obj.name}`;
}

/** metrics-server serves only running pods (a finished pod's last sample is not its usage). */
function isRunning(obj: KubeObject): boolean {
  if (obj.kind !== "Pod") return true;
  const status = (obj as { status?: { phase?: unknown } }).status;
  return status?.phase === "Running";
}

/** The node an object is bound to: a pod's spec.nodeName, a VMI's status.nodeName. */
function boundNode(obj: KubeObject): string | undefined {
  const o = obj as { spec?: { nodeName?: unknown }; status?: { nodeName?: unknown } };
  const node = obj.kind === "Pod" ? o.spec?.nodeName : o.status?.nodeName;
  return typeof node === "string" ? node : undefined;
}

/**
 * Pairs each object with its sample: same namespace, name and uid (a
 * recreated object is another one), reported by the node the object is
 * bound to — a host speaks only for its own workloads, as NodeRestriction
 * has it for their status.
 */
function join<T extends { namespace: string; name: string; uid: string }>(objects: KubeObject[], held: Held<T>[]): [KubeObject, T][] {
  const byKey = new Map(held.map((h) => [`${h.node}\u0000${keyOf(h.sample)}`, h.sample]));
  const out: [KubeObject, T][] = [];
  for (const obj of objects) {
    const node = boundNode(obj);
    const sample = node === undefined ? undefined : byKey.get(`${node}\u0000${keyOf(obj)}`);
    if (sample && sample.uid === obj.metadata.uid && isRunning(obj)) out.push([obj, sample]);
  }
  return out;
}

/**
 * metrics-server's NotFound: the object's own when it does not exist
 * (`pods "web" not found`), else the metrics' with the namespaced name
 * (`podmetrics.metrics.k8s.io "ns/web" not found`).
 */
function missing(objectRef: { group: string; resource: string }, exists: boolean, kind: string, name: string, namespace?: string): never {
  if (!exists) throw notFound(objectRef, name);
  throw notFound({ group: METRICS_GROUP, resource: kind.toLowerCase() }, namespace !== undefined ? `${namespace}/${name}` : name);
}

/** The metrics routes, mounted before the generic resource verbs. */
export const resourceMetrics = new Hono<{ Bindings: Env }>();

// No watch (upstream has none) and no writes.
resourceMetrics.use(`${PREFIX}/*`, async (c, next) => {
  if (c.req.method !== "GET" || isWatch(new URL(c.req.url))) {
    throw methodNotAllowed("the server does not allow this method on the requested resource");
  }
  await next();
});

resourceMetrics.get(`${PREFIX}/nodes`, async (c) => {
  const now = Date.now();
  const [nodes, usage] = await Promise.all([listAll(c.env, objectsRequest(NODES, new URL(c.req.url))), usageStore(c.env).nodeUsage()]);
  const items = nodes.flatMap((node) => {
    const sample = usage[node.metadata.name ?? ""];
    return sample ? [nodeMetrics(node, sample, now)] : [];
  });
  return json(list("NodeMetrics", items));
});

resourceMetrics.get(`${PREFIX}/nodes/:name`, async (c) => {
  const name = c.req.param("name");
  const [node, usage] = await Promise.all([findObject(c.env, { resource: NODES, namespace: "", name }), usageStore(c.env).nodeUsage(name)]);
  const sample = usage[name];
  if (!node || !sample) missing({ group: "", resource: "nodes" }, node !== undefined, "NodeMetrics", name);
  return json(single("NodeMetrics", nodeMetrics(node, sample, Date.now())));
});

async function listPods(env: Env, url: URL, namespace?: string): Promise<Response> {
  const [pods, held] = await Promise.all([
    listAll(env, objectsRequest(PODS, url, namespace)),
    usageStore(env).podUsage(namespace !== undefined ? { namespace } : {}),
  ]);
  const now = Date.now();
  return json(list("PodMetrics", join(pods, held).map(([pod, sample]) => podMetrics(pod, sample, now))));
}

resourceMetrics.get(`${PREFIX}/pods`, (c) => listPods(c.env, new URL(c.req.url)));
resourceMetrics.get(`${PREFIX}/namespaces/:namespace/pods`, (c) => listPods(c.env, new URL(c.req.url), c.req.param("namespace")));

resourceMetrics.get(`${PREFIX}/namespaces/:namespace/pods/:name`, async (c) => {
  const { namespace, name } = c.req.param();
  const pod = await findObject(c.env, { resource: PODS, namespace, name });
  const node = pod && boundNode(pod);
  const held = node !== undefined ? await usageStore(c.env).podUsage({ namespace, name, node }) : [];
  const [pair] = pod ? join([pod], held) : [];
  if (!pair) missing({ group: "", resource: "pods" }, pod !== undefined, "PodMetrics", name, namespace);
  return json(single("PodMetrics", podMetrics(pair[0], pair[1], Date.now())));
});

async function listVMIs(env: Env, url: URL, namespace?: string): Promise<Response> {
  const [vmis, held] = await Promise.all([
    listAll(env, objectsRequest(VMIS, url, namespace)),
    usageStore(env).vmiUsage(namespace !== undefined ? { namespace } : {}),
  ]);
  const now = Date.now();
  return json(list("VirtualMachineInstanceMetrics", join(vmis, held).map(([vmi, sample]) => vmiMetrics(vmi, sample, now))));
}

resourceMetrics.get(`${PREFIX}/virtualmachineinstances`, (c) => listVMIs(c.env, new URL(c.req.url)));
resourceMetrics.get(`${PREFIX}/namespaces/:namespace/virtualmachineinstances`, (c) => listVMIs(c.env, new URL(c.req.url), c.req.param("namespace")));

resourceMetrics.get(`${PREFIX}/namespaces/:namespace/virtualmachineinstances/:name`, async (c) => {
  const { namespace, name } = c.req.param();
  const vmi = await findObject(c.env, { resource: VMIS, namespace, name });
  const node = vmi && boundNode(vmi);
  const held = node !== undefined ? await usageStore(c.env).vmiUsage({ namespace, name, node }) : [];
  const [pair] = vmi ? join([vmi], held) : [];
  if (!pair) missing({ group: "kubevirt.io", resource: "virtualmachineinstances" }, vmi !== undefined, "VirtualMachineInstanceMetrics", name, namespace);
  return json(single("VirtualMachineInstanceMetrics", vmiMetrics(pair[0], pair[1], Date.now())));
});
