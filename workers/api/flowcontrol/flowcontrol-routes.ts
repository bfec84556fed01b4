/**
 * @module
 * `GET /apis/flowcontrol.apiserver.k8s.io/v1/{flowschemas,prioritylevelconfigurations}[/name[/status]]`:
 * the API Priority and Fairness configuration (flowcontrol-objects.ts) as
 * JSON or as the Table `kubectl get` asks for. It is fixed by the
 * deployment (levels.ts, APF_TOTAL_SEATS), so every other verb — watch
 * included — is 405 with a message saying so. Authorization is the ordinary
 * RBAC decision on the path, made before these handlers run.
 */
import { type Context, Hono } from "hono";
import { methodNotAllowed, notFound } from "../../../shared/k8s/errors";
import type { KubeObject } from "../../../shared/k8s/object";
import { toTable } from "../../../shared/k8s/printers/table";
import type { Printer } from "../../../shared/k8s/resource-kind";
import { findObject } from "../../objects/client";
import { includeObjectOf, json, wantsTable } from "../respond";
import { isWatch } from "../watch-handler";
import {
  FLOWCONTROL_GROUP, FLOWCONTROL_RESOURCE_VERSION, FLOWCONTROL_VERSION, flowSchemaObjects, flowSchemaPrinter,
  priorityLevelObjects, priorityLevelPrinter,
} from "./flowcontrol-objects";
import { totalSeatsOf } from "./levels";

const PREFIX = `/apis/${FLOWCONTROL_GROUP}/${FLOWCONTROL_VERSION}`;

interface Served {
  plural: string;
  kind: string;
  printer: Printer;
  objects: (env: Env, created: string | undefined) => KubeObject[];
}

/** The group's resources, for discovery too. */
export const FLOWCONTROL_RESOURCES: readonly Served[] = [
  { plural: "flowschemas", kind: "FlowSchema", printer: flowSchemaPrinter, objects: (_env, created) => flowSchemaObjects(created) },
  { plural: "prioritylevelconfigurations", kind: "PriorityLevelConfiguration", printer: priorityLevelPrinter, objects: (env, created) => priorityLevelObjects(created, totalSeatsOf(env)) },
];

/** When the configuration came to be: with the cluster, whose kube-system namespace is made at its first start. */
async function createdAt(env: Env): Promise<string | undefined> {
  return (await findObject(env, { resource: "/namespaces", namespace: "", name: "kube-system" }))?.metadata.creationTimestamp;
}

function respond(s: Served, objects: KubeObject[], accept: string | null, includeObject: string | undefined, single: boolean): Response {
  const table = wantsTable(accept);
  if (table) {
    const t = toTable(s.printer, objects, { now: new Date(), resourceVersion: FLOWCONTROL_RESOURCE_VERSION, includeObject: includeObjectOf(includeObject) });
    return json(table === "v1" ? t : { ...t, apiVersion: "meta.k8s.io/v1beta1" }, 200, `application/json;as=Table;v=${table};g=meta.k8s.io`);
  }
  if (single) return json(objects[0]);
  return json({ kind: `${s.kind}List`, apiVersion: `${FLOWCONTROL_GROUP}/${FLOWCONTROL_VERSION}`, metadata: { resourceVersion: FLOWCONTROL_RESOURCE_VERSION }, items: objects });
}

/** The flowcontrol routes, mounted before the generic resource verbs. */
export const flowControl = new Hono<{ Bindings: Env }>();

flowControl.use(`${PREFIX}/*`, async (c, next) => {
  if (c.req.method !== "GET" || isWatch(new URL(c.req.url))) {
    throw methodNotAllowed(
      "the API Priority and Fairness configuration is fixed by the deployment (its levels, and APF_TOTAL_SEATS): flowschemas and prioritylevelconfigurations can be read, not changed or watched",
    );
  }
  await next();
});

for (const s of FLOWCONTROL_RESOURCES) {
  flowControl.get(`${PREFIX}/${s.plural}`, async (c) => {
    const objects = s.objects(c.env, await createdAt(c.env));
    return respond(s, objects, c.req.header("accept") ?? null, c.req.query("includeObject"), false);
  });
  const one = async (c: Context<{ Bindings: Env }>): Promise<Response> => {
    const name = c.req.param("name") ?? "";
    const obj = s.objects(c.env, await createdAt(c.env)).find((o) => o.metadata.name === name);
    if (!obj) throw notFound({ group: FLOWCONTROL_GROUP, resource: s.plural }, name);
    return respond(s, [obj], c.req.header("accept") ?? null, c.req.query("includeObject"), true);
  };
  flowControl.get(`${PREFIX}/${s.plural}/:name`, one);
  flowControl.get(`${PREFIX}/${s.plural}/:name/status`, one);
}
