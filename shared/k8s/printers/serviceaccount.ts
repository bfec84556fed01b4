/**
 * @module
 * `kubectl get serviceaccounts` columns: upstream's printServiceAccount
 * (kubernetes pkg/printers/internalversion/printers.go, v1.32): Name, the
 * number of secrets, Age.
 */
import type { KubeObject } from "../object";
import type { Printer, TableCell } from "../resource-kind";
import { AGE_COLUMN, NAME_COLUMN, column } from "./columns";
import { translateTimestampSince } from "./timestamp";

/** corev1.ServiceAccount{}.SwaggerDoc()["secrets"] (k8s.io/api v0.32). */
const SECRETS_DESCRIPTION =
  "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a \"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\". The \"kubernetes.io/enforce-mountable-secrets\" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret";

/** Server-side printing for ServiceAccounts: the Secrets cell is a count, typed "string" as upstream declares it. */
export const serviceAccountPrinter: Printer = {
  columns: [NAME_COLUMN, column("Secrets", "string", SECRETS_DESCRIPTION), AGE_COLUMN],
  cells(sa: KubeObject, now: Date): TableCell[] {
    const secrets = Array.isArray(sa.secrets) ? sa.secrets.length : 0;
    return [String(sa.metadata.name ?? ""), secrets, translateTimestampSince(sa.metadata.creationTimestamp, now)];
  },
};
