/**
 * @module
 * `kubectl get nodes` columns: upstream's printNode
 * (kubernetes pkg/printers/internalversion/printers.go, v1.32).
 */
import { compareBytes } from "../label-requirement";
import type { KubeObject } from "../object";
import type { Printer, TableCell } from "../resource-kind";
import { AGE_COLUMN, NAME_COLUMN, column, wideColumn } from "./columns";
import { at, bool, list, str, stringMap } from "./fields";
import { translateTimestampSince } from "./timestamp";

const LABEL_NODE_ROLE_PREFIX = "node-role.kubernetes.io/";
const NODE_LABEL_ROLE = "kubernetes.io/role";

const ADDRESSES_DESCRIPTION =
  "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).";

const NODE_COLUMNS = [
  NAME_COLUMN,
  column("Status", "string", "The status of the node"),
  column("Roles", "string", "The roles of the node"),
  AGE_COLUMN,
  column("Version", "string", "Kubelet Version reported by the node."),
  wideColumn("Internal-IP", "string", ADDRESSES_DESCRIPTION),
  wideColumn("External-IP", "string", ADDRESSES_DESCRIPTION),
  wideColumn("OS-Image", "string", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."),
  wideColumn("Kernel-Version", "string", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
  wideColumn(
    "Container-Runtime",
    "string",
    "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
  ),
];

/** `Ready`, `NotReady` or `Unknown` from the Ready condition (the last one listed wins, as in upstream's map), plus `SchedulingDisabled`. */
function nodeStatus(node: KubeObject): string {
  let ready: unknown;
  for (const c of list(at(node, "status", "conditions"))) {
    if (str(at(c, "type")) === "Ready") ready = c;
  }
  const status: string[] = [];
  if (ready === undefined) status.push("Unknown");
  else status.push(str(at(ready, "status")) === "True" ? "Ready" : "NotReady");
  if (bool(at(node, "spec", "unschedulable"))) status.push("SchedulingDisabled");
  return status.join(",");
}

/** `findNodeRoles`: `node-role.kubernetes.io/<role>` keys and `kubernetes.io/role=<role>` values, sorted and deduplicated. */
export function findNodeRoles(labels: unknown): string[] {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(stringMap(labels))) {
    if (key.startsWith(LABEL_NODE_ROLE_PREFIX)) {
      const role = key.slice(LABEL_NODE_ROLE_PREFIX.length);
      if (role !== "") roles.add(role);
    } else if (key === NODE_LABEL_ROLE && value !== "") {
      roles.add(value);
    }
  }
  return [...roles].sort(compareBytes);
}

/** The first address of `type` (InternalIP / ExternalIP), or `<none>`. */
function nodeAddress(node: KubeObject, type: string): string {
  const found = list(at(node, "status", "addresses")).find((a) => str(at(a, "type")) === type);
  return found === undefined ? "<none>" : str(at(found, "address"));
}

/** Server-side printing for Nodes (upstream printNode, wide columns included). */
export const nodePrinter: Printer = {
  columns: NODE_COLUMNS,
  cells(node: KubeObject, now: Date): TableCell[] {
    const info = (field: string): string => str(at(node, "status", "nodeInfo", field));
    return [
      str(node.metadata.name),
      nodeStatus(node),
      findNodeRoles(node.metadata.labels).join(",") || "<none>",
      translateTimestampSince(node.metadata.creationTimestamp, now),
      info("kubeletVersion"),
      nodeAddress(node, "InternalIP"),
      nodeAddress(node, "ExternalIP"),
      info("osImage") || "<unknown>",
      info("kernelVersion") || "<unknown>",
      info("containerRuntimeVersion") || "<unknown>",
    ];
  },
};
