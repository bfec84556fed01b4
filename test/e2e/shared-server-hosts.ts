/**
 * Hosts that an e2e file brings to the server every e2e file shares.
 *
 * Files after it expect a cluster without Nodes: the scheduler binds nothing
 * then, and their tests write pods' and VMIs' status themselves. A Node left
 * behind (its agent stopped) would take their pods and never run them, so a
 * file that joins hosts must also take them away, even when its tests fail.
 */
import { type LocalHost, stopHosts } from "../../scripts/local-hosts.ts";
import { kubectl } from "./kubectl.ts";

/** Deletes the file's namespace, stops its agents and deletes their Nodes. */
export async function releaseHosts(kubeconfig: string, namespace: string, hosts: readonly LocalHost[], nodes: readonly string[]): Promise<void> {
  kubectl(kubeconfig, ["delete", "namespace", namespace, "--wait=false", "--ignore-not-found"]);
  await stopHosts(hosts);
  kubectl(kubeconfig, ["delete", "node", ...nodes, "--wait=false", "--ignore-not-found"]);
}
