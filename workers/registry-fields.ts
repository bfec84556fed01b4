/**
 * @module
 * Field selector support per kind: metadata.name and metadata.namespace for
 * all, plus the kind's own fields; anything else is upstream's 400.
 */
import { badRequest } from "../shared/k8s/errors";
import type { KubeObject } from "../shared/k8s/object";
import { kindByResource } from "./registry";

/** A getter for the given fields, after checking the kind supports each. */
export function fieldGetter(resource: string, fields: string[]): (obj: KubeObject, field: string) => string | undefined {
  const kind = kindByResource(resource);
  const extra = kind?.fieldSelectors ?? {};
  for (const f of fields) {
    if (f !== "metadata.name" && f !== "metadata.namespace" && !(f in extra)) {
      throw badRequest(`field label not supported: ${f}`);
    }
  }
  return (obj, f) => {
    if (f === "metadata.name") return obj.metadata.name;
    if (f === "metadata.namespace") return obj.metadata.namespace ?? "";
    return extra[f]?.(obj);
  };
}
