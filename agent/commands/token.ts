/**
 * @module
 * `duraplane-agent token create`: an admin mints a join token
 * (POST {HOSTS_API_PREFIX}/jointokens) and the command prints it.
 */
import { parseArgs } from "node:util";
import { HOSTS_API_PREFIX } from "../../shared/hosts/constants.ts";
import type { JoinTokenRequest } from "../../shared/hosts/join.ts";
import { describeError, HttpClient, parseJson } from "../http.ts";
import { isRecord } from "../objects.ts";
import { adminConnection, intFlag, UsageError } from "./flags.ts";

/** Usage of this command. */
export const TOKEN_USAGE = `duraplane-agent token create [--server URL --token ADMIN_TOKEN | --kubeconfig PATH]
    [--ttl SECONDS] [--description TEXT] [--insecure-skip-tls-verify]
  Prints a join token for one host. Without --server, the server and token come from
  --kubeconfig, $KUBECONFIG or .duraplane/kubeconfig (written by npm start).`;

/** Runs `token <sub>`; resolves with the exit code. */
export async function tokenCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true, allowNegative: true,
    options: {
      server: { type: "string" }, token: { type: "string" }, kubeconfig: { type: "string" },
      ttl: { type: "string" }, description: { type: "string" }, "insecure-skip-tls-verify": { type: "boolean" },
    },
  });
  if (positionals[0] !== "create" || positionals.length !== 1) throw new UsageError(TOKEN_USAGE);
  const conn = adminConnection({ ...values, insecure: values["insecure-skip-tls-verify"] });
  const request: JoinTokenRequest = {
    ttlSeconds: intFlag("ttl", values.ttl, 3600, 1, 7 * 24 * 3600),
    ...(values.description ? { description: values.description } : {}),
  };
  const http = new HttpClient(conn);
  try {
    // A retry after a lost answer mints another token; the unseen one is never used and expires (--ttl).
    const res = await http.requestWithRetry("POST", `${HOSTS_API_PREFIX}/jointokens`, { body: JSON.stringify(request) }, { deadlineMs: 60_000 });
    const body = parseJson(res.text);
    if (res.status !== 201 && res.status !== 200) {
      process.stderr.write(`creating a join token failed: ${describeError(res)}\n`);
      return 1;
    }
    if (!isRecord(body) || typeof body.token !== "string") throw new Error("the server's answer carries no token");
    process.stdout.write(`${body.token}\n`);
    if (typeof body.expiresAt === "string") process.stderr.write(`expires ${body.expiresAt}\n`);
    return 0;
  } finally {
    http.close();
  }
}
