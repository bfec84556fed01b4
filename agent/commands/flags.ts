/**
 * @module
 * Checked conversions of command-line values (node:util parseArgs yields
 * strings), and the connection settings several commands share.
 */
import { existsSync } from "node:fs";
import { readKubeconfig } from "../kubeconfig.ts";

/** A usage mistake: printed without a stack, exit code 2. */
export class UsageError extends Error {}

/** An integer flag within [min, max]. */
export function intFlag(name: string, value: string | undefined, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${value}"`);
  return n;
}

/** A probability flag, 0–1. */
export function rateFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`--${name} must be a number from 0 to 1, got "${value}"`);
  return n;
}

/** `k=v` pairs into a map. */
export function labelsFlag(values: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of values ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--label takes key=value, got "${pair}"`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** Whether a server URL points at this machine (the local dev server's certificate is self-signed). */
export function isLoopback(server: string): boolean {
  const host = new URL(server).hostname;
  return host === "localhost" || host === "[::1]" || host === "::1" || /^127\./.test(host);
}

/** Where `npm start` writes its admin kubeconfig. */
export const DEV_KUBECONFIG = ".duraplane/kubeconfig";

/** Server and admin token: from --server/--token, else a kubeconfig (--kubeconfig, $KUBECONFIG, then .duraplane/kubeconfig). */
export function adminConnection(values: { server?: string; token?: string; kubeconfig?: string; insecure?: boolean }): {
  server: string; token: string; insecureSkipTLSVerify: boolean;
} {
  if (values.server) {
    if (!values.token) throw new UsageError("--server needs --token (an admin token), or use --kubeconfig");
    return { server: values.server, token: values.token, insecureSkipTLSVerify: values.insecure ?? isLoopback(values.server) };
  }
  const file = values.kubeconfig ?? process.env.KUBECONFIG?.split(":")[0] ?? (existsSync(DEV_KUBECONFIG) ? DEV_KUBECONFIG : undefined);
  if (!file) throw new UsageError("say where the control plane is: --server URL --token TOKEN, or --kubeconfig PATH");
  const kc = readKubeconfig(file);
  const token = values.token ?? kc.token;
  if (!token) throw new UsageError(`${file} has no bearer token for its current context; pass --token`);
  return { server: kc.server, token, insecureSkipTLSVerify: values.insecure ?? kc.insecureSkipTLSVerify };
}
