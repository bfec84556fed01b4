/**
 * @module
 * Pods as ReplicaSet children: the predicates of `pod-readiness.ts` and the
 * scale-down order of `pod-deletion-rank.ts`.
 */
import type { ChildPolicy } from "./child-policy";
import { rankPodsForDeletion } from "./pod-deletion-rank";
import { isPodActive, isPodAvailable, isPodReady } from "./pod-readiness";

/** The ReplicaSet's child policy: Pods. */
export const podPolicy: ChildPolicy = {
  isActive: isPodActive,
  isReady: isPodReady,
  isAvailable: isPodAvailable,
  isFinished: () => false,
  rankForDeletion: rankPodsForDeletion,
};
