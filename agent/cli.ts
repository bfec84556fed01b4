/**
 * @module
 * `duraplane-agent <command>`: the host agent's command line.
 *   token create   mint a join token (admin)
 *   join           exchange a join token for this host's credentials
 *   run            run the agent loop
 *   rotate         rotate the webhook signing secret
 */
import { joinCommand, JOIN_USAGE } from "./commands/join.ts";
import { rotateCommand, ROTATE_USAGE } from "./commands/rotate.ts";
import { runCommand, RUN_USAGE } from "./commands/run.ts";
import { tokenCommand, TOKEN_USAGE } from "./commands/token.ts";
import { UsageError } from "./commands/flags.ts";
import { errorMessage } from "./log.ts";
import { AGENT_VERSION } from "./version.ts";

const USAGE = `duraplane-agent ${AGENT_VERSION}: the duraplane host agent

${TOKEN_USAGE}

${JOIN_USAGE}

${RUN_USAGE}

${ROTATE_USAGE}
`;

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  token: tokenCommand,
  join: joinCommand,
  run: runCommand,
  rotate: rotateCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "version" || name === "--version") {
    process.stdout.write(`${AGENT_VERSION}\n`);
    return 0;
  }
  const command = name ? COMMANDS[name] : undefined;
  if (!command || rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(USAGE);
    return command || name === "help" || name === "--help" || name === "-h" ? 0 : 2;
  }
  try {
    return await command(rest);
  } catch (err) {
    // parseArgs reports unknown or malformed options with this code.
    const usage = err instanceof UsageError || (err instanceof Error && "code" in err && String(err.code).startsWith("ERR_PARSE_ARGS"));
    process.stderr.write(`duraplane-agent ${name}: ${errorMessage(err)}\n`);
    return usage ? 2 : 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
