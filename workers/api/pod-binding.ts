/**
 * @module
 * `POST /api/v1/namespaces/{ns}/pods/{name}/binding`: a `v1` Binding assigns
 * the pod to a Node through the `bind` write (workers/objects/bind-op.ts),
 * answered as upstream's BindingREST.Create: 201 with a Status Success.
 * Where upstream answers a bad target with an aggregate error (a 500), this
 * answers 422 Invalid (invariant 8).
 */
import { Hono } from "hono";
import { badRequest, invalid, methodNotAllowed, type StatusCause } from "../../shared/k8s/errors";
import { isJsonObject, type Json, type JsonObject } from "../../shared/k8s/object";
import { notSupported, required } from "../../shared/k8s/validation";
import type { BindOp } from "../objects/bind-op";
import { writeObject } from "../objects/client";
import { resourceKey } from "../registry";
import { readObjectBody } from "./body";
import { writeOptions } from "./request-options";
import { json } from "./respond";

const PATH = "/api/v1/namespaces/:ns/pods/:name/binding";
const PODS = resourceKey({ group: "", plural: "pods" });

function text(value: Json | undefined): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The checks of BindingREST.Create and ValidatePodBinding, turned into the node and preconditions of a bind. */
export function bindingFromBody(body: Json, namespace: string, name: string): Omit<BindOp, "verb"> {
  if (!isJsonObject(body)) throw badRequest("the request body must be a JSON object");
  if (body.apiVersion !== undefined && body.apiVersion !== "v1") {
    throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (v1)`);
  }
  if (body.kind !== undefined && body.kind !== "Binding") throw badRequest(`not a Binding object: kind ${JSON.stringify(body.kind)}`);
  if (body.metadata !== undefined && !isJsonObject(body.metadata)) throw badRequest("metadata must be a JSON object");
  const meta: JsonObject = isJsonObject(body.metadata) ? body.metadata : {};
  if (meta.name !== name) throw badRequest("name in URL does not match name in Binding object");
  if (text(meta.namespace) !== undefined && meta.namespace !== namespace) {
    throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
  }
  if (body.target !== undefined && !isJsonObject(body.target)) throw badRequest("target must be a JSON object");
  const target: JsonObject = isJsonObject(body.target) ? body.target : {};
  const causes: StatusCause[] = [];
  if (target.kind !== undefined && target.kind !== "" && target.kind !== "Node") {
    causes.push(notSupported("target.kind", target.kind, ["Node", "<empty>"]));
  }
  const node = text(target.name);
  if (node === undefined) causes.push(required("target.name"));
  if (causes.length > 0 || node === undefined) throw invalid("Binding", name, causes);
  const uid = text(meta.uid);
  const resourceVersion = text(meta.resourceVersion);
  return { node, ...(uid || resourceVersion ? { preconditions: { uid, resourceVersion } } : {}) };
}

/** The pods/binding route (create only, as upstream). */
export const podBinding = new Hono<{ Bindings: Env }>()
  .post(PATH, async (c) => {
    const { ns, name } = c.req.param();
    const opts = writeOptions(new URL(c.req.url).searchParams);
    const bind = bindingFromBody(await readObjectBody(c.req.raw), ns, name);
    await writeObject(c.env, { resource: PODS, namespace: ns, name }, { verb: "bind", ...bind, dryRun: opts.dryRun });
    return json({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 }, 201);
  })
  .all(PATH, () => {
    throw methodNotAllowed("the server does not allow this method on the requested resource");
  });
