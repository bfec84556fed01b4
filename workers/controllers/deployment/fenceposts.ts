/**
 * @module
 * maxSurge and maxUnavailable as pod counts (deploymentutil.MaxSurge,
 * MaxUnavailable, ResolveFenceposts): surge rounds up, unavailable down.
 */
import { getScaledValueFromIntOrPercent, type IntOrString } from "../../../shared/k8s/int-or-percent";
import type { Deployment } from "../../../shared/schemas";

/** `spec.replicas` (defaulted to 1 by the API). */
export function deploymentReplicas(d: Deployment): number {
  return d.spec?.replicas ?? 1;
}

/** Whether the Deployment rolls (the default) rather than recreates. */
export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? "RollingUpdate") === "RollingUpdate";
}

/**
 * `ResolveFenceposts`: surge rounded up, unavailable rounded down; when both
 * come to 0, unavailable is 1 so a rollout can always make progress.
 */
export function resolveFenceposts(
  maxSurge: IntOrString | undefined, maxUnavailable: IntOrString | undefined, replicas: number,
): { surge: number; unavailable: number } {
  const surge = getScaledValueFromIntOrPercent(maxSurge ?? 0, replicas, true);
  const unavailable = getScaledValueFromIntOrPercent(maxUnavailable ?? 0, replicas, false);
  return surge === 0 && unavailable === 0 ? { surge, unavailable: 1 } : { surge, unavailable };
}

/** `MaxSurge`: 0 for Recreate. */
export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, deploymentReplicas(d)).surge;
}

/** `MaxUnavailable`: 0 for Recreate or no replicas, at most `spec.replicas`. */
export function maxUnavailable(d: Deployment): number {
  const replicas = deploymentReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return Math.min(replicas, resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas).unavailable);
}
