/**
 * @module
 * The connection flags every command shares, kubectl's names and meanings:
 * --kubeconfig, --context, and --server / --token /
 * --insecure-skip-tls-verify / --certificate-authority overriding what the
 * kubeconfig says (with --server and --token no kubeconfig is needed).
 */
import { readFileSync } from "node:fs";
import type { Connection } from "./client.ts";
import { loadKubeconfig } from "./kubeconfig.ts";
import { UsageError } from "./usage-error.ts";

/** node:util parseArgs options for the connection flags. */
export const CONNECTION_OPTIONS = {
  kubeconfig: { type: "string" },
  context: { type: "string" },
  server: { type: "string", short: "s" },
  token: { type: "string" },
  "insecure-skip-tls-verify": { type: "boolean" },
  "certificate-authority": { type: "string" },
} as const;

/** Their help text. */
export const CONNECTION_USAGE = `Connection (as kubectl): --kubeconfig FILE (else $KUBECONFIG, else ~/.kube/config, else .duraplane/kubeconfig),
  --context NAME, --server URL, --token TOKEN, --insecure-skip-tls-verify, --certificate-authority FILE`;

/** The parsed connection flags. */
export interface ConnectionFlags {
  kubeconfig?: string;
  context?: string;
  server?: string;
  token?: string;
  "insecure-skip-tls-verify"?: boolean;
  "certificate-authority"?: string;
}

/** The connection, and the kubeconfig's cluster name when one was read. */
export function resolveConnection(flags: ConnectionFlags): { conn: Connection; clusterName?: string } {
  const standalone = flags.server !== undefined && flags.token !== undefined && flags.kubeconfig === undefined && flags.context === undefined;
  let kc: ReturnType<typeof loadKubeconfig> | undefined;
  try {
    kc = loadKubeconfig(flags.kubeconfig, flags.context);
  } catch (err) {
    // --server and --token are enough on their own; without them the kubeconfig's problem is the message.
    if (!standalone) throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const server = flags.server ?? kc?.server;
  const token = flags.token ?? kc?.token;
  if (!server) throw new UsageError("no server: pass --server URL or a kubeconfig");
  if (!token) throw new UsageError(`${kc ? `the context "${kc.context}" of ${kc.source} has` : "there is"} no bearer token: pass --token TOKEN`);
  const caFile = flags["certificate-authority"];
  const ca = caFile ? readFileSync(caFile, "utf8") : kc?.ca;
  const conn: Connection = {
    server, token,
    insecureSkipTLSVerify: flags["insecure-skip-tls-verify"] ?? (caFile ? false : kc?.insecureSkipTLSVerify ?? false),
    ...(ca ? { ca } : {}), ...(kc?.tlsServerName ? { tlsServerName: kc.tlsServerName } : {}),
  };
  return { conn, ...(kc ? { clusterName: kc.clusterName } : {}) };
}
