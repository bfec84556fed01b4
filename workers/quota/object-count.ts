/**
 * @module
 * Object counts (upstream's generic ObjectCountEvaluator): every stored
 * object of a kind counts as `count/<resource>.<group>` (`count/<resource>`
 * in the core group), plus the legacy bare names upstream keeps for a few
 * core kinds (`resourcequotas`, …). `count/pods` counts a pod in any phase.
 */
import { KINDS, resourceKey } from "../registry";

/** The legacy names that count the core kinds we serve, beside `count/<resource>`. */
const LEGACY_COUNT_NAMES: Readonly<Record<string, string>> = {
  "/resourcequotas": "resourcequotas",
  "/services": "services",
  "/configmaps": "configmaps",
  "/secrets": "secrets",
};

/** `count/<plural>.<group>` for a registry key "group/plural". */
export function countName(resource: string): string {
  const slash = resource.indexOf("/");
  const group = resource.slice(0, slash);
  const plural = resource.slice(slash + 1);
  return group === "" ? `count/${plural}` : `count/${plural}.${group}`;
}

/** The names that count one object of `resource`. */
export function countNames(resource: string): string[] {
  const legacy = LEGACY_COUNT_NAMES[resource];
  return legacy ? [countName(resource), legacy] : [countName(resource)];
}

/** The registry keys of the namespaced kinds whose counts `hard` limits. */
export function countedResources(hard: Iterable<string>): string[] {
  const names = new Set(hard);
  return KINDS.filter((k) => k.namespaced)
    .map((k) => resourceKey(k))
    .filter((r) => countNames(r).some((n) => names.has(n)));
}
