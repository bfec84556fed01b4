/**
 * @module
 * The labels kube-apiserver puts on a request's metrics (endpoints/metrics):
 * the verb as it reports it (LIST, WATCH, GET, POST, PUT, PATCH, APPLY,
 * DELETE, CONNECT), dry_run, group, version, resource, subresource, scope
 * and component. Read from the URL as the audit's RequestInfo reads it;
 * every value is bounded — a path naming no served kind is labelled as a
 * non-resource request, an unknown subresource as "unknown" — so no caller
 * can add series by inventing paths.
 */
import { requestInfo } from "../audit/request-info";
import { kindByPath } from "../registry";
import type { Labels } from "./labels";

/** What a request's metrics are labelled with, before its response code. */
export interface RequestLabels {
  verb: string;
  labels: Labels;
  /** Counted in apiserver_current_inflight_requests: "readOnly", "mutating", or not at all (long-running). */
  inflightKind: "readOnly" | "mutating" | undefined;
}

const CONNECT_SUBRESOURCES = new Set(["exec", "attach", "portforward", "proxy", "console", "vnc"]);
/** Upstream's long-running requests: watches, connections, and logs (which may follow). */
const LONG_RUNNING_SUBRESOURCES = new Set([...CONNECT_SUBRESOURCES, "log"]);
const KNOWN_SUBRESOURCES = new Set([
  ...LONG_RUNNING_SUBRESOURCES, "status", "scale", "binding", "eviction", "token", "finalize", "ephemeralcontainers",
  "start", "stop", "restart", "pause", "unpause", "migrate", "softreboot", "guestosinfo", "userlist", "fslist",
]);
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
const RESOURCE_VERBS: Record<string, string> = {
  get: "GET", list: "LIST", watch: "WATCH", create: "POST", update: "PUT", patch: "PATCH", delete: "DELETE", deletecollection: "DELETE",
};
const READ_ONLY_VERBS = new Set(["GET", "LIST", "HEAD", "OPTIONS"]);
/** KubeVirt's virt-api serves the VM verbs under this group for kubevirt.io's kinds. */
const KUBEVIRT_SUBRESOURCES = "subresources.kubevirt.io";

/** Whether `group/version/resource` is a served kind (or one of its KubeVirt subresource paths). */
function served(group: string, version: string, resource: string): boolean {
  if (kindByPath(group, version, resource)) return true;
  return group === KUBEVIRT_SUBRESOURCES && kindByPath("kubevirt.io", version, resource) !== undefined;
}

/** The labels of a request, from its method, URL and content type. */
export function requestLabels(method: string, url: URL, contentType: string | undefined): RequestLabels {
  const info = requestInfo(method, url);
  const ref = info.objectRef;
  const dryRun = url.searchParams.getAll("dryRun").includes("All") ? "All" : "";
  if (!ref || !served(ref.apiGroup, ref.apiVersion, ref.resource)) {
    const verb = METHODS.has(method) ? method : "OTHER";
    return {
      verb,
      labels: [["verb", verb], ["dry_run", dryRun], ["group", ""], ["version", ""], ["resource", ""], ["subresource", ""], ["scope", ""], ["component", "apiserver"]],
      inflightKind: READ_ONLY_VERBS.has(verb) ? "readOnly" : "mutating",
    };
  }
  const sub = ref.subresource ?? "";
  const subresource = sub === "" || KNOWN_SUBRESOURCES.has(sub) ? sub : "unknown";
  let verb = RESOURCE_VERBS[info.verb] ?? (METHODS.has(method) ? method : "OTHER");
  if (CONNECT_SUBRESOURCES.has(subresource)) verb = "CONNECT";
  else if (verb === "PATCH" && (contentType ?? "").startsWith("application/apply-patch")) verb = "APPLY";
  const scope = ref.name !== undefined ? "resource" : ref.namespace !== undefined ? "namespace" : "cluster";
  const longRunning = verb === "WATCH" || LONG_RUNNING_SUBRESOURCES.has(subresource);
  return {
    verb,
    labels: [
      ["verb", verb], ["dry_run", dryRun], ["group", ref.apiGroup], ["version", ref.apiVersion], ["resource", ref.resource],
      ["subresource", subresource], ["scope", scope], ["component", "apiserver"],
    ],
    inflightKind: longRunning ? undefined : READ_ONLY_VERBS.has(verb) ? "readOnly" : "mutating",
  };
}
