/**
 * @module
 * Admission on the write path. Every write of every object — from clients,
 * controllers, the scheduler, host reports and deletions ending in the
 * store's alarm — passes through its ObjectStore, which asks the admission
 * registered here (once, at wiring time: workers/index.ts) before recording
 * the write and tells it after the commit. Storage does not import the
 * quota code, as it does not import the controllers (change-observer.ts).
 */
import type { KubeObject } from "../../shared/k8s/object";
import type { ResourceKind } from "../../shared/k8s/resource-kind";
import type { EventType } from "./collection-store";
import type { ObjectRef } from "./object-ref";

/** A planned write: its event type and the next state (the deleted object for DELETED). */
export interface PlannedWrite {
  type: EventType;
  object: KubeObject;
}

/** Undoes what `before` reserved, when the write is refused for good (nothing was stored). */
export type UndoAdmission = () => Promise<void>;

/** Mutating and validating admission around one object's writes. */
export interface WriteAdmission {
  /**
   * Before the write is recorded (and for dry runs, which reserve nothing):
   * may change `plan.object` (defaults) or throw an ApiError (403, 422).
   * Answers how to undo a reservation, if it made one.
   */
  before(env: Env, kind: ResourceKind, ref: ObjectRef, prev: KubeObject | undefined, plan: PlannedWrite, dryRun: boolean): Promise<UndoAdmission | undefined>;
  /** After the write committed (releases follow the write, reservations precede it). Never throws. */
  after(env: Env, kind: ResourceKind, ref: ObjectRef, prev: KubeObject | undefined, plan: PlannedWrite): Promise<void>;
}

let registered: WriteAdmission | undefined;

/** Registers the write admission (once, at wiring time). */
export function admitWrites(admission: WriteAdmission): void {
  registered = admission;
}

/** The registered admission; none admits everything. */
export function writeAdmission(): WriteAdmission | undefined {
  return registered;
}
