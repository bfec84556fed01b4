/**
 * @module
 * VirtualMachineInstanceReplicaSet status: KubeVirt `updateStatus`,
 * `checkPaused` and `checkFailure` (`watch/replicaset/replicaset.go`).
 * Pair with `statusEqual`, which reproduces its "equilibrium" skip.
 */
import { formatLabelSelector, type LabelSelector } from "../../../shared/k8s/labels";
import { deepCopy, isJsonObject, type KubeObject } from "../../../shared/k8s/object";
import { removeCondition } from "../shared/conditions";
import { conditionsOf, desiredReplicas, specOf, statusOf, type Condition } from "../shared/object-fields";
import { isVMIReady } from "./vmi-policy";
import { formatTime } from "../../../shared/k8s/time";

/** `VirtualMachineInstanceReplicaSetReplicaFailure`. */
export const VMIRS_REPLICA_FAILURE = "ReplicaFailure";
/** `VirtualMachineInstanceReplicaSetReplicaPaused`. */
export const VMIRS_REPLICA_PAUSED = "ReplicaPaused";

/** `v1.VirtualMachineInstanceReplicaSetStatus`; other fields already in the status are kept. */
export interface VMIRSStatus {
  replicas: number;
  readyReplicas: number;
  labelSelector: string;
  conditions?: Condition[];
  [field: string]: unknown;
}

function errorMessage(err: Error | string): string {
  return typeof err === "string" ? err : err.message;
}

/**
 * The status KubeVirt's `updateStatus` writes.
 * @param activeVMIs the claimed active VMIs (`vmiPolicy.isActive`).
 * @param scaleErr the first error from scaling or from deleting finished VMIs:
 *   appends `ReplicaFailure` (FailedCreate when below the desired count, else
 *   FailedDelete) unless one is present; no error removes it.
 * `ReplicaPaused` (reason Paused, "Controller got paused") follows `spec.paused`.
 * @throws ApiError 400 when `spec.selector` is invalid (`LabelSelectorAsSelector` fails).
 */
export function calculateVMIRSStatus(
  rs: KubeObject,
  activeVMIs: readonly KubeObject[],
  now: Date,
  scaleErr?: Error | string,
): VMIRSStatus {
  const spec = specOf(rs);
  const selector = isJsonObject(spec.selector) ? (spec.selector as LabelSelector) : undefined;
  const paused = spec.paused === true;
  let conditions = conditionsOf(rs);
  const has = (type: string): boolean => conditions.some((c) => c.type === type);

  // checkPaused runs before checkFailure, so a new Paused condition comes first.
  if (paused && !has(VMIRS_REPLICA_PAUSED)) {
    conditions = [
      ...conditions,
      {
        type: VMIRS_REPLICA_PAUSED,
        reason: "Paused",
        message: "Controller got paused",
        lastTransitionTime: formatTime(now.getTime()),
        status: "True",
      },
    ];
  } else if (!paused && has(VMIRS_REPLICA_PAUSED)) {
    conditions = removeCondition(conditions, VMIRS_REPLICA_PAUSED);
  }

  if (scaleErr !== undefined && !has(VMIRS_REPLICA_FAILURE)) {
    const diff = activeVMIs.length - desiredReplicas(rs);
    conditions = [
      ...conditions,
      {
        type: VMIRS_REPLICA_FAILURE,
        reason: diff < 0 ? "FailedCreate" : "FailedDelete",
        message: errorMessage(scaleErr),
        lastTransitionTime: formatTime(now.getTime()),
        status: "True",
      },
    ];
  } else if (scaleErr === undefined && has(VMIRS_REPLICA_FAILURE)) {
    conditions = removeCondition(conditions, VMIRS_REPLICA_FAILURE);
  }

  const status: VMIRSStatus = {
    ...deepCopy(statusOf(rs)),
    labelSelector: formatLabelSelector(selector),
    replicas: activeVMIs.length,
    readyReplicas: activeVMIs.filter(isVMIReady).length,
  };
  if (conditions.length > 0) status.conditions = conditions;
  else delete status.conditions;
  return status;
}
