/**
 * @module
 * `POST /api/v1/namespaces/{ns}/pods/{name}/eviction`: a policy/v1 Eviction
 * (JSON, or the protobuf `kubectl drain` sends) evicts the pod within its
 * disruption budget (workers/eviction/evict-pod.ts), answered as upstream's
 * EvictionREST.Create: 201 with a Status Success; 429 when the budget
 * allows no disruption.
 */
import { Hono } from "hono";
import { badRequest, methodNotAllowed } from "../../shared/k8s/errors";
import { isJsonObject, type Json, type JsonObject } from "../../shared/k8s/object";
import type { DeleteOptions } from "../objects/delete-rules";
import { evictPod, type Eviction } from "../eviction/evict-pod";
import { readObjectBody } from "./body";
import { writeOptions } from "./request-options";
import { json } from "./respond";

const PATH = "/api/v1/namespaces/:ns/pods/:name/eviction";
/** The versions of Eviction a client may send (kubectl picks policy/v1 from discovery; older ones v1beta1). */
const EVICTION_VERSIONS = new Set(["policy/v1", "policy/v1beta1"]);

function text(value: Json | undefined): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The DeleteOptions an Eviction carries, checked as the DELETE verb checks its own. */
function deleteOptionsOf(raw: Json | undefined): { options: DeleteOptions; dryRun: boolean } {
  if (raw === undefined || raw === null) return { options: {}, dryRun: false };
  if (!isJsonObject(raw)) throw badRequest("deleteOptions must be a JSON object");
  const options: DeleteOptions = {};
  const grace = raw.gracePeriodSeconds;
  if (grace !== undefined && grace !== null) {
    if (typeof grace !== "number" || !Number.isInteger(grace)) throw badRequest("deleteOptions.gracePeriodSeconds must be an integer");
    options.gracePeriodSeconds = Math.max(0, grace);
  }
  if (typeof raw.propagationPolicy === "string") options.propagationPolicy = raw.propagationPolicy;
  if (typeof raw.orphanDependents === "boolean") options.orphanDependents = raw.orphanDependents;
  if (isJsonObject(raw.preconditions)) {
    const uid = text(raw.preconditions.uid);
    const resourceVersion = text(raw.preconditions.resourceVersion);
    options.preconditions = { ...(uid ? { uid } : {}), ...(resourceVersion ? { resourceVersion } : {}) };
  }
  const dry = Array.isArray(raw.dryRun) ? raw.dryRun : [];
  for (const d of dry) if (d !== "All") throw badRequest(`dryRun: Unsupported value: ${JSON.stringify(d)}: supported values: "All"`);
  return { options, dryRun: dry.length > 0 };
}

/** The checks of EvictionREST.Create on the body, turned into an Eviction. */
export function evictionFromBody(body: Json, namespace: string, name: string): Eviction {
  if (!isJsonObject(body)) throw badRequest("the request body must be a JSON object");
  if (body.apiVersion !== undefined && !EVICTION_VERSIONS.has(String(body.apiVersion))) {
    throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (policy/v1)`);
  }
  if (body.kind !== undefined && body.kind !== "Eviction") throw badRequest(`not an Eviction object: kind ${JSON.stringify(body.kind)}`);
  const meta: JsonObject = isJsonObject(body.metadata) ? body.metadata : {};
  if (text(meta.name) !== undefined && meta.name !== name) throw badRequest("name in URL does not match name in Eviction object");
  if (text(meta.namespace) !== undefined && meta.namespace !== namespace) {
    throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
  }
  const { options, dryRun } = deleteOptionsOf(body.deleteOptions);
  return { namespace, name, deleteOptions: options, dryRun };
}

/** The pods/eviction route (create only, as upstream). */
export const podEviction = new Hono<{ Bindings: Env }>()
  .post(PATH, async (c) => {
    const { ns, name } = c.req.param();
    const opts = writeOptions(new URL(c.req.url).searchParams);
    const eviction = evictionFromBody(await readObjectBody(c.req.raw), ns, name);
    await evictPod(c.env, { ...eviction, dryRun: eviction.dryRun || opts.dryRun });
    return json({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 }, 201);
  })
  .all(PATH, () => {
    throw methodNotAllowed("the server does not allow this method on the requested resource");
  });
