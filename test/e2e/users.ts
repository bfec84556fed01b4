/**
 * Kubeconfigs for users other than the admin: a static token minted through
 * the admin API of the shared local server, written beside a copy of the
 * admin's kubeconfig with that token in place of the admin's.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { tempDir } from "./temp-dir.ts";

interface Server { url: string; kubeconfig: string; token: string }

/** A kubeconfig that authenticates as `user` in `groups`. */
export async function kubeconfigFor(server: Server, user: string, groups: string[] = []): Promise<string> {
  const payload = JSON.stringify({ user, groups });
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    // The local server's certificate is self-signed; this is loopback only.
    const req = request(`${server.url}/apis/users.duraplane.io/v1/tokens`, {
      method: "POST", rejectUnauthorized: false,
      headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json", "content-length": Buffer.byteLength(payload) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(payload);
  });
  const body = JSON.parse(text) as { token?: string };
  if (status !== 201 || !body.token) throw new Error(`minting a token for ${user}: ${status} ${text}`);
  return kubeconfigWithToken(server, body.token);
}

/** A copy of the admin's kubeconfig that sends `token` instead. */
export function kubeconfigWithToken(server: Server, token: string): string {
  const file = join(tempDir("duraplane-user-"), "kubeconfig");
  writeFileSync(file, readFileSync(server.kubeconfig, "utf8").split(server.token).join(token));
  return file;
}
