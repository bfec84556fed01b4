/**
 * @module
 * OpenAPI v3 documents generated from the zod schemas, as kube-apiserver
 * serves them: `GET /openapi/v3` lists one document per group-version with a
 * content hash, and `GET /openapi/v3/api/v1` (etc.) holds `components.schemas`
 * (named `io.k8s.api.core.v1.Pod`, `io.kubevirt.v1.VirtualMachine`…, top-level
 * kinds carrying `x-kubernetes-group-version-kind`) plus the resource paths.
 * `kubectl explain` reads the former, kubectl's field-validation probe the latter.
 */
import { z } from "zod";
import type { ResourceKind } from "../k8s/resource-kind";
import { openApiHash } from "./content-hash";
import { EventSchema } from "./core-v1/event";
import { NamespaceSchema } from "./core-v1/namespace";
import { NodeSchema } from "./core-v1/node";
import { PodSchema } from "./core-v1/pod";
import { ServiceAccountSchema } from "./core-v1/serviceaccount";
import { ReplicaSetSchema } from "./apps-v1/replicaset";
import { VirtualMachineSchema } from "./kubevirt-v1/virtualmachine";
import { VirtualMachineInstanceSchema } from "./kubevirt-v1/virtualmachineinstance";
import { VirtualMachineInstanceReplicaSetSchema } from "./kubevirt-v1/vmirs";
import { META_V1 } from "./meta";
import { ClusterRoleBindingSchema, RoleBindingSchema } from "./rbac-v1/binding";
import { ClusterRoleSchema, RoleSchema } from "./rbac-v1/role";
import { kindPaths } from "./openapi-paths";
import { unwrapSchema } from "./schema-walk";

export { openApiHash } from "./content-hash";

type Json = Record<string, unknown>;

const SAFE_INT = 9007199254740991;

function isObj(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Rewrites zod's JSON Schema into kube-apiserver's OpenAPI style, in place. */
function toOpenApiStyle(node: unknown): void {
  if (Array.isArray(node)) {
    node.forEach(toOpenApiStyle);
    return;
  }
  if (!isObj(node)) return;
  const r = node["$ref"];
  if (typeof r === "string") node["$ref"] = r.replace(/^#\/(definitions|\$defs)\//, "#/components/schemas/");
  // Objects accept unknown fields on the wire (they are dropped, or reported with fieldValidation).
  if (node["additionalProperties"] === false) delete node["additionalProperties"];
  if (node["type"] === "integer") {
    if (node["minimum"] === -SAFE_INT) delete node["minimum"];
    if (node["maximum"] === SAFE_INT) delete node["maximum"];
    node["format"] ??= "int64";
  }
  for (const v of Object.values(node)) toOpenApiStyle(v);
}

/** Component name of a kind's schema: its zod `id`, or `<group>.<Kind>` when it has none. */
export function componentId(kind: Pick<ResourceKind, "schema" | "group" | "version" | "kind">): string {
  const meta = z.globalRegistry.get(kind.schema);
  const id = meta?.id;
  if (typeof id === "string") return id;
  return kind.group ? `${kind.group}.${kind.version}.${kind.kind}` : `io.k8s.api.core.${kind.version}.${kind.kind}`;
}

/** The component schemas of one zod schema (itself and every named schema it reaches). */
export function componentSchemas(schema: z.ZodType, id: string): Record<string, Json> {
  const json = z.toJSONSchema(schema, { target: "openapi-3.0", unrepresentable: "any", io: "input" }) as Json;
  const defs = (isObj(json["definitions"]) ? json["definitions"] : isObj(json["$defs"]) ? json["$defs"] : {}) as Record<string, Json>;
  const out: Record<string, Json> = { ...defs };
  if (!(id in out)) {
    const root = { ...json };
    delete root["definitions"];
    delete root["$defs"];
    out[id] = root;
  }
  for (const v of Object.values(out)) toOpenApiStyle(v);
  return out;
}

/** Small meta/v1 and autoscaling/v1 components the paths refer to. */
function supportComponents(): Record<string, Json> {
  const str = (description: string): Json => ({ type: "string", description });
  return {
    [`${META_V1}.ListMeta`]: {
      type: "object",
      description: "Metadata that synthetic resources (lists) have.",
      properties: {
        resourceVersion: str("Identifies the server's internal version of this list."),
        continue: str("Set if there are more results; pass it back to get the next chunk."),
        remainingItemCount: { type: "integer", format: "int64", description: "Items left in the list after this chunk." },
      },
    },
    [`${META_V1}.Status`]: { type: "object", description: "Status is the return value for calls that don't return other objects." },
    [`${META_V1}.Patch`]: { type: "object", description: "A patch: JSON patch, merge patch or apply configuration." },
    [`${META_V1}.DeleteOptions`]: {
      type: "object",
      description: "Options for a delete request.",
      properties: {
        gracePeriodSeconds: { type: "integer", format: "int64", description: "Seconds before the object is deleted." },
        propagationPolicy: str("Whether and how garbage collection is performed: Orphan, Background or Foreground."),
        dryRun: { type: "array", items: { type: "string" }, description: "When present, nothing is persisted." },
        preconditions: { type: "object", description: "Must be fulfilled before a deletion is carried out (uid, resourceVersion)." },
      },
    },
    "io.k8s.api.autoscaling.v1.Scale": {
      type: "object",
      description: "Scale represents a scaling request for a resource.",
      properties: {
        apiVersion: str("APIVersion of the object."),
        kind: str("Kind of the object."),
        metadata: { allOf: [{ $ref: `#/components/schemas/${META_V1}.ObjectMeta` }] },
        spec: { type: "object", properties: { replicas: { type: "integer", format: "int32", description: "Desired number of instances." } } },
        status: {
          type: "object",
          properties: {
            replicas: { type: "integer", format: "int32", description: "Actual number of observed instances." },
            selector: str("Label query over pods that should match the replicas count."),
          },
        },
      },
      "x-kubernetes-group-version-kind": [{ group: "autoscaling", kind: "Scale", version: "v1" }],
    },
  };
}

function listComponent(kind: ResourceKind, itemId: string): Json {
  return {
    type: "object",
    description: `${kind.listKind} is a list of ${kind.kind} objects.`,
    required: ["items"],
    properties: {
      apiVersion: { type: "string", description: "APIVersion of this representation of the list." },
      kind: { type: "string", description: "Kind of the list." },
      metadata: { allOf: [{ $ref: `#/components/schemas/${META_V1}.ListMeta` }], description: "Standard list metadata." },
      items: { type: "array", items: { $ref: `#/components/schemas/${itemId}` }, description: `List of ${kind.plural}.` },
    },
    "x-kubernetes-group-version-kind": [{ group: kind.group, version: kind.version, kind: kind.listKind }],
  };
}

/** Whether the kind's object has a `status` member (and so a status subresource path). */
function hasStatus(kind: ResourceKind): boolean {
  const s = unwrapSchema(kind.schema);
  return s instanceof z.ZodObject && "status" in (s.shape as Record<string, unknown>);
}

/** The `/openapi/v3/<api/v1 | apis/g/v>` document for the kinds of one group-version. */
export function buildOpenApiGroupVersion(kinds: readonly ResourceKind[]): Json {
  const schemas: Record<string, Json> = supportComponents();
  let paths: Record<string, Json> = {};
  for (const kind of kinds) {
    const id = componentId(kind);
    Object.assign(schemas, componentSchemas(kind.schema, id));
    // Upstream marks none of the type and object meta required (the server fills kind and apiVersion).
    const top = schemas[id];
    if (top && Array.isArray(top["required"])) {
      const required = top["required"].filter((f) => f !== "apiVersion" && f !== "kind" && f !== "metadata");
      if (required.length > 0) top["required"] = required;
      else delete top["required"];
    }
    schemas[`${id.slice(0, id.lastIndexOf("."))}.${kind.listKind}`] = listComponent(kind, id);
    paths = { ...paths, ...kindPaths(kind, id, hasStatus(kind)) };
  }
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: "v1.32.4" },
    paths,
    components: { schemas, securitySchemes: { BearerToken: { type: "apiKey", name: "authorization", in: "header" } } },
  };
}

/** `api/v1` for the core group, `apis/<group>/<version>` otherwise. */
export function openApiPath(groupVersion: string): string {
  return groupVersion.includes("/") ? `apis/${groupVersion}` : `api/${groupVersion}`;
}

let fingerprint: string | undefined;

/** A hash of every kind schema's JSON Schema: it changes whenever a schema does. */
export function schemaFingerprint(): string {
  const all = [
    NamespaceSchema, NodeSchema, PodSchema, EventSchema, ReplicaSetSchema, ServiceAccountSchema,
    VirtualMachineSchema, VirtualMachineInstanceSchema, VirtualMachineInstanceReplicaSetSchema,
    RoleSchema, ClusterRoleSchema, RoleBindingSchema, ClusterRoleBindingSchema,
  ];
  fingerprint ??= openApiHash(all.map((s) => z.toJSONSchema(s, { target: "openapi-3.0", unrepresentable: "any", io: "input" })));
  return fingerprint;
}

/**
 * The `/openapi/v3` index: `{"paths": {"api/v1": {"serverRelativeURL":
 * "/openapi/v3/api/v1?hash=…"}, …}}`. With `documents` (keyed by group-version
 * or by path) the hash is that document's; without, it is derived from the
 * group-version and {@link schemaFingerprint}, so it still changes with the schemas.
 */
export function buildOpenApiRoot(groupVersions: readonly string[], documents?: Readonly<Record<string, unknown>>): Json {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of groupVersions) {
    const path = openApiPath(gv);
    const doc = documents?.[gv] ?? documents?.[path] ?? { groupVersion: gv, schemas: schemaFingerprint() };
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${openApiHash(doc)}` };
  }
  return { paths };
}
