/**
 * @module
 * When the serviceaccounts controller runs, as upstream's informer handlers
 * queue it: for a namespace that is added or updated (and not going away),
 * and for a namespace whose `default` ServiceAccount was deleted. The key is
 * the namespace: `{controller: "serviceaccounts", namespace: "", name: <ns>}`.
 */
import type { KubeObject } from "../../../shared/k8s/object";
import type { EventType } from "../../objects/collection-store";

/** The controller's name in reconcile keys (kube-controller-manager's "serviceaccount-controller"). */
export const SERVICE_ACCOUNTS_CONTROLLER = "serviceaccounts";

/** The ServiceAccounts every namespace has (upstream's ServiceAccountsControllerOptions default). */
export const DEFAULT_SERVICE_ACCOUNTS: readonly string[] = ["default"];

/** The namespace whose ServiceAccounts a change asks to check, if any. */
export function serviceAccountsNamespaceFor(obj: KubeObject, type: EventType | undefined): string | undefined {
  if (obj.kind === "Namespace") {
    if (type === "DELETED" || obj.metadata.deletionTimestamp) return undefined;
    return obj.metadata.name;
  }
  if (obj.kind === "ServiceAccount" && type === "DELETED" && DEFAULT_SERVICE_ACCOUNTS.includes(obj.metadata.name ?? "")) {
    return obj.metadata.namespace;
  }
  return undefined;
}
