/**
 * @module
 * The authorization.k8s.io/v1 reviews, answered from the same RBAC decision
 * every request gets (workers/rbac): SelfSubjectAccessReview (`kubectl auth
 * can-i`), SelfSubjectRulesReview (`kubectl auth can-i --list`), and, for
 * callers allowed to create them, SubjectAccessReview and the namespaced
 * LocalSubjectAccessReview. Each answers 201 with the request echoed and
 * `status` filled, as upstream's REST storage does; nothing is stored.
 */
import { type Context, Hono } from "hono";
import { badRequest, invalid, methodNotAllowed, type StatusCause } from "../../shared/k8s/errors";
import { forbidden as forbiddenField, required } from "../../shared/k8s/field-errors";
import { isJsonObject, type Json, type JsonObject } from "../../shared/k8s/object";
import type { Requester } from "../rbac/authorizer";
import { rulesFor } from "../rbac/authorizer";
import { decide } from "../rbac/decisions";
import type { Attributes } from "../rbac/policy";
import { rbacSnapshot } from "../rbac/rbac-snapshot";
import type { UserInfo } from "./auth";
import { backgroundOf } from "./authorize";
import { readObjectBody } from "./body";
import { json } from "./respond";

const GROUP_VERSION = "authorization.k8s.io/v1";
const PREFIX = `/apis/${GROUP_VERSION}`;

type ReviewEnv = { Bindings: Env; Variables: { user: UserInfo } };

function str(value: Json | undefined): string {
  return typeof value === "string" ? value : "";
}

/** The review's body as an object of the expected kind, or 400. */
function reviewBody(body: Json, kind: string): JsonObject {
  if (!isJsonObject(body)) throw badRequest(`the request body must be a ${kind} object`);
  if (body.kind !== undefined && body.kind !== kind) throw badRequest(`not a ${kind}: kind ${JSON.stringify(body.kind)}`);
  if (body.apiVersion !== undefined && body.apiVersion !== GROUP_VERSION) {
    throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${GROUP_VERSION})`);
  }
  if (body.spec !== undefined && !isJsonObject(body.spec)) throw badRequest("spec must be an object");
  return body;
}

function specOf(body: JsonObject): JsonObject {
  return isJsonObject(body.spec) ? body.spec : {};
}

/** The attributes an access review's spec asks about; 422 unless exactly one kind of attributes is given. */
function attributesOfSpec(kind: string, spec: JsonObject, causes: StatusCause[]): Attributes | undefined {
  const res = spec.resourceAttributes;
  const non = spec.nonResourceAttributes;
  if (res !== undefined && !isJsonObject(res)) throw badRequest("spec.resourceAttributes must be an object");
  if (non !== undefined && !isJsonObject(non)) throw badRequest("spec.nonResourceAttributes must be an object");
  if (res && non) {
    causes.push(forbiddenField("spec.nonResourceAttributes", "cannot be specified in combination with resourceAttributes"));
    return undefined;
  }
  if (non) return { resourceRequest: false, verb: str(non.verb), path: str(non.path) };
  if (res) {
    return {
      resourceRequest: true, verb: str(res.verb), apiGroup: str(res.group), resource: str(res.resource),
      subresource: str(res.subresource), namespace: str(res.namespace), name: str(res.name),
    };
  }
  causes.push(required("spec.resourceAttributes", `exactly one of nonResourceAttributes or resourceAttributes must be specified for a ${kind}`));
  return undefined;
}

async function answer(c: Context<ReviewEnv>, body: JsonObject, user: Requester, attrs: Attributes): Promise<Response> {
  const decision = await decide(c.env, user, attrs, backgroundOf(c));
  const status: JsonObject = { allowed: decision.allowed };
  if (decision.reason !== "") status.reason = decision.reason;
  return json({ ...body, apiVersion: GROUP_VERSION, metadata: isJsonObject(body.metadata) ? body.metadata : {}, status }, 201);
}

/** The requester a SubjectAccessReview's spec names; 422 with neither user nor groups, as upstream. */
function subjectOf(kind: string, spec: JsonObject, causes: StatusCause[]): Requester {
  const groups = Array.isArray(spec.groups) ? spec.groups.filter((g): g is string => typeof g === "string") : [];
  const username = str(spec.user);
  if (username === "" && groups.length === 0) causes.push(required("spec.user", `at least one of user or group must be specified for a ${kind}`));
  return { username, groups };
}

function refuse(kind: string, causes: StatusCause[]): never {
  throw invalid(kind, "", causes, "authorization.k8s.io");
}

const notAllowed = () => {
  throw methodNotAllowed("the server does not allow this method on the requested resource");
};

/** The review routes. */
export const accessReviews = new Hono<ReviewEnv>()
  .post(`${PREFIX}/selfsubjectaccessreviews`, async (c) => {
    const kind = "SelfSubjectAccessReview";
    const body = reviewBody(await readObjectBody(c.req.raw), kind);
    const causes: StatusCause[] = [];
    const attrs = attributesOfSpec(kind, specOf(body), causes);
    if (!attrs) refuse(kind, causes);
    return answer(c, { ...body, kind }, c.get("user"), attrs);
  })
  .post(`${PREFIX}/subjectaccessreviews`, async (c) => {
    const kind = "SubjectAccessReview";
    const body = reviewBody(await readObjectBody(c.req.raw), kind);
    const causes: StatusCause[] = [];
    const spec = specOf(body);
    const attrs = attributesOfSpec(kind, spec, causes);
    const subject = subjectOf(kind, spec, causes);
    if (!attrs || causes.length > 0) refuse(kind, causes);
    return answer(c, { ...body, kind }, subject, attrs);
  })
  .post(`${PREFIX}/namespaces/:namespace/localsubjectaccessreviews`, async (c) => {
    const kind = "LocalSubjectAccessReview";
    const namespace = c.req.param("namespace");
    const body = reviewBody(await readObjectBody(c.req.raw), kind);
    const causes: StatusCause[] = [];
    const spec = specOf(body);
    if (spec.nonResourceAttributes !== undefined) causes.push(forbiddenField("spec.nonResourceAttributes", "disallowed on this kind of request"));
    const attrs = attributesOfSpec(kind, spec, causes);
    const subject = subjectOf(kind, spec, causes);
    if (attrs?.resourceRequest && attrs.namespace !== "" && attrs.namespace !== namespace) {
      causes.push(forbiddenField("spec.resourceAttributes.namespace", "must match the namespace of the request"));
    }
    if (!attrs || !attrs.resourceRequest || causes.length > 0) refuse(kind, causes);
    return answer(c, { ...body, kind }, subject, { ...attrs, namespace });
  })
  .post(`${PREFIX}/selfsubjectrulesreviews`, async (c) => {
    const kind = "SelfSubjectRulesReview";
    const body = reviewBody(await readObjectBody(c.req.raw), kind);
    const namespace = str(specOf(body).namespace);
    if (namespace === "") throw badRequest("no namespace on request");
    const snapshot = await rbacSnapshot(c.env, backgroundOf(c));
    const { rules, incomplete } = rulesFor(snapshot, c.get("user"), namespace);
    const resourceRules = rules.filter((r) => r.resources.length > 0).map((r) => ({
      verbs: r.verbs, apiGroups: r.apiGroups, resources: r.resources, ...(r.resourceNames.length > 0 ? { resourceNames: r.resourceNames } : {}),
    }));
    const nonResourceRules = rules.filter((r) => r.nonResourceURLs.length > 0).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
    const status: JsonObject = { resourceRules, nonResourceRules, incomplete };
    if (incomplete) status.evaluationError = "some roles bound to the user could not be found";
    return json({ ...body, kind, apiVersion: GROUP_VERSION, metadata: isJsonObject(body.metadata) ? body.metadata : {}, status }, 201);
  })
  .all(`${PREFIX}/selfsubjectaccessreviews`, notAllowed)
  .all(`${PREFIX}/subjectaccessreviews`, notAllowed)
  .all(`${PREFIX}/selfsubjectrulesreviews`, notAllowed)
  .all(`${PREFIX}/namespaces/:namespace/localsubjectaccessreviews`, notAllowed);
