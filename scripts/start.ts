/**
 * `npm start`: runs the control plane locally under `wrangler dev` over https
 * (kubectl sends tokens only over https), with Durable Object, D1 and Queue
 * state persisted in a folder so a restart keeps every object.
 *
 *   npm start -- [--port 8787] [--state .wrangler/state] [--kubeconfig .duraplane/kubeconfig] [--hosts 3]
 *                [--node-monitor-grace-period 40] [--pod-eviction-timeout 300] [--bench-floor]
 *
 * `--hosts N` also starts N simulated hosts (duraplane-agent processes named
 * host-1…host-N, joined on first start; `--hosts 0` for none), so a VM created
 * with kubectl really boots and reports Running.
 *
 * `--bench-floor` turns on `POST /debug/bench-floor/{key}`, the write floor
 * that `bench/writes` measures the create path against.
 */
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { type LocalHost, startHosts, stopHosts } from "./local-hosts.ts";
import { ensureAdminToken, ensureSecretsKey, applyMigrations, wranglerEnv, writeKubeconfig, waitUntilReady } from "./local-cluster.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8787" },
    state: { type: "string", default: ".wrangler/state" },
    kubeconfig: { type: "string", default: ".duraplane/kubeconfig" },
    hosts: { type: "string", default: "3" },
    "bench-floor": { type: "boolean", default: false },
    "node-monitor-grace-period": { type: "string" },
    "pod-eviction-timeout": { type: "string" },
  },
  allowPositionals: false,
});

const port = Number(values.port);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`--port must be a TCP port number, got ${values.port}`);
  process.exit(2);
}
const state = values.state;
const hostCount = Number(values.hosts);
if (!Number.isInteger(hostCount) || hostCount < 0 || hostCount > 100) {
  console.error(`--hosts must be a whole number from 0 to 100, got ${values.hosts}`);
  process.exit(2);
}

/** Node lifecycle timing (seconds), passed to the Worker as vars; wrangler.toml holds the defaults. */
const lifecycleVars: string[] = [];
for (const [flag, name] of [["node-monitor-grace-period", "NODE_MONITOR_GRACE_PERIOD_SECONDS"], ["pod-eviction-timeout", "POD_EVICTION_TIMEOUT_SECONDS"]] as const) {
  const raw = values[flag];
  if (raw === undefined) continue;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    console.error(`--${flag} must be a whole number of seconds ≥ 1, got ${raw}`);
    process.exit(2);
  }
  lifecycleVars.push("--var", `${name}:${raw}`);
}
const server = `https://127.0.0.1:${port}`;

applyMigrations(state);
const token = ensureAdminToken(state);
const secretsEnv = ensureSecretsKey(state);
const kubeconfig = writeKubeconfig(values.kubeconfig, server, token);

const child = spawn(
  "npx",
  ["wrangler", "dev", "--local-protocol", "https", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", state, "--env-file", secretsEnv, "--show-interactive-dev-session=false",
    ...(values["bench-floor"] ? ["--var", "BENCH_FLOOR_ENABLED:true"] : []), ...lifecycleVars],
  { stdio: ["ignore", "inherit", "inherit"], env: wranglerEnv(), detached: true },
);

let hosts: LocalHost[] = [];
const stop = (signal: NodeJS.Signals): void => {
  for (const h of hosts) h.process.kill(signal);
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
child.on("exit", (code) => {
  void stopHosts(hosts).then(() => process.exit(code ?? 0));
});

await waitUntilReady(server, token);
try {
  // Simulated hosts advertise a typical host's size, not this machine's.
  hosts = await startHosts(server, token, state, hostCount, { joinArgs: ["--cpu", "8", "--memory", "32Gi", "--pods", "110"] });
} catch (err) {
  console.error(`starting the simulated hosts failed: ${err instanceof Error ? err.message : String(err)}`);
  stop("SIGTERM");
}
console.log(`
duraplane is ready at ${server}
  state:      ${state}
  kubeconfig: ${kubeconfig}
  hosts:      ${hosts.length === 0 ? "none (--hosts 0)" : `${hosts.map((h) => h.name).join(", ")} (simulated; logs in ${state}/hosts/<name>/agent.log)`}

  export KUBECONFIG=${kubeconfig}
  kubectl get namespaces
`);
