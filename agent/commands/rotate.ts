/**
 * @module
 * `duraplane-agent rotate`: asks for a new webhook signing secret
 * (POST {HOSTS_API_PREFIX}/nodes/{name}/rotate, with the node's own token)
 * and puts it first in the credentials file, keeping the previous one, which
 * the server accepts until previousValidUntil. A running agent picks the new
 * file up at its next report and signs with both.
 */
import { parseArgs } from "node:util";
import { HOSTS_API_PREFIX } from "../../shared/hosts/constants.ts";
import { credentialsPath, readCredentials, writeCredentials } from "../config.ts";
import { describeError, HttpClient, parseJson } from "../http.ts";
import { isRecord, str } from "../objects.ts";
import { defaultStateDir } from "./join.ts";
import { UsageError } from "./flags.ts";

/** Usage of this command. */
export const ROTATE_USAGE = `duraplane-agent rotate (--state DIR | --name NODE)
  Rotates the node's webhook signing secret; the previous one is kept for the overlap window.`;

/** Runs `rotate`; resolves with the exit code. */
export async function rotateCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { state: { type: "string" }, name: { type: "string" } } });
  const state = values.state ?? (values.name ? defaultStateDir(values.name) : undefined);
  if (!state) throw new UsageError(ROTATE_USAGE);
  const creds = readCredentials(state);
  if (!creds) throw new UsageError(`no credentials in ${credentialsPath(state)}: join first`);
  const http = new HttpClient({ server: creds.server, token: creds.token, insecureSkipTLSVerify: creds.insecureSkipTLSVerify });
  try {
    const res = await http.request("POST", `${HOSTS_API_PREFIX}/nodes/${encodeURIComponent(creds.nodeName)}/rotate`, { body: "{}" });
    const body = parseJson(res.text);
    const secret = isRecord(body) ? str(body.signingSecret) : undefined;
    if (res.status !== 200 || !secret) {
      process.stderr.write(`rotating the signing secret failed: ${describeError(res)}\n`);
      return 1;
    }
    // Only the newest and the previous secret can be valid at once.
    writeCredentials(state, { ...creds, signingSecrets: [secret, ...creds.signingSecrets.filter((s) => s !== secret)].slice(0, 2) });
    const until = isRecord(body) ? str(body.previousValidUntil) : undefined;
    process.stdout.write(`rotated the signing secret of node ${creds.nodeName}${until ? `; the previous one is valid until ${until}` : ""}\n`);
    return 0;
  } finally {
    http.close();
  }
}
