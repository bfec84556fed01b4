/**
 * @module
 * NodeRestriction for host agents (invariant 7): a caller whose token is bound
 * to a Node may read the pods and VMIs bound to that Node — lists and watches
 * only through the selector that names it, single objects only when they are
 * bound to it — read and update its own Node, rotate its own signing secret,
 * and nothing else. Decided before the request reaches storage, on the
 * request as the handler will serve it (resource-request.ts: one parse for
 * both); a GET of one object is checked against the object it returns.
 * Selectors are read with the parsers the stores use, so the requirement
 * seen here is the one applied there. What a node may change in its own
 * Node is admitted by the store (node-admission.ts).
 */
import type { Context, Next } from "hono";
import { HOSTS_API_PREFIX, VMI_MIGRATION_TARGET_LABEL, VMI_NODE_NAME_LABEL } from "../../shared/hosts/constants";
import { ApiError, forbidden } from "../../shared/k8s/errors";
import { parseFieldSelector } from "../../shared/k8s/fields";
import { parseLabelSelector } from "../../shared/k8s/labels";
import type { KubeObject } from "../../shared/k8s/object";
import type { UserInfo } from "./auth";
import type { ResourcePath } from "./resource-path";
import { type ResourceRequest, type ResourceRequestVariables, resourceRequestOf } from "./resource-request";
import { json } from "./respond";
import { kindOf } from "../registry";

/** Paths any authenticated caller may read: discovery, OpenAPI, version, health. */
const DISCOVERY = /^\/(version|healthz|livez|readyz|api|apis|api\/v1|apis\/[^/]+(\/[^/]+)?|openapi\/.*)$/;

/** Whether a selector, parsed as the stores parse it, demands exactly `value` of `key`; a malformed one demands nothing. */
function demands(kind: "field" | "label", selector: string | null, key: string, value: string): boolean {
  if (!selector) return false;
  try {
    const parsed = kind === "field" ? parseFieldSelector(selector) : parseLabelSelector(selector);
    return parsed.requiresExactMatch(key) === value;
  } catch (err) {
    if (err instanceof ApiError) return false;
    throw err;
  }
}

function denied(user: UserInfo, verb: string, path: ResourcePath | undefined, why: string) {
  const what = path ? `resource "${path.kind.plural}" in API group "${path.kind.group}"` : "this path";
  return forbidden(`User "${user.username}" cannot ${verb} ${what}: ${why}`);
}

function boundTo(obj: KubeObject): string | undefined {
  return kindOf(obj)?.boundNode?.(obj);
}

/** What a node may do with a resource request: allow, deny (with why), or allow and check the returned object. */
type Decision = { allow: true; checkObject?: boolean } | { allow: false; why: string };

function decide(node: string, request: ResourceRequest, query: URLSearchParams): Decision {
  const { verb, path } = request;
  const plural = path.kind.plural;
  const group = path.kind.group;
  if (group === "" && plural === "nodes") {
    if (path.name === node && (verb === "get" || verb === "update" || verb === "patch")) return { allow: true };
    if ((verb === "list" || verb === "watch") && demands("field", query.get("fieldSelector"), "metadata.name", node)) return { allow: true };
    return { allow: false, why: `node "${node}" may only read and update its own Node` };
  }
  const pods = group === "" && plural === "pods" && path.subresource === undefined;
  const vmis = group === "kubevirt.io" && plural === "virtualmachineinstances" && path.subresource === undefined;
  if (!pods && !vmis) return { allow: false, why: `node "${node}" may only read its own pods and VirtualMachineInstances` };
  if (verb === "get") return { allow: true, checkObject: true };
  if (verb === "list" || verb === "watch") {
    const ok = pods
      ? demands("field", query.get("fieldSelector"), "spec.nodeName", node)
      : demands("label", query.get("labelSelector"), VMI_NODE_NAME_LABEL, node) ||
        // Live migration: the target host watches the VMIs migrating to it (KubeVirt's migrationTargetNodeName label).
        demands("label", query.get("labelSelector"), VMI_MIGRATION_TARGET_LABEL, node);
    if (ok) return { allow: true };
    const how = pods ? `fieldSelector=spec.nodeName=${node}` : `labelSelector=${VMI_NODE_NAME_LABEL}=${node}`;
    return { allow: false, why: `node "${node}" may only ${verb} ${plural} bound to it (${how})` };
  }
  return { allow: false, why: `node "${node}" reports status through its signed webhook, it does not write ${plural}` };
}

/** Hono middleware: enforces the rules above for node-bound callers; others pass. */
export async function authorizeNode(
  c: Context<{ Bindings: Env; Variables: { user: UserInfo } & ResourceRequestVariables }>,
  next: Next,
): Promise<Response | void> {
  const user = c.get("user");
  const node = user.node;
  if (node === undefined) return next();
  const url = new URL(c.req.url);
  const method = c.req.method;
  if (method === "GET" && DISCOVERY.test(url.pathname)) return next();
  if (method === "POST" && url.pathname === "/apis/authentication.k8s.io/v1/selfsubjectreviews") return next();
  if (url.pathname.startsWith(`${HOSTS_API_PREFIX}/`)) {
    if (method === "POST" && url.pathname === `${HOSTS_API_PREFIX}/nodes/${encodeURIComponent(node)}/rotate`) return next();
    if (method === "GET" && url.pathname === `${HOSTS_API_PREFIX}/nodes/${encodeURIComponent(node)}/tunnel`) return next();
    throw denied(user, method.toLowerCase(), undefined, `node "${node}" may only rotate its own signing secret and open its own tunnel`);
  }
  let request: ResourceRequest;
  try {
    request = resourceRequestOf(c);
  } catch {
    throw denied(user, method.toLowerCase(), undefined, `node "${node}" may only use the pods, VirtualMachineInstances and Node bound to it`);
  }
  const { path } = request;
  const verb = request.verb ?? method.toLowerCase();
  const decision = decide(node, request, url.searchParams);
  if (!decision.allow) throw denied(user, verb, path, decision.why);
  await next();
  if (decision.checkObject && c.res.status === 200) {
    // A GET of one object: refuse it unless the object is bound to this node (reading changed nothing).
    const obj = await c.res.clone().json<KubeObject>().catch(() => undefined);
    const why = obj === undefined ? "the object could not be checked"
      : obj.kind === "Table" ? "nodes may not read objects as Tables"
      : boundTo(obj) !== node ? `${path.kind.plural} "${path.name ?? ""}" is not bound to node "${node}"` : undefined;
    if (why) c.res = json(denied(user, "get", path, why).toStatus(), 403);
  }
}
