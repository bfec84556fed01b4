/**
 * @module
 * Names shared by the control plane and the host agent. Upstream names where
 * upstream has one.
 */

/** The label KubeVirt sets on a scheduled VMI; agents watch their VMIs by it. */
export const VMI_NODE_NAME_LABEL = "kubevirt.io/nodeName";

/**
 * The finalizer that keeps a bound VMI until its host reports it stopped
 * (KubeVirt's webhook adds it; virt-controller removes it once the VMI is final).
 */
export const VMI_HOST_FINALIZER = "kubevirt.io/foregroundDeleteVirtualMachine";

/** Node identities are `system:node:<name>` in group `system:nodes` (the NodeRestriction convention). */
export const NODE_USER_PREFIX = "system:node:";
/** See NODE_USER_PREFIX. */
export const NODES_GROUP = "system:nodes";
/** Callers in this group may do anything (the dev admin). */
export const ADMIN_GROUP = "system:masters";
/** The group every authenticated caller is in (upstream's user.AllAuthenticated). */
export const AUTHENTICATED_GROUP = "system:authenticated";

/** Where the webhook lives: POST `${WEBHOOK_PREFIX}/{node}/reports`. */
export const WEBHOOK_PREFIX = "/webhooks/v1/nodes";
/** The duraplane host API: join tokens, joining, credential rotation and revocation. */
export const HOSTS_API_PREFIX = "/apis/hosts.duraplane.io/v1";

/** The largest report body the webhook accepts (413 beyond). */
export const MAX_REPORT_BYTES = 1024 * 1024;
/** Webhook timestamps further than this from the server's clock are refused (Standard Webhooks' tolerance). */
export const WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

/**
 * The label KubeVirt's migration controller sets on a VMI for the node it
 * migrates to; the target host's agent watches its incoming VMIs by it.
 */
export const VMI_MIGRATION_TARGET_LABEL = "kubevirt.io/migrationTargetNodeName";
