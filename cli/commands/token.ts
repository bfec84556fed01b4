/**
 * @module
 * `duraplane token create|list|revoke`: an admin manages static user tokens
 * through the user API (shared/users/tokens.ts). `create` prints only the
 * token on stdout, so `TOKEN=$(npx duraplane token create …)` captures it;
 * everything else it says goes to stderr.
 */
import { parseArgs } from "node:util";
import { type CreatedUserToken, type UserToken, type UserTokenList, type UserTokenRequest, USERS_API_PREFIX } from "../../shared/users/tokens.ts";
import { call, type Connection, describeFailure } from "../client.ts";
import { CONNECTION_OPTIONS, CONNECTION_USAGE, resolveConnection } from "../connection.ts";
import { formatTable } from "../table.ts";
import { UsageError } from "../usage-error.ts";

/** Usage of this command. */
export const TOKEN_USAGE = `duraplane token create --user NAME [--group GROUP]... [--ttl DURATION] [--kubeconfig-snippet]
  Mints a bearer token for a user (admins only) and prints it once: only the token, on stdout.
  --ttl is a Go duration (90m, 24h, 168h; there is no d unit); without it the token never expires.
  --kubeconfig-snippet also prints, on stderr, the kubectl commands that add the user to your kubeconfig.
duraplane token list [-o table|json]
  Lists user tokens: id, user, groups, created, expires, revoked (never the tokens).
duraplane token revoke ID...
  Revokes user tokens by id: they stop working at once (within seconds on every server).
  Node tokens are revoked with the host API (POST /apis/hosts.duraplane.io/v1/nodes/NAME/revoke).
${CONNECTION_USAGE}`;

const TOKENS_PATH = `${USERS_API_PREFIX}/tokens`;

/** A shell word, quoted only when it needs to be. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

async function create(conn: Connection, request: UserTokenRequest, snippet: { want: boolean; cluster?: string }): Promise<number> {
  const answer = await call(conn, "POST", TOKENS_PATH, request);
  if (answer.status !== 201) {
    process.stderr.write(`${describeFailure(answer)}\n`);
    return 1;
  }
  const created = answer.body as CreatedUserToken;
  process.stdout.write(`${created.token}\n`);
  const groups = created.groups.length > 0 ? `groups ${created.groups.join(", ")}` : "no groups";
  process.stderr.write(`token ${created.id} for user "${created.user}" (${groups}) ${created.expiresAt ? `expires ${created.expiresAt}` : "never expires"}; it is shown only this once\n`);
  if (snippet.want) {
    const cluster = snippet.cluster ?? "CLUSTER";
    process.stderr.write(`# add the user to a kubeconfig:\n` +
      `kubectl config set-credentials ${shellWord(created.user)} --token=${created.token}\n` +
      `kubectl config set-context ${shellWord(`${created.user}@${cluster}`)} --cluster=${shellWord(cluster)} --user=${shellWord(created.user)}\n`);
  }
  return 0;
}

async function list(conn: Connection, output: string): Promise<number> {
  const answer = await call(conn, "GET", TOKENS_PATH);
  if (answer.status !== 200) {
    process.stderr.write(`${describeFailure(answer)}\n`);
    return 1;
  }
  const items = (answer.body as UserTokenList).items;
  if (output === "json") {
    process.stdout.write(`${JSON.stringify(answer.body, null, 2)}\n`);
    return 0;
  }
  if (items.length === 0) {
    process.stderr.write("No user tokens found.\n");
    return 0;
  }
  const row = (t: UserToken): string[] => [
    t.id, t.user, t.groups.length > 0 ? t.groups.join(",") : "<none>", t.createdAt, t.expiresAt ?? "<never>", t.revokedAt ?? "<none>",
  ];
  process.stdout.write(formatTable(["ID", "USER", "GROUPS", "CREATED", "EXPIRES", "REVOKED"], items.map(row)));
  return 0;
}

async function revoke(conn: Connection, ids: readonly string[]): Promise<number> {
  let code = 0;
  for (const id of ids) {
    const answer = await call(conn, "POST", `${TOKENS_PATH}/${encodeURIComponent(id)}/revoke`);
    if (answer.status === 200) {
      const message = (answer.body as { message?: unknown }).message;
      process.stdout.write(`${typeof message === "string" ? message : `revoked token "${id}"`}\n`);
    } else {
      process.stderr.write(`${describeFailure(answer)}\n`);
      code = 1;
    }
  }
  return code;
}

/** Runs `token <sub>`; resolves with the exit code. */
export async function tokenCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: {
      ...CONNECTION_OPTIONS,
      user: { type: "string" }, group: { type: "string", multiple: true }, ttl: { type: "string" },
      "kubeconfig-snippet": { type: "boolean" }, output: { type: "string", short: "o" },
    },
  });
  const [sub, ...rest] = positionals;
  const onlyFor = (flags: readonly (keyof typeof values)[], command: string): void => {
    const stray = flags.find((f) => values[f] !== undefined);
    if (stray) throw new UsageError(`--${stray} is not a flag of "token ${command}"`);
  };
  switch (sub) {
    case "create": {
      onlyFor(["output"], sub);
      if (rest.length > 0) throw new UsageError(`"token create" takes no arguments (got ${rest.join(" ")}); name the user with --user`);
      if (values.user === undefined) throw new UsageError('"token create" needs --user NAME');
      const { conn, clusterName } = resolveConnection(values);
      const request: UserTokenRequest = { user: values.user, groups: values.group ?? [], ...(values.ttl !== undefined ? { ttl: values.ttl } : {}) };
      return create(conn, request, { want: values["kubeconfig-snippet"] ?? false, ...(clusterName ? { cluster: clusterName } : {}) });
    }
    case "list": {
      onlyFor(["user", "group", "ttl", "kubeconfig-snippet"], sub);
      if (rest.length > 0) throw new UsageError(`"token list" takes no arguments (got ${rest.join(" ")})`);
      const output = values.output ?? "table";
      if (output !== "table" && output !== "json") throw new UsageError(`-o must be table or json, got "${output}"`);
      return list(resolveConnection(values).conn, output);
    }
    case "revoke":
      onlyFor(["user", "group", "ttl", "kubeconfig-snippet", "output"], sub);
      if (rest.length === 0) throw new UsageError('"token revoke" needs the id of a token (see "token list")');
      return revoke(resolveConnection(values).conn, rest);
    default:
      throw new UsageError(sub === undefined ? "token needs a subcommand: create, list or revoke" : `unknown subcommand "token ${sub}": use create, list or revoke`);
  }
}
