/**
 * @module
 * `v1` LimitRange: schema, `SetDefaults_LimitRangeItem` (for Container
 * items: default ← max, defaultRequest ← default, then ← min) and
 * `ValidateLimitRange` (pkg/apis/core/validation/validation.go).
 */
import { z } from "zod";
import type { StatusCause } from "../../k8s/errors";
import type { KubeObject } from "../../k8s/object";
import { amountOf, formatAmount, type Amount } from "../../k8s/quota-amount";
import { forbidden, invalidValue, isQualifiedName, required, validateObjectMeta } from "../../k8s/validation";
import { asKind, ResourceListSchema, typeAndObjectMeta, type KindStrategy } from "../meta";
import { CORE_V1 } from "./container";

/** `v1.LimitRangeItem`. */
export const LimitRangeItemSchema = z
  .object({
    type: z.string().describe("Type of resource that this limit applies to: Container, Pod or PersistentVolumeClaim."),
    max: ResourceListSchema.optional().describe("Max usage constraints on this kind by resource name."),
    min: ResourceListSchema.optional().describe("Min usage constraints on this kind by resource name."),
    default: ResourceListSchema.optional().describe("Default resource limits applied when none are specified."),
    defaultRequest: ResourceListSchema.optional().describe("Default resource requests applied when none are specified."),
    maxLimitRequestRatio: ResourceListSchema.optional().describe("The largest allowed limit / request ratio per resource."),
  })
  .meta({ id: `${CORE_V1}.LimitRangeItem`, description: "A min/max usage limit for any resource that matches on kind." });

/** `v1` LimitRange. */
export const LimitRangeSchema = z
  .object({
    ...typeAndObjectMeta("LimitRange"),
    spec: z
      .object({ limits: z.array(LimitRangeItemSchema).describe("Limits is the list of LimitRangeItem objects that are enforced.") })
      .optional()
      .describe("The limits enforced."),
  })
  .meta({
    id: `${CORE_V1}.LimitRange`,
    description: "LimitRange sets resource usage limits for each kind of resource in a Namespace.",
    "x-kubernetes-group-version-kind": [{ group: "", version: "v1", kind: "LimitRange" }],
  });

/** A v1 LimitRange. */
export type LimitRange = z.infer<typeof LimitRangeSchema>;
/** One of its items. */
export type LimitRangeItem = z.infer<typeof LimitRangeItemSchema>;

/** `SetDefaults_LimitRangeItem`. */
export function defaultLimitRangeItem(item: LimitRangeItem): void {
  if (item.type !== "Container") return;
  const def = (item.default ??= {});
  const defReq = (item.defaultRequest ??= {});
  for (const [k, v] of Object.entries(item.max ?? {})) if (!(k in def)) def[k] = v;
  for (const [k, v] of Object.entries(def)) if (!(k in defReq)) defReq[k] = v;
  for (const [k, v] of Object.entries(item.min ?? {})) if (!(k in defReq)) defReq[k] = v;
}

const TYPES = ["Pod", "Container", "PersistentVolumeClaim"];

function amounts(list: Record<string, string | number> | undefined): Map<string, Amount> {
  return new Map(Object.entries(list ?? {}).map(([k, v]) => [k, amountOf(v)]));
}

function validateNames(list: Record<string, string | number> | undefined, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const k of Object.keys(list ?? {})) for (const msg of isQualifiedName(k)) causes.push(invalidValue(`${path}[${k}]`, k, msg));
  return causes;
}

function validateItem(item: LimitRangeItem, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!item.type) causes.push(required(`${path}.type`));
  else if (!TYPES.includes(item.type)) causes.push(invalidValue(`${path}.type`, item.type, "must be one of Pod, Container, PersistentVolumeClaim"));
  for (const part of ["max", "min", "default", "defaultRequest", "maxLimitRequestRatio"] as const) {
    causes.push(...validateNames(item[part], `${path}.${part}`));
  }
  if (item.type === "Pod") {
    if (Object.keys(item.default ?? {}).length > 0) causes.push(forbidden(`${path}.default`, "may not be specified when `type` is 'Pod'"));
    if (Object.keys(item.defaultRequest ?? {}).length > 0) causes.push(forbidden(`${path}.defaultRequest`, "may not be specified when `type` is 'Pod'"));
  }
  const min = amounts(item.min);
  const max = amounts(item.max);
  const def = amounts(item.default);
  const defReq = amounts(item.defaultRequest);
  const ratio = amounts(item.maxLimitRequestRatio);
  const keys = new Set([...min.keys(), ...max.keys(), ...def.keys(), ...defReq.keys()]);
  const s = formatAmount;
  for (const k of [...keys].sort()) {
    const lo = min.get(k);
    const hi = max.get(k);
    const d = def.get(k);
    const dr = defReq.get(k);
    if (lo && hi && lo.milli > hi.milli) causes.push(invalidValue(`${path}.min[${k}]`, s(lo), `min value ${s(lo)} is greater than max value ${s(hi)}`));
    if (dr && lo && lo.milli > dr.milli) causes.push(invalidValue(`${path}.defaultRequest[${k}]`, s(dr), `min value ${s(lo)} is greater than default request value ${s(dr)}`));
    if (dr && hi && dr.milli > hi.milli) causes.push(invalidValue(`${path}.defaultRequest[${k}]`, s(dr), `default request value ${s(dr)} is greater than max value ${s(hi)}`));
    if (dr && d && dr.milli > d.milli) causes.push(invalidValue(`${path}.defaultRequest[${k}]`, s(dr), `default request value ${s(dr)} is greater than default limit value ${s(d)}`));
    if (d && lo && lo.milli > d.milli) causes.push(invalidValue(`${path}.default[${k}]`, s(lo), `min value ${s(lo)} is greater than default value ${s(d)}`));
    if (d && hi && d.milli > hi.milli) causes.push(invalidValue(`${path}.default[${k}]`, s(hi), `default value ${s(d)} is greater than max value ${s(hi)}`));
  }
  for (const [k, r] of ratio) {
    if (r.milli < 1000) causes.push(invalidValue(`${path}.maxLimitRequestRatio[${k}]`, s(r), `ratio ${s(r)} is less than 1`));
    const lo = min.get(k);
    const hi = max.get(k);
    if (lo && hi && lo.milli > 0) {
      const limit = hi.milli / lo.milli;
      if (r.milli / 1000 > limit) {
        causes.push(invalidValue(`${path}.maxLimitRequestRatio[${k}]`, s(r), `ratio ${s(r)} is greater than max/min = ${limit.toFixed(6)}`));
      }
    }
  }
  return causes;
}

/** `ValidateLimitRange`. */
export function validateLimitRange(lr: LimitRange): StatusCause[] {
  const causes = validateObjectMeta(lr.metadata as KubeObject["metadata"], { namespaced: true });
  (lr.spec?.limits ?? []).forEach((item, i) => causes.push(...validateItem(item, `spec.limits[${i}]`)));
  return causes;
}

/** The LimitRange strategy. */
export const limitRangeStrategy: KindStrategy<typeof LimitRangeSchema> = {
  schema: LimitRangeSchema,
  applyDefaults(obj: KubeObject): void {
    for (const item of asKind<LimitRange>(obj).spec?.limits ?? []) defaultLimitRangeItem(item);
  },
  validate(obj: KubeObject): StatusCause[] {
    return validateLimitRange(asKind<LimitRange>(obj));
  },
};
