/**
 * @module
 * What the host loop needs to know about one kind (Pod, VMI) beyond the
 * runtime adapter: how to read the object, when it must stop or restart, and
 * how an observation becomes the status the webhook takes.
 */
import type { ReportItem } from "../../shared/hosts/report.ts";
import type { ApiObject } from "../objects.ts";
import type { Exited, Observation, RuntimeAdapter, Workload } from "../runtime/adapter.ts";

/** Everything a status is computed from. */
export interface StatusInput<Detail> {
  object: ApiObject;
  observation?: Observation<Detail>;
  /** An exited workload waits out its restart backoff. */
  restartPending: boolean;
  /** The object may not run any more: being deleted, or final on the server. */
  terminal: boolean;
  /** When the agent found that the runtime lost a workload the server believes runs here (the host restarted). */
  lostAt?: string;
  hostIP: string;
  /** When this agent first accepted the object. */
  acceptedAt?: string;
}

/** The identity half of a report item. */
export interface ItemBase {
  namespace: string;
  name: string;
  uid: string;
  sequence: number;
}

/** One kind of workload, as the host loop drives it. */
export interface KindDriver<Spec, Detail> {
  readonly kind: ReportItem["kind"];
  /** For logs: "pod", "vmi". */
  readonly noun: string;
  readonly adapter: RuntimeAdapter<Spec, Detail>;
  workload(object: ApiObject): Workload<Spec>;
  /** Seconds a stop may take. */
  gracePeriodSeconds(object: ApiObject): number;
  /** The server's phase is final (Succeeded, Failed): nothing may run. */
  isFinal(object: ApiObject): boolean;
  /** After an exit the agent did not ask for: start again? */
  shouldRestart(object: ApiObject, exit: Exited): boolean;
  /** The server says it runs, so a missing workload was lost rather than not yet started. */
  isLost(object: ApiObject): boolean;
  /** Whether the object asks for its running workload to be suspended (VMIs: the Paused condition); absent: never. */
  wantsPaused?(object: ApiObject): boolean;
  /** The report item for the object's current state (sequence filled in by the caller). */
  item(base: ItemBase, input: StatusInput<Detail>): ReportItem;
}

/** The phases after which nothing runs again. */
export const FINAL_PHASES: ReadonlySet<string> = new Set(["Succeeded", "Failed"]);
