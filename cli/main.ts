/**
 * @module
 * `duraplane <command>`: the admin's command line for the control plane.
 *   token create|list|revoke   static user tokens
 */
import { tokenCommand, TOKEN_USAGE } from "./commands/token.ts";
import { UsageError } from "./usage-error.ts";

const USAGE = `duraplane: manage a duraplane control plane

${TOKEN_USAGE}
`;

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = { token: tokenCommand };

/** A hint for the usual failure against the local dev server. */
function explain(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = err instanceof Error && "code" in err ? String(err.code) : "";
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) {
    return `${message} (the server's certificate is not trusted: set the kubeconfig's certificate-authority, or --insecure-skip-tls-verify for a local server)`;
  }
  return message;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command || rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(USAGE);
    return command || name === "help" || name === "--help" || name === "-h" ? 0 : 2;
  }
  try {
    return await command(rest);
  } catch (err) {
    // node:util parseArgs reports unknown or malformed flags with ERR_PARSE_ARGS_* codes.
    const usage = err instanceof UsageError || (err instanceof Error && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS"));
    process.stderr.write(`error: ${explain(err)}${usage ? `\nSee "duraplane ${name} --help".` : ""}\n`);
    return usage ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
