/**
 * `npm start`: runs the control plane locally under `wrangler dev` over https
 * (kubectl sends tokens only over https), with Durable Object, D1 and Queue
 * state persisted in a folder so a restart keeps every object.
 *
 *   npm start -- [--port 8787] [--state .wrangler/state] [--kubeconfig .duraplane/kubeconfig] [--bench-floor]
 *
 * `--bench-floor` turns on `POST /debug/bench-floor/{key}`, the write floor
 * that `bench/writes` measures the create path against.
 */
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { ensureAdminToken, applyMigrations, wranglerEnv, writeKubeconfig, waitUntilReady } from "./local-cluster.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8787" },
    state: { type: "string", default: ".wrangler/state" },
    kubeconfig: { type: "string", default: ".duraplane/kubeconfig" },
    hosts: { type: "string", default: "0" },
    "bench-floor": { type: "boolean", default: false },
  },
  allowPositionals: false,
});

const port = Number(values.port);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`--port must be a TCP port number, got ${values.port}`);
  process.exit(2);
}
const state = values.state;
const server = `https://127.0.0.1:${port}`;

applyMigrations(state);
const token = ensureAdminToken(state);
const kubeconfig = writeKubeconfig(values.kubeconfig, server, token);

const child = spawn(
  "npx",
  ["wrangler", "dev", "--local-protocol", "https", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", state, "--show-interactive-dev-session=false",
    ...(values["bench-floor"] ? ["--var", "BENCH_FLOOR_ENABLED:true"] : [])],
  { stdio: ["ignore", "inherit", "inherit"], env: wranglerEnv(), detached: true },
);

const stop = (signal: NodeJS.Signals): void => {
  if (child.pid) {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  }
};
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
child.on("exit", (code) => process.exit(code ?? 0));

await waitUntilReady(server, token);
console.log(`
duraplane is ready at ${server}
  state:      ${state}
  kubeconfig: ${kubeconfig}

  export KUBECONFIG=${kubeconfig}
  kubectl get namespaces
`);
