/**
 * @module
 * API discovery from the registry: aggregated (apidiscovery.k8s.io v2 and
 * v2beta1, what kubectl 1.32 asks for first) and the legacy documents
 * (`/api`, `/apis`, `/api/v1`, `/apis/<g>/<v>`), as kubectl-wire.md records.
 */
import type { ResourceKind } from "../../shared/k8s/resource-kind";
import { KINDS, groupVersions } from "../registry";
import { METRICS_GROUP_VERSION, metricsAggregatedGroup, metricsResourceList } from "../resource-metrics/metrics-discovery";
import { FLOWCONTROL_GROUP_VERSION, flowControlAggregatedGroup, flowControlResourceList } from "./flowcontrol/flowcontrol-discovery";

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const SUB_VERBS = ["get", "patch", "update"];
/** pods/binding is create-only (what the scheduler posts). */
const BINDING_VERBS = ["create"];
const BINDING_KIND = { group: "", version: "v1", kind: "Binding" };
/** serviceaccounts/token is create-only (TokenRequest). */
const TOKEN_REQUEST_KIND = { group: "authentication.k8s.io", version: "v1", kind: "TokenRequest" };
/** pods/eviction is create-only (policy/v1 Eviction; `kubectl drain` looks for it in `/api/v1`). */
const EVICTION_KIND = { group: "policy", version: "v1", kind: "Eviction" };

/** The main resource's verbs: every kind's but deletecollection where the kind has none. */
export function verbsOf(k: ResourceKind): string[] {
  return k.deleteCollection === false ? VERBS.filter((v) => v !== "deletecollection") : VERBS;
}

function kindsOf(group: string, version: string): ResourceKind[] {
  return KINDS.filter((k) => k.group === group && k.version === version);
}

/** Legacy APIResourceList for one group-version. */
export function apiResourceList(group: string, version: string): object | undefined {
  if (group === METRICS_GROUP_VERSION.group && version === METRICS_GROUP_VERSION.version) return metricsResourceList();
  if (group === FLOWCONTROL_GROUP_VERSION.group && version === FLOWCONTROL_GROUP_VERSION.version) return flowControlResourceList();
  const kinds = kindsOf(group, version);
  if (kinds.length === 0) return undefined;
  const resources: object[] = [];
  for (const k of kinds) {
    resources.push({
      name: k.plural,
      singularName: k.singular,
      namespaced: k.namespaced,
      kind: k.kind,
      verbs: verbsOf(k),
      shortNames: k.shortNames,
      ...(k.categories.length ? { categories: k.categories } : {}),
    });
    resources.push({ name: `${k.plural}/status`, singularName: "", namespaced: k.namespaced, kind: k.kind, verbs: SUB_VERBS });
    if (k.scale) {
      resources.push({
        name: `${k.plural}/scale`, singularName: "", namespaced: k.namespaced,
        group: "autoscaling", version: "v1", kind: "Scale", verbs: SUB_VERBS,
      });
    }
    if (k.binding) {
      resources.push({ name: `${k.plural}/binding`, singularName: "", namespaced: k.namespaced, kind: BINDING_KIND.kind, verbs: BINDING_VERBS });
    }
    if (k.eviction) {
      resources.push({
        name: `${k.plural}/eviction`, singularName: "", namespaced: k.namespaced,
        group: EVICTION_KIND.group, version: EVICTION_KIND.version, kind: EVICTION_KIND.kind, verbs: BINDING_VERBS,
      });
    }
    if (k.tokenRequest) {
      resources.push({
        name: `${k.plural}/token`, singularName: "", namespaced: k.namespaced,
        group: TOKEN_REQUEST_KIND.group, version: TOKEN_REQUEST_KIND.version, kind: TOKEN_REQUEST_KIND.kind, verbs: BINDING_VERBS,
      });
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: group ? `${group}/${version}` : version, resources };
}

/** Legacy `/api`. */
export function apiVersions(serverAddress: string): object {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

/** Legacy `/apis`. */
export function apiGroupList(): object {
  const groups = [...groupVersions(), METRICS_GROUP_VERSION, FLOWCONTROL_GROUP_VERSION]
    .filter((gv) => gv.group !== "")
    .map((gv) => {
      const v = { groupVersion: `${gv.group}/${gv.version}`, version: gv.version };
      return { name: gv.group, versions: [v], preferredVersion: v };
    });
  return { kind: "APIGroupList", apiVersion: "v1", groups };
}

/** Legacy `/apis/<group>`. */
export function apiGroup(group: string): object | undefined {
  const gv = [...groupVersions(), METRICS_GROUP_VERSION, FLOWCONTROL_GROUP_VERSION].find((g) => g.group === group);
  if (!gv || group === "") return undefined;
  const v = { groupVersion: `${gv.group}/${gv.version}`, version: gv.version };
  return { kind: "APIGroup", apiVersion: "v1", name: group, versions: [v], preferredVersion: v };
}

function aggregatedResource(k: ResourceKind): object {
  const responseKind = { group: k.group, version: k.version, kind: k.kind };
  const subresources: object[] = [{ subresource: "status", responseKind, verbs: SUB_VERBS }];
  if (k.scale) {
    subresources.push({ subresource: "scale", responseKind: { group: "autoscaling", version: "v1", kind: "Scale" }, verbs: SUB_VERBS });
  }
  if (k.binding) subresources.push({ subresource: "binding", responseKind: BINDING_KIND, verbs: BINDING_VERBS });
  if (k.tokenRequest) subresources.push({ subresource: "token", responseKind: TOKEN_REQUEST_KIND, verbs: BINDING_VERBS });
  if (k.eviction) subresources.push({ subresource: "eviction", responseKind: EVICTION_KIND, verbs: BINDING_VERBS });
  return {
    resource: k.plural,
    responseKind,
    scope: k.namespaced ? "Namespaced" : "Cluster",
    singularResource: k.singular,
    verbs: verbsOf(k),
    shortNames: k.shortNames,
    ...(k.categories.length ? { categories: k.categories } : {}),
    subresources,
  };
}

/** Aggregated discovery for `/api` (core: true) or `/apis`. */
export function aggregatedDiscovery(core: boolean, version: "v2" | "v2beta1"): object {
  const items = groupVersions()
    .filter((gv) => (gv.group === "") === core)
    .map((gv) => ({
      metadata: { name: gv.group, creationTimestamp: null },
      versions: [{ version: gv.version, freshness: "Current", resources: kindsOf(gv.group, gv.version).map(aggregatedResource) }],
    }));
  // metrics.k8s.io and flowcontrol.apiserver.k8s.io are served beside the registry, not from it.
  if (!core) items.push(metricsAggregatedGroup() as (typeof items)[number], flowControlAggregatedGroup() as (typeof items)[number]);
  return { kind: "APIGroupDiscoveryList", apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

/** Which aggregated discovery version an Accept header asks for, if any. */
export function wantsAggregated(accept: string | null): "v2" | "v2beta1" | undefined {
  for (const part of (accept ?? "").split(",")) {
    const params = part.split(";").map((p) => p.trim());
    if (!params.includes("g=apidiscovery.k8s.io") || !params.includes("as=APIGroupDiscoveryList")) continue;
    if (params.includes("v=v2")) return "v2";
    if (params.includes("v=v2beta1")) return "v2beta1";
  }
  return undefined;
}

/** Content-Type of an aggregated discovery document. */
export function aggregatedContentType(version: "v2" | "v2beta1"): string {
  return `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
}
