/**
 * Kubeconfigs for users other than the admin: a static token minted through
 * the admin API of the shared local server, written beside a copy of the
 * admin's kubeconfig with that token in place of the admin's.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./temp-dir.ts";

interface Server { url: string; kubeconfig: string; token: string }

/** A kubeconfig that authenticates as `user` in `groups`. */
export async function kubeconfigFor(server: Server, user: string, groups: string[] = []): Promise<string> {
  const res = await fetch(`${server.url}/apis/users.duraplane.io/v1/tokens`, {
    method: "POST",
    headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" },
    body: JSON.stringify({ user, groups }),
  });
  const body = (await res.json()) as { token?: string };
  if (res.status !== 201 || !body.token) throw new Error(`minting a token for ${user}: ${res.status} ${JSON.stringify(body)}`);
  return kubeconfigWithToken(server, body.token);
}

/** A copy of the admin's kubeconfig that sends `token` instead. */
export function kubeconfigWithToken(server: Server, token: string): string {
  const file = join(tempDir("duraplane-user-"), "kubeconfig");
  writeFileSync(file, readFileSync(server.kubeconfig, "utf8").split(server.token).join(token));
  return file;
}
