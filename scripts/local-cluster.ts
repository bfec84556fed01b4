/**
 * Shared by `npm start`, the end-to-end tests and the benchmarks: D1
 * migrations, the dev admin token and the kubeconfig for a local state folder.
 */
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { Agent, request } from "node:https";

/** Environment for wrangler: offline, no telemetry, no prompts. */
export function wranglerEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_SEND_METRICS: "false",
    CI: "true",
  };
}

function wrangler(args: string[]): string {
  return execFileSync("npx", ["wrangler", ...args], { env: wranglerEnv(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** What the Worker bundle is made of: a change to any of these makes a new bundle. */
const BUNDLE_INPUTS = ["workers", "shared", "wrangler.toml", "package-lock.json", "tsconfig.json"];

function sourcesHash(): string {
  const hash = createHash("sha256");
  for (const input of BUNDLE_INPUTS) {
    const files = statSync(input).isDirectory()
      ? readdirSync(input, { recursive: true, encoding: "utf8" }).map((f) => join(input, f)).filter((f) => statSync(f).isFile()).sort()
      : [input];
    for (const f of files) hash.update(f).update("\0").update(readFileSync(f)).update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

/**
 * Bundles the Worker, as `wrangler deploy` would upload it, into a folder
 * outside the project (one per version of the sources, shared by every
 * server started from them) and returns the bundle's path. `npm start`
 * runs that bundle with `wrangler dev --no-bundle`: `wrangler dev` on the
 * sources keeps esbuild watching every source file, package.json,
 * tsconfig.json and the folders it searched (the project's, its parents',
 * `.wrangler/tmp`), and restarts workerd when any of them changes — also
 * when a file is only touched or a looked-for file appears. A request in
 * flight then fails (POSTs with wrangler's 503 "Your worker restarted
 * mid-request"), which broke the hosts' joins in CI. Nothing writes into the
 * bundle's folder, so the server restarts only when asked to.
 */
export function buildWorker(opts: { cost?: boolean } = {}): string {
  // wrangler (`deploy --dry-run`, and `dev` on the bundle) reads wrangler.toml's [assets] folder, the dashboard's build: make it if it is missing.
  if (!existsSync(join("ui", "dist", "ui", "index.html"))) execFileSync("npx", ["tsx", "scripts/build-ui.ts"], { stdio: "inherit" });
  const dir = join(tmpdir(), `duraplane-worker-${opts.cost ? "cost-" : ""}${sourcesHash()}`);
  const entry = join(dir, "index.js");
  if (existsSync(entry)) return entry;
  const out = mkdtempSync(`${dir}-building-`);
  // A cost build (bench/cost) defines the flag that wires the counters in (workers/cost/flag.ts).
  wrangler(["deploy", "--dry-run", "--outdir", out, ...(opts.cost ? ["--define", "__DURAPLANE_COST__:true"] : [])]);
  try {
    renameSync(out, dir);
  } catch {
    // Another server built the same sources first: use its bundle.
    rmSync(out, { recursive: true, force: true });
  }
  // Bundles of older sources are not needed any more.
  removeOlder(`duraplane-worker-${opts.cost ? "cost-" : ""}`, dir);
  return entry;
}

/**
 * A private copy, under the system's temporary folder, of what `wrangler dev`
 * watches besides the bundle: wrangler.toml (its config watcher) and the
 * dashboard's build, wrangler.toml's `[assets]` folder (its assets watcher
 * reloads the Worker on any event there, even a touched file). Returns the
 * copied config's path, for `wrangler dev --config`. A reload loses what the
 * local Queue holds and answers requests in flight with wrangler's 503 "Your
 * worker restarted mid-request" — so a server runs on copies nobody writes,
 * one per version of the config and the build, shared by every server.
 */
export function devConfig(): string {
  const config = readFileSync("wrangler.toml", "utf8");
  const assetsLine = /^directory = "\.\/ui\/dist"$/m;
  if (!assetsLine.test(config)) throw new Error('wrangler.toml\'s [assets] must say directory = "./ui/dist" (scripts/local-cluster.ts copies that folder)');
  const ui = join("ui", "dist");
  const stamp = readFileSync(join(ui, ".build-stamp"), "utf8").trim();
  const hash = createHash("sha256").update(config).update("\0").update(stamp).digest("hex").slice(0, 16);
  const dir = join(tmpdir(), `duraplane-devconfig-${hash}`);
  const file = join(dir, "wrangler.toml");
  if (!existsSync(file)) {
    const out = mkdtempSync(`${dir}-building-`);
    cpSync(ui, join(out, "assets"), { recursive: true });
    // `main` is the bundle given on the command line; the assets are the copy beside this config.
    const copied = config.replace(/^main = .*$/m, "").replace(assetsLine, `directory = ${JSON.stringify(join(dir, "assets"))}`);
    writeFileSync(join(out, "wrangler.toml"), copied);
    try {
      renameSync(out, dir);
    } catch {
      // Another server made the same copy first: use its.
      rmSync(out, { recursive: true, force: true });
    }
  }
  removeOlder("duraplane-devconfig-", dir);
  return file;
}

/**
 * Removes the folders named `prefix…` in the temporary folder, except `keep`,
 * made over a day ago: what servers of older sources used. A day, not less,
 * because a server still running on one would lose it.
 */
function removeOlder(prefix: string, keep: string): void {
  for (const name of readdirSync(tmpdir())) {
    const old = join(tmpdir(), name);
    if (name.startsWith(prefix) && old !== keep && Date.now() - statSync(old).mtimeMs > 86_400_000) rmSync(old, { recursive: true, force: true });
  }
}

/** Applies the D1 migrations to the local database in `state`. */
export function applyMigrations(state: string): void {
  mkdirSync(state, { recursive: true });
  wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", state]);
}

/** Returns the dev admin token of `state`, creating it (and its D1 row) if none exists. */
export function ensureAdminToken(state: string): string {
  const file = resolve(state, "dev-admin-token");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const token = randomBytes(32).toString("base64url");
  const hash = createHash("sha256").update(token).digest("hex");
  const id = randomBytes(16).toString("hex");
  const sql =
    "INSERT INTO tokens (id, token_hash, username, groups, created_at) VALUES " +
    `('${id}', '${hash}', 'admin', '["system:masters","system:authenticated"]', ${Date.now()});`;
  wrangler(["d1", "execute", "DB", "--local", "--persist-to", state, "--command", sql]);
  writeFileSync(file, token, { mode: 0o600 });
  return token;
}

/**
 * Returns the path of `state`'s env file holding SECRETS_KEY (the key that
 * encrypts webhook signing secrets in D1), creating a random key on first
 * use. It lives beside the D1 data it unlocks; `wrangler dev --env-file`
 * hands it to the Worker as a secret.
 */
export function ensureSecretsKey(state: string): string {
  const file = resolve(state, "secrets.env");
  if (!existsSync(file)) {
    mkdirSync(state, { recursive: true });
    writeFileSync(file, `SECRETS_KEY=${randomBytes(32).toString("base64")}\n`, { mode: 0o600 });
  }
  return file;
}

/** Writes a kubeconfig for the local server and returns its absolute path. */
export function writeKubeconfig(path: string, server: string, token: string): string {
  const file = resolve(path);
  mkdirSync(dirname(file), { recursive: true });
  const yaml = `apiVersion: v1
kind: Config
clusters:
- name: duraplane
  cluster:
    server: ${server}
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
    token: ${token}
contexts:
- name: duraplane
  context:
    cluster: duraplane
    user: admin
    namespace: default
current-context: duraplane
`;
  writeFileSync(file, yaml, { mode: 0o600 });
  return file;
}

const insecure = new Agent({ rejectUnauthorized: false, keepAlive: false });

function probe(url: string, token: string): Promise<number> {
  return new Promise((done) => {
    const req = request(url, { agent: insecure, headers: { authorization: `Bearer ${token}` }, timeout: 2000 }, (res) => {
      res.resume();
      done(res.statusCode ?? 0);
    });
    req.on("error", () => done(0));
    req.on("timeout", () => {
      req.destroy();
      done(0);
    });
    req.end();
  });
}

/** Waits until the server answers an authenticated request (which also creates the built-in namespaces). */
export async function waitUntilReady(server: string, token: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await probe(`${server}/api/v1/namespaces/default`, token)) === 200) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`the control plane at ${server} did not become ready within ${timeoutMs} ms`);
}
