/**
 * @module
 * NodeRestriction for host agents (invariant 7): a caller whose token is bound
 * to a Node may read the pods and VMIs bound to that Node — lists and watches
 * only through the selector that names it, single objects only when they are
 * bound to it — read and update its own Node, rotate its own signing secret,
 * and nothing else. Decided before the request reaches storage; a GET of one
 * object is checked against the object it returns.
 */
import type { Context, Next } from "hono";
import { HOSTS_API_PREFIX, VMI_NODE_NAME_LABEL } from "../../shared/hosts/constants";
import { forbidden } from "../../shared/k8s/errors";
import type { KubeObject } from "../../shared/k8s/object";
import type { UserInfo } from "./auth";
import { parseResourcePath, type ResourcePath } from "./resource-path";
import { json } from "./respond";
import { kindOf } from "../registry";

/** Paths any authenticated caller may read: discovery, OpenAPI, version, health. */
const DISCOVERY = /^\/(version|healthz|livez|readyz|api|apis|api\/v1|apis\/[^/]+(\/[^/]+)?|openapi\/.*)$/;

/** Whether a comma-separated selector holds `key=value` (or `key==value`) as one of its requirements. */
export function selectorRequires(selector: string | null, key: string, value: string): boolean {
  if (!selector) return false;
  return selector.split(",").map((s) => s.trim()).some((req) => req === `${key}=${value}` || req === `${key}==${value}`);
}

function denied(user: UserInfo, verb: string, path: ResourcePath | undefined, why: string) {
  const what = path ? `resource "${path.kind.plural}" in API group "${path.kind.group}"` : "this path";
  return forbidden(`User "${user.username}" cannot ${verb} ${what}: ${why}`);
}

function verbOf(method: string, path: ResourcePath, url: URL): string {
  if (method === "GET") {
    if (url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1") return "watch";
    return path.name === undefined ? "list" : "get";
  }
  return ({ POST: "create", PUT: "update", PATCH: "patch", DELETE: "delete" } as Record<string, string>)[method] ?? method.toLowerCase();
}

function boundTo(obj: KubeObject): string | undefined {
  return kindOf(obj)?.boundNode?.(obj);
}

/** What a node may do with a resource request: allow, deny (with why), or allow and check the returned object. */
type Decision = { allow: true; checkObject?: boolean } | { allow: false; why: string };

function decide(node: string, method: string, path: ResourcePath, url: URL): Decision {
  const plural = path.kind.plural;
  const group = path.kind.group;
  const verb = verbOf(method, path, url);
  if (group === "" && plural === "nodes") {
    if (path.name === node && ["get", "update", "patch"].includes(verb)) return { allow: true };
    if ((verb === "list" || verb === "watch") && selectorRequires(url.searchParams.get("fieldSelector"), "metadata.name", node)) return { allow: true };
    return { allow: false, why: `node "${node}" may only read and update its own Node` };
  }
  const pods = group === "" && plural === "pods" && path.subresource === undefined;
  const vmis = group === "kubevirt.io" && plural === "virtualmachineinstances" && path.subresource === undefined;
  if (!pods && !vmis) return { allow: false, why: `node "${node}" may only read its own pods and VirtualMachineInstances` };
  if (verb === "get") return { allow: true, checkObject: true };
  if (verb === "list" || verb === "watch") {
    const ok = pods
      ? selectorRequires(url.searchParams.get("fieldSelector"), "spec.nodeName", node)
      : selectorRequires(url.searchParams.get("labelSelector"), VMI_NODE_NAME_LABEL, node);
    if (ok) return { allow: true };
    const how = pods ? `fieldSelector=spec.nodeName=${node}` : `labelSelector=${VMI_NODE_NAME_LABEL}=${node}`;
    return { allow: false, why: `node "${node}" may only ${verb} ${plural} bound to it (${how})` };
  }
  return { allow: false, why: `node "${node}" reports status through its signed webhook, it does not write ${plural}` };
}

/** Hono middleware: enforces the rules above for node-bound callers; others pass. */
export async function authorizeNode(c: Context<{ Bindings: Env; Variables: { user: UserInfo } }>, next: Next): Promise<Response | void> {
  const user = c.get("user");
  const node = user.node;
  if (node === undefined) return next();
  const url = new URL(c.req.url);
  const method = c.req.method;
  if (method === "GET" && DISCOVERY.test(url.pathname)) return next();
  if (method === "POST" && url.pathname === "/apis/authentication.k8s.io/v1/selfsubjectreviews") return next();
  if (url.pathname.startsWith(`${HOSTS_API_PREFIX}/`)) {
    if (method === "POST" && url.pathname === `${HOSTS_API_PREFIX}/nodes/${encodeURIComponent(node)}/rotate`) return next();
    throw denied(user, method.toLowerCase(), undefined, `node "${node}" may only rotate its own signing secret`);
  }
  let path: ResourcePath;
  try {
    path = parseResourcePath(url.pathname);
  } catch {
    throw denied(user, method.toLowerCase(), undefined, `node "${node}" may only use the pods, VirtualMachineInstances and Node bound to it`);
  }
  const decision = decide(node, method, path, url);
  if (!decision.allow) throw denied(user, verbOf(method, path, url), path, decision.why);
  await next();
  if (decision.checkObject && c.res.status === 200) {
    // A GET of one object: refuse it unless the object is bound to this node (reading changed nothing).
    const obj = (await c.res.clone().json()) as KubeObject;
    const why = obj.kind === "Table" ? "nodes may not read objects as Tables"
      : boundTo(obj) !== node ? `${path.kind.plural} "${path.name ?? ""}" is not bound to node "${node}"` : undefined;
    if (why) c.res = json(denied(user, "get", path, why).toStatus(), 403);
  }
}
