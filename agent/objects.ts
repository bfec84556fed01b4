/**
 * @module
 * The few fields of a Pod or VMI the agent reads, narrowed from untrusted
 * JSON. The zod schemas in shared/schemas describe the whole objects, but the
 * agent deliberately depends only on this subset, so it keeps working when
 * the server learns new fields.
 */

/** Object metadata as the agent needs it. */
export interface ObjectMeta {
  name: string;
  namespace: string;
  uid: string;
  resourceVersion?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** A pod or VMI from a list or a watch event. */
export interface ApiObject {
  metadata: ObjectMeta;
  spec: Record<string, unknown>;
  status: Record<string, unknown>;
}

/** Whether `value` is a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringMap(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/** A string field, or undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A number field, or undefined. */
export function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** Narrows a decoded object; undefined when it lacks name, namespace or uid. */
export function asApiObject(value: unknown): ApiObject | undefined {
  if (!isRecord(value) || !isRecord(value.metadata)) return undefined;
  const m = value.metadata;
  const name = str(m.name);
  const namespace = str(m.namespace);
  const uid = str(m.uid);
  if (!name || !namespace || !uid) return undefined;
  return {
    metadata: {
      name, namespace, uid,
      resourceVersion: str(m.resourceVersion),
      deletionTimestamp: str(m.deletionTimestamp),
      deletionGracePeriodSeconds: num(m.deletionGracePeriodSeconds),
      labels: stringMap(m.labels),
      annotations: stringMap(m.annotations),
    },
    spec: isRecord(value.spec) ? value.spec : {},
    status: isRecord(value.status) ? value.status : {},
  };
}

/** `namespace/name`, for logs. */
export function keyOf(obj: { metadata: { namespace: string; name: string } }): string {
  return `${obj.metadata.namespace}/${obj.metadata.name}`;
}
