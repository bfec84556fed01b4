/**
 * @module
 * Reads the server, bearer token and TLS setting of a kubeconfig's current
 * context — enough for `token create` to use the admin kubeconfig that
 * `npm start` writes (.duraplane/kubeconfig).
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { isRecord, str } from "./objects.ts";

/** The connection a kubeconfig describes. */
export interface KubeconfigConnection {
  server: string;
  token?: string;
  insecureSkipTLSVerify: boolean;
}

function named(list: unknown, name: string | undefined): Record<string, unknown> | undefined {
  if (!Array.isArray(list)) return undefined;
  const found = list.filter(isRecord).find((entry) => name === undefined || entry.name === name);
  return found;
}

/** Reads `file`; throws when it has no usable current context. */
export function readKubeconfig(file: string): KubeconfigConnection {
  const doc: unknown = parse(readFileSync(file, "utf8"));
  if (!isRecord(doc)) throw new Error(`${file} is not a kubeconfig`);
  const contextName = str(doc["current-context"]);
  const context = named(doc.contexts, contextName)?.context;
  const ctx = isRecord(context) ? context : {};
  const cluster = named(doc.clusters, str(ctx.cluster))?.cluster;
  const user = named(doc.users, str(ctx.user))?.user;
  if (!isRecord(cluster) || !str(cluster.server)) throw new Error(`${file}: the current context has no cluster server`);
  return {
    server: str(cluster.server) ?? "",
    token: isRecord(user) ? str(user.token) : undefined,
    insecureSkipTLSVerify: cluster["insecure-skip-tls-verify"] === true,
  };
}
