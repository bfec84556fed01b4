/**
 * @module
 * The 409 an apply gets when it would change fields other managers own, in
 * upstream's words (k8s.io/apimachinery/pkg/util/managedfields/internal
 * conflict.go), which kubectl prints as is before its advice to use
 * `--force-conflicts`.
 */
import { ApiError, type StatusCause } from "./errors";
import { printPaths } from "./field-set";
import type { Conflict } from "./managed-fields";

/** A manager as a conflict names it: `"kubectl-edit" using apps/v1`, `"kubelet" with subresource "status" using v1`, `"kubectl"`. */
export function printManager(m: { manager: string; operation: string; apiVersion: string; subresource?: string }): string {
  let out = JSON.stringify(m.manager);
  if (m.subresource) out += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === "Update") out += ` using ${m.apiVersion}`;
  return out;
}

/**
 * 409 Conflict with one `FieldManagerConflict` cause per field, e.g.
 * `Apply failed with 1 conflict: conflict with "kubectl-scale" with subresource "scale" using apps/v1: .spec.replicas`;
 * several are listed per manager, managers in name order.
 */
export function applyConflict(conflicts: Conflict[]): ApiError {
  const byManager = conflicts
    .map((c) => ({ name: printManager(c.manager), paths: printPaths(c.fields) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const causes: StatusCause[] = [];
  for (const m of byManager) {
    for (const field of m.paths) causes.push({ reason: "FieldManagerConflict", message: `conflict with ${m.name}`, field });
  }
  let message: string;
  const only = causes[0];
  if (causes.length === 1 && only) {
    message = `Apply failed with 1 conflict: ${only.message}: ${only.field ?? ""}`;
  } else {
    const lines = byManager.flatMap((m) => [`conflicts with ${m.name}:`, ...m.paths.map((p) => `- ${p}`)]);
    message = `Apply failed with ${causes.length} conflicts: ${lines.join("\n")}`;
  }
  return new ApiError(409, "Conflict", message, { causes });
}
