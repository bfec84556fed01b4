/**
 * @module
 * The observations half of a report: each item goes to its object's store as
 * one `report` write (uid, binding and sequence checked there, atomically),
 * a few at a time, and gets its own answer — a partial batch is normal.
 */
import type { ItemResult, ReportItem, ReportItemResult } from "../../shared/hosts/report";
import type { JsonObject } from "../../shared/k8s/object";
import { mapAllBounded } from "../bounded";
import { writeObject } from "../objects/client";
import { isStaleReport } from "../objects/report-op";
import { isBadRequest, isForbidden, isInvalid, isNotFound } from "../client/errors";

/** Items applied at once: enough to overlap store round trips, few enough not to flood one isolate. */
const PARALLEL = 8;

const RESOURCE: Record<ReportItem["kind"], string> = {
  Pod: "/pods",
  VirtualMachineInstance: "kubevirt.io/virtualmachineinstances",
};

function resultOf(err: unknown): { result: ItemResult; code: number; message: string } {
  if (isStaleReport(err)) return { result: "Stale", code: 200, message: (err as Error).message };
  if (isForbidden(err)) return { result: "Refused", code: 403, message: err.message };
  if (isNotFound(err)) return { result: "NotFound", code: 404, message: err.message };
  if (isInvalid(err) || isBadRequest(err)) return { result: "Invalid", code: 422, message: err.message };
  throw err;
}

async function foldItem(env: Env, node: string, item: ReportItem): Promise<ReportItemResult> {
  const head = { kind: item.kind, namespace: item.namespace, name: item.name };
  try {
    const written = await writeObject(env, { resource: RESOURCE[item.kind], namespace: item.namespace, name: item.name }, {
      verb: "report", node, uid: item.uid, sequence: item.sequence, status: item.status as JsonObject, stopped: item.stopped ?? false,
    });
    return { ...head, result: "Applied", code: 200, resourceVersion: written.object.metadata.resourceVersion ?? "" };
  } catch (err) {
    return { ...head, ...resultOf(err) };
  }
}

/** Applies every item; answers in the order given. */
export async function foldItems(env: Env, node: string, items: readonly ReportItem[]): Promise<ReportItemResult[]> {
  return mapAllBounded(items, PARALLEL, (item) => foldItem(env, node, item));
}
