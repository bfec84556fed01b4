/**
 * @module
 * The API front: authentication, discovery, OpenAPI and the generic resource
 * verbs, with every error rendered as a metav1.Status (invariant 8).
 */
import { type Context, Hono } from "hono";
import { methodNotAllowed } from "../../shared/k8s/errors";
import { benchFloor } from "../bench/floor-route";
import { costRoutes } from "../cost/cost-route";
import { WEBHOOK_PREFIX } from "../../shared/hosts/constants";
import { reports } from "../webhooks/reports-route";
import { audit, auditNotesOf } from "../audit/audit-middleware";
import { auditRoutes } from "../audit/audit-routes";
import { authenticate, type UserInfo } from "./auth";
import { sourceOf } from "./auth-limits";
import { websocketAuthorization } from "./websocket-bearer";
import { hosts, JOIN_PATH } from "./hosts-routes";
import { users } from "./users-routes";
import { authorizeNode } from "./node-authorizer";
import { authorizeRequest, type RbacGuardVariables } from "./authorize";
import { priorityAndFairness } from "./flowcontrol/priority-and-fairness";
import { accessReviews } from "./access-reviews";
import {
  aggregatedContentType, aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, apiVersions, wantsAggregated,
} from "./discovery";
import { ensureBuiltinNamespaces } from "./namespaces";
import { ensureBootstrapPolicy } from "../rbac/bootstrap-ensure";
import { metricsRoute } from "../metrics/metrics-route";
import { requestMetrics } from "../metrics/request-metrics";
import { openapi } from "./openapi-routes";
import { vmSubresources } from "./vm-subresources";
import { podBinding } from "./pod-binding";
import { podEviction } from "./pod-eviction";
import { streams } from "./stream-routes";
import { resourceMetrics } from "../resource-metrics/metrics-routes";
import { flowControl } from "./flowcontrol/flowcontrol-routes";
import { tunnel } from "./tunnel-route";
import { serviceAccountToken } from "../serviceaccounts/token-request-route";
import { getHandler, listHandler } from "./read-handlers";
import { pathNotFound } from "./resource-path";
import { type ResourceRequestVariables, resourceRequestOf } from "./resource-request";
import { watchHandler } from "./watch-handler";
import { errorResponse, json } from "./respond";
import {
  createHandler, deleteCollectionHandler, deleteHandler, type HandlerContext, patchHandler, updateHandler,
} from "./write-handlers";

type AppEnv = { Bindings: Env; Variables: { user: UserInfo } & ResourceRequestVariables & RbacGuardVariables };

/** The server's version, reported so kubectl's dispatcher picks kubectl 1.32. */
export const VERSION_INFO = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.4-duraplane",
  gitCommit: "duraplane",
  gitTreeState: "clean",
  buildDate: "2026-11-25T00:00:00Z",
  goVersion: "n/a",
  compiler: "workerd",
  platform: "workers/wasm",
};

const PUBLIC_PATHS = new Set(["/version", "/healthz", "/livez", "/readyz"]);

export const app = new Hono<AppEnv>();

app.onError((err, c) => errorResponse(err, c.req.method));

app.notFound(() => json(pathNotFound().toStatus(), 404));

// First, so that every answer (errors rendered by onError too) is counted and timed.
app.use("*", requestMetrics);
app.use("*", audit);
app.use("*", async (c, next) => {
  // Host reports authenticate by signature, joining by the join token: neither carries a user token.
  if (PUBLIC_PATHS.has(c.req.path) || c.req.path === JOIN_PATH || c.req.path.startsWith(`${WEBHOOK_PREFIX}/`)) return next();
  // A browser's WebSocket cannot send an Authorization header: its token may ride in a subprotocol.
  const authorization = c.req.header("authorization") ?? websocketAuthorization(c.req.raw.headers) ?? null;
  c.set("user", await authenticate(c.env, authorization, sourceOf(c.req.raw.headers)));
  await ensureBuiltinNamespaces(c.env);
  await ensureBootstrapPolicy(c.env);
  return next();
});
app.use("*", authorizeRequest);
app.use("*", priorityAndFairness);
app.use("*", async (c, next) => (c.var.user ? authorizeNode(c, next) : next()));

app.route("/", reports);
app.route("/", hosts);
app.route("/", users);
app.route("/", auditRoutes);

app.get("/version", (c) => c.json(VERSION_INFO));
app.route("/", metricsRoute);
for (const p of ["/healthz", "/livez", "/readyz"]) app.get(p, (c) => c.text("ok"));

app.route("/", openapi);
app.route("/", vmSubresources);
app.route("/", podBinding);
app.route("/", podEviction);
app.route("/", streams);
app.route("/", resourceMetrics);
app.route("/", flowControl);
app.route("/", tunnel);
app.route("/", accessReviews);
app.route("/", serviceAccountToken);
app.route("/", benchFloor);
app.route("/", costRoutes);
app.get("/openapi/v2", () => {
  throw pathNotFound();
});

app.get("/api", (c) => {
  const v = wantsAggregated(c.req.header("accept") ?? null);
  if (v) return json(aggregatedDiscovery(true, v), 200, aggregatedContentType(v));
  return c.json(apiVersions(new URL(c.req.url).host));
});
app.get("/apis", (c) => {
  const v = wantsAggregated(c.req.header("accept") ?? null);
  if (v) return json(aggregatedDiscovery(false, v), 200, aggregatedContentType(v));
  return c.json(apiGroupList());
});
app.get("/api/v1", (c) => c.json(apiResourceList("", "v1")));
app.get("/apis/:group", (c) => {
  const doc = apiGroup(c.req.param("group"));
  if (!doc) throw pathNotFound();
  return c.json(doc);
});
app.get("/apis/:group/:version", (c) => {
  const doc = apiResourceList(c.req.param("group"), c.req.param("version"));
  if (!doc) throw pathNotFound();
  return c.json(doc);
});

// `kubectl auth whoami`: the body (protobuf) is not needed to answer.
app.post("/apis/authentication.k8s.io/v1/selfsubjectreviews", (c) => {
  const user = c.get("user");
  return c.json({
    kind: "SelfSubjectReview",
    apiVersion: "authentication.k8s.io/v1",
    metadata: { creationTimestamp: null },
    status: {
      userInfo: {
        username: user.username,
        ...(user.uid !== undefined ? { uid: user.uid } : {}),
        groups: user.groups,
        ...(user.extra !== undefined ? { extra: user.extra } : {}),
      },
    },
  }, 201);
});

/**
 * The generic resource verbs, dispatched on the request as parsed once for
 * the authorizer too (resource-request.ts): what was authorized is what is served.
 */
async function resource(c: Context<AppEnv>): Promise<Response> {
  const req = c.req.raw;
  const url = new URL(req.url);
  const { verb, path } = resourceRequestOf(c);
  const node = c.var.user?.node;
  const ctx: HandlerContext = { env: c.env, req, url, path, audit: auditNotesOf(req), user: c.var.user?.username, ...(node !== undefined ? { node } : {}),
    ...(c.var.rbacGuard ? { rbacGuard: c.var.rbacGuard } : {}),
  };
  const name = path.name;
  switch (verb) {
    case "get":
      if (name !== undefined) return getHandler(ctx, name);
      break;
    case "list":
      return listHandler(ctx);
    case "watch":
      return watchHandler(ctx);
    case "create":
      if (name === undefined && path.namespace !== undefined === path.kind.namespaced) return createHandler(ctx);
      break;
    case "update":
      if (name !== undefined) return updateHandler(ctx, name);
      break;
    case "patch":
      if (name !== undefined) return patchHandler(ctx, name);
      break;
    case "delete":
      if (name !== undefined && path.subresource === undefined) return deleteHandler(ctx, name);
      break;
    case "deletecollection":
      // Kinds without deletecollection (namespaces) fall through to 405, as upstream has no such route.
      if (path.kind.deleteCollection !== false) return deleteCollectionHandler(ctx);
      break;
  }
  throw methodNotAllowed(`the server does not allow this method on the requested resource`);
}

app.all("/api/v1/*", (c) => resource(c));
app.all("/apis/:group/:version/*", (c) => resource(c));
