/**
 * @module
 * Typed reads of the few status and metadata fields the reconcilers decide on.
 * Objects reach the controllers as plain JSON (`KubeObject`), so every read
 * tolerates a missing or mistyped field the way Go's decoder leaves a zero value.
 */
import { isJsonObject, type JsonObject, type KubeObject } from "../../../shared/k8s/object";
import { readTime } from "../../../shared/k8s/printers/timestamp";

/** A status condition as Pods, ReplicaSets, VMIs, VMs and VMIRSs all carry it. */
export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string | null;
}

/** `obj.status` as an object, or an empty one (a nil status in Go). */
export function statusOf(obj: KubeObject | undefined): JsonObject {
  return obj !== undefined && isJsonObject(obj.status) ? obj.status : {};
}

/** `obj.spec` as an object, or an empty one. */
export function specOf(obj: KubeObject | undefined): JsonObject {
  return obj !== undefined && isJsonObject(obj.spec) ? obj.spec : {};
}

/** A string field of a JSON object, or `""` (Go's zero string). */
export function stringField(obj: JsonObject, key: string): string {
  const v = obj[key];
  return typeof v === "string" ? v : "";
}

/** An integer field of a JSON object, or `fallback` when absent or not a number. */
export function numberField(obj: JsonObject, key: string, fallback: number): number {
  const v = obj[key];
  return typeof v === "number" && Number.isFinite(v) ? v : fallback;
}

/** `status.phase`, or `""` when unset. */
export function phaseOf(obj: KubeObject | undefined): string {
  return stringField(statusOf(obj), "phase");
}

/** True when `metadata.deletionTimestamp` is set (the object is being deleted). */
export function isDeleting(obj: KubeObject | undefined): boolean {
  const ts = obj?.metadata.deletionTimestamp;
  return typeof ts === "string" && ts !== "";
}

function toCondition(value: unknown): Condition | undefined {
  if (!isJsonObject(value) || typeof value.type !== "string") return undefined;
  const cond: Condition = { type: value.type, status: stringField(value, "status") };
  if (typeof value.reason === "string") cond.reason = value.reason;
  if (typeof value.message === "string") cond.message = value.message;
  if (typeof value.lastProbeTime === "string" || value.lastProbeTime === null) cond.lastProbeTime = value.lastProbeTime;
  if (typeof value.lastTransitionTime === "string" || value.lastTransitionTime === null) {
    cond.lastTransitionTime = value.lastTransitionTime;
  }
  return cond;
}

/** `status.conditions`, skipping entries without a `type`. */
export function conditionsOf(obj: KubeObject | undefined): Condition[] {
  const raw = statusOf(obj).conditions;
  if (!Array.isArray(raw)) return [];
  return raw.map(toCondition).filter((c): c is Condition => c !== undefined);
}

/** The first condition of `type`, as KubeVirt's condition managers and `GetPodReadyCondition` find it. */
export function getCondition(obj: KubeObject | undefined, type: string): Condition | undefined {
  return conditionsOf(obj).find((c) => c.type === type);
}

/** `HasConditionWithStatus` / `HasConditionWithStatusAndReason` (reason checked only when given). */
export function hasCondition(obj: KubeObject | undefined, type: string, status: string, reason?: string): boolean {
  const c = getCondition(obj, type);
  return c !== undefined && c.status === status && (reason === undefined || c.reason === reason);
}

/** Milliseconds of a metav1.Time field, or undefined where Go would hold the zero time. */
export function timeOf(value: unknown): number | undefined {
  return readTime(value);
}

/** `spec.replicas`, which both ReplicaSet and VMIRS read as 1 when unset. */
export function desiredReplicas(owner: KubeObject): number {
  return numberField(specOf(owner), "replicas", 1);
}
