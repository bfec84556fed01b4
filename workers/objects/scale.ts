/**
 * @module
 * The `/scale` subresource (autoscaling/v1 Scale) for kinds that declare one:
 * spec.replicas is read and written through it; status.replicas and the
 * selector come from the object (a CRD's scale spec, `crds.go` in KubeVirt).
 */
import { invalid, type StatusCause } from "../../shared/k8s/errors";
import { formatLabelSelector } from "../../shared/k8s/labels";
import { deepCopy, isJsonObject, type Json, type KubeObject } from "../../shared/k8s/object";
import type { ResourceKind } from "../../shared/k8s/resource-kind";
import { checkResourceVersion } from "./preconditions";
import { refOf } from "./write-rules";

/** autoscaling/v1 Scale. */
export interface Scale {
  kind: "Scale";
  apiVersion: "autoscaling/v1";
  metadata: { name?: string; namespace?: string; uid?: string; resourceVersion?: string; creationTimestamp?: string };
  spec: { replicas: number };
  status: { replicas: number; selector?: string };
}

function path(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  for (const part of dotted.replace(/^\./, "").split(".")) {
    if (!isJsonObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** The Scale view of an object. */
export function scaleOf(kind: ResourceKind, obj: KubeObject): Scale {
  const spec = kind.scale;
  const replicas = spec ? path(obj, spec.specReplicasPath) : undefined;
  const statusReplicas = spec ? path(obj, spec.statusReplicasPath) : undefined;
  const selector = path(obj, "spec.selector");
  const m = obj.metadata;
  const scale: Scale = {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: typeof replicas === "number" ? replicas : 1 },
    status: { replicas: typeof statusReplicas === "number" ? statusReplicas : 0 },
  };
  if (isJsonObject(selector)) scale.status.selector = formatLabelSelector(selector);
  return scale;
}

/** Applies a Scale write to the object: only spec.replicas changes. */
export function updateScale(kind: ResourceKind, current: KubeObject, input: Json): KubeObject {
  const name = current.metadata.name ?? "";
  const causes: StatusCause[] = [];
  const spec = isJsonObject(input) ? input.spec : undefined;
  const replicas = isJsonObject(spec) ? spec.replicas : undefined;
  if (typeof replicas !== "number" || !Number.isInteger(replicas)) {
    causes.push({ reason: "FieldValueInvalid", field: "spec.replicas", message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be an integer` });
  } else if (replicas < 0) {
    causes.push({ reason: "FieldValueInvalid", field: "spec.replicas", message: `Invalid value: ${replicas}: must be greater than or equal to 0` });
  }
  if (causes.length > 0 || typeof replicas !== "number") throw invalid("Scale", name, causes, "autoscaling");
  const meta = isJsonObject(input) ? input.metadata : undefined;
  const rv = isJsonObject(meta) && typeof meta.resourceVersion === "string" ? meta.resourceVersion : undefined;
  checkResourceVersion(refOf(kind), current, rv);
  const next = deepCopy(current);
  const target = next.spec;
  if (!isJsonObject(target)) throw invalid(kind.kind, name, [{ reason: "FieldValueRequired", field: "spec", message: "Required value" }], kind.group);
  if (target.replicas !== replicas) {
    target.replicas = replicas;
    next.metadata.generation = (next.metadata.generation ?? 1) + 1;
  }
  return next;
}
