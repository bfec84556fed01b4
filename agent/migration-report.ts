/**
 * @module
 * The reporter keeps one pending observation per object, the newest. A VMI's
 * migration report and its status report are separate observations of one
 * object, so when one replaces the other before it was sent, the migration
 * fields of the older one are carried into the newer (same migration only).
 */
import type { ReportItem } from "../shared/hosts/report.ts";

/** `next` with the queued item's migration fields it does not override. */
export function withQueuedMigration(queued: ReportItem, next: ReportItem): ReportItem {
  if (queued.kind !== "VirtualMachineInstance" || next.kind !== "VirtualMachineInstance") return next;
  const older = queued.status.migrationState;
  if (!older) return next;
  const newer = next.status.migrationState;
  if (newer && newer.migrationUid !== older.migrationUid) return next;
  return { ...next, status: { ...next.status, migrationState: { ...older, ...newer } } };
}
