/**
 * @module
 * `POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token`: an
 * authentication.k8s.io/v1 TokenRequest (JSON, YAML or protobuf — `kubectl
 * create token` sends protobuf), answered 201 with `status.token` and
 * `status.expirationTimestamp`, in the order upstream's TokenREST.Create
 * checks: the body's name, the ServiceAccount (404), defaults (one hour, the
 * server's audiences), validation (422, at least 10 minutes), the bound Pod
 * or Secret, then the cap (--service-account-max-token-expiration, with a
 * warning). The path parses as `create serviceaccounts/token`
 * (resource-path.ts), which is what an authorizer checks.
 *
 * @see https://github.com/kubernetes/kubernetes/blob/v1.32.0/pkg/registry/core/serviceaccount/storage/token.go
 */
import { Hono } from "hono";
import { ApiError, badRequest, conflict, methodNotAllowed, notFound, type StatusCause } from "../../shared/k8s/errors";
import { isJsonObject, type KubeObject } from "../../shared/k8s/object";
import { formatTime } from "../../shared/k8s/time";
import { invalidValue } from "../../shared/k8s/validation";
import { decodeObject } from "../../shared/schemas/decode";
import {
  AUTHENTICATION_GROUP, DEFAULT_TOKEN_EXPIRATION_SECONDS, TokenRequestSchema, validateTokenRequest, type TokenRequest,
} from "../../shared/schemas/authentication-v1/token-request";
import { findObject } from "../objects/client";
import { readObjectBody } from "../api/body";
import { writeOptions } from "../api/request-options";
import { json } from "../api/respond";
import { issueToken, type TokenGrant } from "./issue-token";
import { apiAudiences, maxTokenExpirationSeconds } from "./token-config";

const PATH = "/api/v1/namespaces/:ns/serviceaccounts/:name/token";
const API_VERSION = `${AUTHENTICATION_GROUP}/v1`;
const TOKEN_REQUEST = { schema: TokenRequestSchema, kind: "TokenRequest", group: AUTHENTICATION_GROUP, version: "v1" };

/** 422 as upstream's errors.NewInvalid for the TokenRequest group-kind. */
function invalidTokenRequest(name: string, causes: StatusCause[]): ApiError {
  const summary = causes.map((c) => `${c.field}: ${c.message}`).join(", ");
  return new ApiError(422, "Invalid", `TokenRequest.${AUTHENTICATION_GROUP} "${name}" is invalid: ${summary}`, {
    name, group: AUTHENTICATION_GROUP, kind: "TokenRequest", causes,
  });
}

/** Decodes the body; its apiVersion and kind, when given, must be TokenRequest's. */
function decodeTokenRequest(body: unknown, strict: boolean): TokenRequest {
  if (isJsonObject(body)) {
    const { apiVersion, kind } = body;
    if ((apiVersion !== undefined && apiVersion !== API_VERSION) || (kind !== undefined && kind !== "TokenRequest")) {
      throw badRequest(
        `the object provided is ${String(apiVersion)}, Kind=${String(kind)}, but this endpoint serves ${API_VERSION}, Kind=TokenRequest`,
      );
    }
  }
  return decodeObject(body, TOKEN_REQUEST, { strict }) as unknown as TokenRequest;
}

/** Go's GroupVersionKind.String() of an apiVersion and kind. */
function gvkString(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf("/");
  const [group, version] = slash >= 0 ? [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)] : ["", apiVersion];
  return `${group}/${version}, Kind=${kind}`;
}

/** The bound object of a request, looked up and checked as upstream does. */
async function boundObject(env: Env, ns: string, saName: string, ref: NonNullable<NonNullable<TokenRequest["spec"]>["boundObjectRef"]>): Promise<Pick<TokenGrant, "pod" | "node">> {
  const apiVersion = ref.apiVersion ?? "";
  const kind = ref.kind ?? "";
  const core = apiVersion === "v1" || apiVersion === "";
  const name = ref.name ?? "";
  if (core && kind === "Secret") {
    // A missing Secret is answered as upstream's Get answers it. Tokens bound to a Secret (ended when
    // it is deleted) are not issued yet: the authenticator checks bound pods and accounts only.
    if (!(await findObject(env, { resource: "/secrets", namespace: ns, name }))) throw notFound({ group: "", resource: "secrets" }, name);
    throw badRequest(`cannot bind token to object of type ${gvkString(apiVersion, kind)}: tokens bound to Secrets are not supported by this server`);
  }
  if (!core || kind !== "Pod") throw badRequest(`cannot bind token to object of type ${gvkString(apiVersion, kind)}`);
  const pod = await findObject(env, { resource: "/pods", namespace: ns, name });
  if (!pod) throw notFound({ group: "", resource: "pods" }, name);
  const spec = isJsonObject(pod.spec) ? pod.spec : {};
  // Upstream's ServiceAccount admission writes "default" into pods that name none; ours are stored as sent.
  const podAccount = typeof spec.serviceAccountName === "string" && spec.serviceAccountName !== "" ? spec.serviceAccountName : "default";
  if (podAccount !== saName) {
    throw badRequest(`cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`);
  }
  if (ref.uid && ref.uid !== pod.metadata.uid) {
    throw conflict({ group: "", resource: "Pod" }, name,
      `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  }
  const nodeName = typeof spec.nodeName === "string" ? spec.nodeName : "";
  if (!nodeName) return { pod };
  const node = await findObject(env, { resource: "/nodes", namespace: "", name: nodeName });
  return { pod, node: { name: nodeName, ...(node?.metadata.uid ? { uid: node.metadata.uid } : {}) } };
}

/** TokenREST.Create. */
async function createToken(env: Env, req: Request, ns: string, name: string): Promise<Response> {
  const opts = writeOptions(new URL(req.url).searchParams);
  const tr = decodeTokenRequest(await readObjectBody(req), opts.strict);
  const meta = tr.metadata;
  if (meta.name && meta.name !== name) {
    throw invalidTokenRequest(name, [invalidValue("metadata.name", meta.name, "must match the service account name if specified")]);
  }
  if (meta.namespace && meta.namespace !== ns) {
    throw invalidTokenRequest(name, [invalidValue("metadata.namespace", meta.namespace, "must match the service account namespace if specified")]);
  }
  const sa: KubeObject | undefined = await findObject(env, { resource: "/serviceaccounts", namespace: ns, name });
  if (!sa) throw notFound({ group: "", resource: "serviceaccounts" }, name);
  const spec = tr.spec ?? {};
  const audiences = spec.audiences && spec.audiences.length > 0 ? spec.audiences : apiAudiences(env);
  let expirationSeconds = spec.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS;
  const causes = validateTokenRequest(expirationSeconds);
  if (causes.length > 0) throw invalidTokenRequest("", causes);
  const bound = spec.boundObjectRef ? await boundObject(env, ns, name, spec.boundObjectRef) : {};
  const warnings: string[] = [];
  const max = maxTokenExpirationSeconds(env);
  if (expirationSeconds > max) {
    warnings.push(`requested expiration of ${expirationSeconds} seconds shortened to ${max} seconds`);
    expirationSeconds = max;
  }
  const now = Date.now();
  const { token, expiresAt } = await issueToken(env, { serviceAccount: sa, audiences, expirationSeconds, ...bound }, now);
  const res = json({
    kind: "TokenRequest",
    apiVersion: API_VERSION,
    metadata: { name, namespace: ns, uid: sa.metadata.uid, creationTimestamp: formatTime(now) },
    spec: { audiences, expirationSeconds, boundObjectRef: spec.boundObjectRef ?? null },
    status: { token, expirationTimestamp: formatTime(expiresAt) },
  }, 201);
  for (const w of warnings) res.headers.append("warning", `299 - ${JSON.stringify(w)}`);
  return res;
}

/** The serviceaccounts/token route (create only, as upstream). */
export const serviceAccountToken = new Hono<{ Bindings: Env }>()
  .post(PATH, (c) => createToken(c.env, c.req.raw, c.req.param("ns"), c.req.param("name")))
  .all(PATH, () => {
    throw methodNotAllowed("the server does not allow this method on the requested resource");
  });
