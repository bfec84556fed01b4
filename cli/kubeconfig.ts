/**
 * @module
 * Where the control plane is and who we are, read from kubeconfig files the
 * way kubectl reads them: `--kubeconfig FILE` alone, else the files of
 * $KUBECONFIG merged (the first file to set a value wins, missing files are
 * skipped), else ~/.kube/config — and, past kubectl's rules, the admin
 * kubeconfig `npm start` writes (.duraplane/kubeconfig) when none of those
 * exists. Paths inside a file are relative to that file.
 * @see https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/#merging-kubeconfig-files
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { parse } from "yaml";

/** What a context of a kubeconfig says about reaching its cluster. */
export interface KubeconfigConnection {
  /** Where it was read from (for messages). */
  source: string;
  context: string;
  clusterName: string;
  server: string;
  token?: string;
  /** PEM certificate authorities to trust. */
  ca?: string;
  insecureSkipTLSVerify: boolean;
  tlsServerName?: string;
}

/** Where `npm start` writes its admin kubeconfig. */
export const DEV_KUBECONFIG = ".duraplane/kubeconfig";

type Entry = { value: Record<string, unknown>; dir: string };

/** The merged view of one or more files: named entries keep the first definition and the file it came from. */
interface Merged {
  currentContext?: string;
  clusters: Map<string, Entry>;
  users: Map<string, Entry>;
  contexts: Map<string, Entry>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** The files to read, in kubectl's order of precedence. */
export function kubeconfigFiles(flag: string | undefined, env = process.env): string[] {
  if (flag) return [flag];
  const fromEnv = (env.KUBECONFIG ?? "").split(delimiter).filter((f) => f !== "");
  if (fromEnv.length > 0) return fromEnv.filter((f) => existsSync(f));
  const home = join(env.HOME ?? homedir(), ".kube", "config");
  if (existsSync(home)) return [home];
  return existsSync(DEV_KUBECONFIG) ? [DEV_KUBECONFIG] : [];
}

function merge(files: readonly string[]): Merged {
  const merged: Merged = { clusters: new Map(), users: new Map(), contexts: new Map() };
  for (const file of files) {
    const doc: unknown = parse(readFileSync(file, "utf8"));
    if (doc === null || doc === undefined) continue;
    if (!isRecord(doc)) throw new Error(`${file} is not a kubeconfig`);
    merged.currentContext ??= text(doc["current-context"]);
    const dir = dirname(resolve(file));
    for (const [key, into] of [["clusters", merged.clusters], ["users", merged.users], ["contexts", merged.contexts]] as const) {
      const list = doc[key];
      if (!Array.isArray(list)) continue;
      const field = key === "clusters" ? "cluster" : key === "users" ? "user" : "context";
      for (const item of list) {
        const name = isRecord(item) ? text(item.name) : undefined;
        const value = isRecord(item) ? item[field] : undefined;
        if (name && isRecord(value) && !into.has(name)) into.set(name, { value, dir });
      }
    }
  }
  return merged;
}

/** Reads the named context (default: the current one) of the kubeconfig `flag` or the environment points at. */
export function loadKubeconfig(flag: string | undefined, contextFlag?: string, env = process.env): KubeconfigConnection {
  if (flag && !existsSync(flag)) throw new Error(`the kubeconfig ${flag} does not exist`);
  const files = kubeconfigFiles(flag, env);
  if (files.length === 0) throw new Error("no kubeconfig found: pass --kubeconfig FILE, set KUBECONFIG, or pass --server and --token");
  const source = files.join(delimiter);
  const merged = merge(files);
  const contextName = contextFlag ?? merged.currentContext;
  if (!contextName) throw new Error(`${source}: no current-context is set; pass --context NAME`);
  const context = merged.contexts.get(contextName)?.value;
  if (!context) throw new Error(`${source}: context "${contextName}" not found`);
  const clusterName = text(context.cluster) ?? "";
  const cluster = merged.clusters.get(clusterName);
  const server = text(cluster?.value.server);
  if (!cluster || !server) throw new Error(`${source}: context "${contextName}" has no cluster with a server`);
  const user = merged.users.get(text(context.user) ?? "");
  const tokenFile = text(user?.value.tokenFile);
  const token = text(user?.value.token) ?? (tokenFile && user ? readFileSync(resolve(user.dir, tokenFile), "utf8").trim() : undefined);
  const caFile = text(cluster.value["certificate-authority"]);
  const caData = text(cluster.value["certificate-authority-data"]);
  const ca = caData ? Buffer.from(caData, "base64").toString("utf8") : caFile ? readFileSync(resolve(cluster.dir, caFile), "utf8") : undefined;
  const tlsServerName = text(cluster.value["tls-server-name"]);
  return {
    source, context: contextName, clusterName, server,
    ...(token ? { token } : {}), ...(ca ? { ca } : {}), ...(tlsServerName ? { tlsServerName } : {}),
    insecureSkipTLSVerify: cluster.value["insecure-skip-tls-verify"] === true,
  };
}
