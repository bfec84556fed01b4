/**
 * @module
 * The `paths` section of a group-version OpenAPI v3 document, shaped like
 * kube-apiserver's: collection, item, status and scale paths, each operation
 * tagged with `x-kubernetes-action` and `x-kubernetes-group-version-kind`.
 * kubectl 1.32 decides on server-side field validation by finding the kind's
 * PATCH operation and its `fieldValidation` query parameter.
 */
import type { ResourceKind } from "../k8s/resource-kind";

type Json = Record<string, unknown>;

const META = "io.k8s.apimachinery.pkg.apis.meta.v1";
const ref = (id: string): Json => ({ $ref: `#/components/schemas/${id}` });

function query(name: string, description: string, type = "string"): Json {
  return { name, in: "query", description, schema: { type, uniqueItems: true } };
}

const PARAMS = {
  dryRun: query("dryRun", "When present, modifications are not persisted. Valid value: All."),
  fieldManager: query("fieldManager", "Name of the actor making the change, for field management."),
  fieldValidation: query(
    "fieldValidation",
    "How to treat unknown or duplicate fields: Ignore, Warn or Strict (reject the request with a BadRequest).",
  ),
  force: query("force", "Force an apply request to take conflicting fields (server-side apply).", "boolean"),
  pretty: query("pretty", "If 'true', the output is pretty printed."),
  labelSelector: query("labelSelector", "A selector to restrict the returned objects by their labels."),
  fieldSelector: query("fieldSelector", "A selector to restrict the returned objects by their fields."),
  limit: query("limit", "Maximum number of responses for a list call.", "integer"),
  continue: query("continue", "Continue token from a previous chunked list."),
  resourceVersion: query("resourceVersion", "Constrains which resource versions a request may be served from."),
  resourceVersionMatch: query("resourceVersionMatch", "How resourceVersion is applied to list calls."),
  watch: query("watch", "Watch for changes and return them as a stream of events.", "boolean"),
  allowWatchBookmarks: query("allowWatchBookmarks", "Request watch events of type BOOKMARK.", "boolean"),
  sendInitialEvents: query("sendInitialEvents", "Send synthetic events for the current state before the watch.", "boolean"),
  timeoutSeconds: query("timeoutSeconds", "Timeout for the list/watch call.", "integer"),
  gracePeriodSeconds: query("gracePeriodSeconds", "Seconds before the object is deleted; 0 deletes immediately.", "integer"),
  propagationPolicy: query("propagationPolicy", "Garbage collection: Orphan, Background or Foreground."),
};

const pathParam = (name: string, description: string): Json => ({
  name,
  in: "path",
  description,
  required: true,
  schema: { type: "string", uniqueItems: true },
});

function content(schema: Json, types = ["application/json", "application/yaml"]): Json {
  return Object.fromEntries(types.map((t) => [t, { schema }]));
}

// Strategic merge patch is deliberately absent: listing it makes kubectl build patches from this schema (kubectl-wire.md).
const PATCH_TYPES = ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"];

interface OpSpec {
  action: "get" | "list" | "post" | "put" | "patch" | "delete" | "deletecollection";
  verbWord: string;
  request?: Json;
  response: Json;
  params: Json[];
  gvk: Json;
}

function operation(kind: ResourceKind, scope: string, suffix: string, op: OpSpec): Json {
  const group = kind.group ? kind.group.split(".")[0] ?? "" : "core";
  const groupWord = group.charAt(0).toUpperCase() + group.slice(1);
  const version = kind.version.charAt(0).toUpperCase() + kind.version.slice(1);
  const many = op.action === "list" || op.action === "deletecollection";
  const target = many ? `objects of kind ${kind.kind}` : `the specified ${kind.kind}`;
  const suffixWord = suffix.charAt(0).toUpperCase() + suffix.slice(1);
  const out: Json = {
    description: `${op.verbWord} ${target}${suffix ? ` ${suffix}` : ""}`,
    operationId: `${op.action}${groupWord}${version}${scope}${kind.kind}${suffixWord}`,
    tags: [`${group}_${kind.version}`],
    parameters: op.params,
    responses: { "200": { description: "OK", content: content(op.response) }, "401": { description: "Unauthorized" } },
    "x-kubernetes-action": op.action,
    "x-kubernetes-group-version-kind": op.gvk,
  };
  if (op.request) out["requestBody"] = op.request;
  return out;
}

/** The `paths` of one kind: list and create on the collection, read/replace/patch/delete on items, subresources. */
export function kindPaths(kind: ResourceKind, componentId: string, hasStatus: boolean): Record<string, Json> {
  const prefix = kind.group ? `/apis/${kind.group}/${kind.version}` : `/api/${kind.version}`;
  const ns = kind.namespaced ? "/namespaces/{namespace}" : "";
  const scope = kind.namespaced ? "Namespaced" : "";
  const gvk = { group: kind.group, version: kind.version, kind: kind.kind };
  const obj = ref(componentId);
  const list = ref(`${componentId.slice(0, componentId.lastIndexOf("."))}.${kind.listKind}`);
  const listParams = [
    PARAMS.labelSelector, PARAMS.fieldSelector, PARAMS.limit, PARAMS.continue, PARAMS.resourceVersion,
    PARAMS.resourceVersionMatch, PARAMS.watch, PARAMS.allowWatchBookmarks, PARAMS.sendInitialEvents, PARAMS.timeoutSeconds,
  ];
  const writeParams = [PARAMS.dryRun, PARAMS.fieldManager, PARAMS.fieldValidation];
  const body = (schema: Json, types?: string[]): Json => ({ required: true, content: content(schema, types) });
  const nsParam = kind.namespaced ? [pathParam("namespace", "Object name and auth scope, such as for teams and projects")] : [];
  const nameParam = pathParam("name", `Name of the ${kind.kind}`);
  const common = { gvk, response: obj };
  const itemOps = (suffix: string, target: Json, targetGvk: Json): Json => ({
    get: operation(kind, scope, suffix, { ...common, gvk: targetGvk, action: "get", verbWord: "read", response: target, params: [] }),
    put: operation(kind, scope, suffix, {
      ...common, gvk: targetGvk, action: "put", verbWord: "replace", response: target, request: body(target), params: writeParams,
    }),
    patch: operation(kind, scope, suffix, {
      ...common, gvk: targetGvk, action: "patch", verbWord: "partially update", response: target,
      request: body(ref(`${META}.Patch`), PATCH_TYPES), params: [...writeParams, PARAMS.force],
    }),
    parameters: [nameParam, ...nsParam, PARAMS.pretty],
  });
  const paths: Record<string, Json> = {
    [`${prefix}${ns}/${kind.plural}`]: {
      get: operation(kind, scope, "", { ...common, action: "list", verbWord: "list or watch", response: list, params: listParams }),
      post: operation(kind, scope, "", { ...common, action: "post", verbWord: "create", request: body(obj), params: writeParams }),
      ...(kind.deleteCollection === false ? {} : {
        delete: operation(kind, scope, "", {
          ...common, action: "deletecollection", verbWord: "delete collection of", response: ref(`${META}.Status`),
          params: [...listParams, PARAMS.gracePeriodSeconds, PARAMS.propagationPolicy, PARAMS.dryRun],
        }),
      }),
      parameters: [...nsParam, PARAMS.pretty],
    },
    [`${prefix}${ns}/${kind.plural}/{name}`]: {
      ...itemOps("", obj, gvk),
      delete: operation(kind, scope, "", {
        ...common, action: "delete", verbWord: "delete", request: body(ref(`${META}.DeleteOptions`)),
        params: [PARAMS.dryRun, PARAMS.gracePeriodSeconds, PARAMS.propagationPolicy],
      }),
    },
  };
  if (kind.namespaced) {
    paths[`${prefix}/${kind.plural}`] = {
      get: operation(kind, "", "ForAllNamespaces", {
        ...common, action: "list", verbWord: "list or watch", response: list, params: listParams,
      }),
      parameters: [PARAMS.pretty],
    };
  }
  if (hasStatus) paths[`${prefix}${ns}/${kind.plural}/{name}/status`] = itemOps("status", obj, gvk);
  if (kind.scale) {
    const scaleGvk = { group: "autoscaling", version: "v1", kind: "Scale" };
    paths[`${prefix}${ns}/${kind.plural}/{name}/scale`] = itemOps("scale", ref("io.k8s.api.autoscaling.v1.Scale"), scaleGvk);
  }
  return paths;
}
