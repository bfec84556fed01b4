/**
 * @module
 * `duraplane-agent rotate`: rotates the node's webhook signing secret now
 * (rotation.ts); a running agent picks the new file up at its next report
 * and signs with both secrets during the overlap.
 */
import { parseArgs } from "node:util";
import { credentialsPath, readCredentials } from "../config.ts";
import { rotateSigningSecret } from "../rotation.ts";
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
  if (!readCredentials(state)) throw new UsageError(`no credentials in ${credentialsPath(state)}: join first`);
  const result = await rotateSigningSecret(state);
  if (!result.ok) {
    process.stderr.write(`rotating the signing secret failed: ${result.error}\n`);
    return 1;
  }
  const until = result.previousValidUntil;
  process.stdout.write(`rotated the signing secret of node ${result.nodeName}${until ? `; the previous one is valid until ${until}` : ""}\n`);
  return 0;
}
