/**
 * `npm start`: runs the control plane locally under `wrangler dev` over https
 * (kubectl sends tokens only over https), with Durable Object, D1 and Queue
 * state persisted in a folder so a restart keeps every object.
 *
 *   npm start -- [--port 8787] [--state .wrangler/state] [--kubeconfig .duraplane/kubeconfig] [--hosts 3]
 *                [--node-monitor-grace-period 40] [--pod-eviction-timeout 300] [--bench-floor] [--cost] [--watch]
 *                [--inspector-port 9229] [--apf-total-seats 12] [--runtime simulated|real]
 *
 * The Worker is bundled once and run as built (`buildWorker`), with copies of
 * wrangler.toml and the dashboard's build (`devConfig`): writing or touching
 * files of the project — state, kubeconfig, an editor's save, a dashboard
 * rebuild — never restarts the server under a running client. `--watch` is for
 * working on the Worker itself: `wrangler dev` on the sources, restarting
 * on every change (requests in flight then fail; agents retry).
 *
 * `--hosts N` also starts N simulated hosts (duraplane-agent processes named
 * host-1…host-N, joined on first start; `--hosts 0` for none), so a VM created
 * with kubectl really boots and reports Running.
 *
 * `--runtime real` runs the hosts with the real adapters — VMs under
 * libvirt/QEMU, pods under containerd — after checking the daemons are here
 * (each missing piece is named with its Debian package) and importing the
 * test images (`npm run images`); the default stays simulated, so the
 * quickstart is fast on any machine.
 *
 * `--bench-floor` turns on `POST /debug/bench-floor/{key}`, the write floor
 * that `bench/writes` measures the create path against.
 *
 * `--cost` runs a cost build: the Worker counts Durable Object calls, SQL
 * statements, D1 queries, queue sends and JSON work, and serves the counts at
 * `GET /debug/cost` (`bench/cost`). Other builds do not contain the wiring's
 * effects (workers/cost/flag.ts).
 *
 * `--apf-total-seats N` sets API Priority and Fairness's seats per isolate
 * (`APF_TOTAL_SEATS`). Locally the default is 12, sized to the one workerd
 * thread that runs everything here; wrangler.toml keeps upstream's 600 for
 * deployments (see LOCAL_APF_TOTAL_SEATS).
 *
 * `--inspector-port P` opens the runtime's V8 inspector (Chrome DevTools
 * protocol) on 127.0.0.1:P, for bench/profile's CPU profiles.
 */
import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { type LocalHost, startHosts, stopHosts } from "./local-hosts.ts";
import { missingForRealRuntimes } from "./runtime-preflight.ts";
import { buildImages } from "./images/build.ts";
import { Ctr } from "../agent/runtime/ctr.ts";
import { ensureUiBuilt } from "./build-ui.ts";
import { buildWorker, devConfig, ensureAdminToken, ensureSecretsKey, applyMigrations, wranglerEnv, writeKubeconfig, waitUntilReady } from "./local-cluster.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8787" },
    state: { type: "string", default: ".wrangler/state" },
    kubeconfig: { type: "string", default: ".duraplane/kubeconfig" },
    hosts: { type: "string", default: "3" },
    "bench-floor": { type: "boolean", default: false },
    cost: { type: "boolean", default: false },
    watch: { type: "boolean", default: false },
    "node-monitor-grace-period": { type: "string" },
    "pod-eviction-timeout": { type: "string" },
    "apf-total-seats": { type: "string" },
    runtime: { type: "string", default: "simulated" },
    "inspector-port": { type: "string" },
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

const realRuntimes = values.runtime === "real";
if (values.runtime !== "simulated" && !realRuntimes) {
  console.error(`--runtime must be "simulated" or "real", got ${values.runtime}`);
  process.exit(2);
}
if (realRuntimes) {
  const missing = missingForRealRuntimes();
  if (missing.length > 0) {
    console.error(`--runtime real needs libvirt/QEMU and containerd on this machine:\n  ${missing.join("\n  ")}`);
    process.exit(2);
  }
}

/**
 * APF's seats per isolate when `--apf-total-seats` is not given. Upstream's
 * 600 (wrangler.toml's, for deployments on many isolates) never queue
 * anything on the one workerd thread of a local server, so one flooding user
 * pushed another's p99 up 15–19× (bench/fairness). At 12 the global-default
 * level has 2 seats and one user may hold only one of them
 * (levels.ts, seatsPerFlowOf): the flood runs one request at a time and
 * another user starts at once.
 */
const LOCAL_APF_TOTAL_SEATS = "12";

/** Node lifecycle timing (seconds) and APF's seats, passed to the Worker as vars; wrangler.toml holds the defaults. */
const lifecycleVars: string[] = [];
for (const [flag, name] of [["node-monitor-grace-period", "NODE_MONITOR_GRACE_PERIOD_SECONDS"], ["pod-eviction-timeout", "POD_EVICTION_TIMEOUT_SECONDS"], ["apf-total-seats", "APF_TOTAL_SEATS"]] as const) {
  const raw = values[flag] ?? (flag === "apf-total-seats" ? LOCAL_APF_TOTAL_SEATS : undefined);
  if (raw === undefined) continue;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    console.error(`--${flag} must be a whole number ≥ 1, got ${raw}`);
    process.exit(2);
  }
  lifecycleVars.push("--var", `${name}:${raw}`);
}
const inspectorPort = values["inspector-port"] === undefined ? undefined : Number(values["inspector-port"]);
if (inspectorPort !== undefined && (!Number.isInteger(inspectorPort) || inspectorPort <= 0 || inspectorPort > 65535)) {
  console.error(`--inspector-port must be a TCP port number, got ${values["inspector-port"]}`);
  process.exit(2);
}
const server = `https://127.0.0.1:${port}`;

applyMigrations(state);
const token = ensureAdminToken(state);
const secretsEnv = ensureSecretsKey(state);
const kubeconfig = writeKubeconfig(values.kubeconfig, server, token);

if (values.cost && values.watch) {
  console.error("--cost needs a built Worker: it cannot be combined with --watch");
  process.exit(2);
}
// The dashboard's files (served at /ui by wrangler's [assets]) must exist before wrangler reads its config.
await ensureUiBuilt();
const bundle = values.watch ? undefined : buildWorker({ cost: values.cost });
const child = spawn(
  "npx",
  ["wrangler", "dev", ...(bundle ? [bundle, "--no-bundle", "--config", devConfig()] : []), "--local-protocol", "https", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", state, "--env-file", secretsEnv, "--show-interactive-dev-session=false",
    ...(values["bench-floor"] ? ["--var", "BENCH_FLOOR_ENABLED:true"] : []), ...lifecycleVars,
    ...(inspectorPort === undefined ? [] : ["--inspector-port", String(inspectorPort), "--inspector-ip", "127.0.0.1"])],
  // Not detached: wrangler and its workerd stay in this process group, so
  // whoever stops `npm start` by its group (the tests do) stops them too, even
  // if this script is killed outright before it can pass the signal on.
  { stdio: ["ignore", "inherit", "inherit"], env: wranglerEnv() },
);

let hosts: LocalHost[] = [];
const stop = (signal: NodeJS.Signals): void => {
  for (const h of hosts) h.process.kill(signal);
  child.kill(signal);
};
process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
// However this script ends (an error included), the server and hosts end with it.
process.on("exit", () => stop("SIGKILL"));
child.on("exit", (code) => {
  void stopHosts(hosts).then(() => process.exit(code ?? (ready ? 0 : 1)));
});

let ready = false;
try {
  await waitUntilReady(server, token);
  ready = true;
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  stop("SIGTERM");
}
if (ready) {
  try {
    if (realRuntimes) {
      // The images the README's examples run, imported into containerd's store (skipped when present).
      await buildImages({ ctr: new Ctr({}) });
      // Real hosts advertise this machine's size and run what they are given under libvirt and containerd.
      hosts = await startHosts(server, token, state, hostCount, { runArgs: ["--vm-runtime", "libvirt", "--container-runtime", "containerd"] });
    } else {
      // Simulated hosts advertise a typical host's size, not this machine's.
      hosts = await startHosts(server, token, state, hostCount, { joinArgs: ["--cpu", "8", "--memory", "32Gi", "--pods", "110"] });
    }
  } catch (err) {
    console.error(`starting the ${realRuntimes ? "real" : "simulated"} hosts failed: ${err instanceof Error ? err.message : String(err)}`);
    stop("SIGTERM");
  }
  console.log(`
duraplane is ready at ${server}
  state:      ${state}
  kubeconfig: ${kubeconfig}
  hosts:      ${hosts.length === 0 ? "none (--hosts 0)" : `${hosts.map((h) => h.name).join(", ")} (${realRuntimes ? "libvirt + containerd" : "simulated"}; logs in ${state}/hosts/<name>/agent.log)`}

  export KUBECONFIG=${kubeconfig}
  kubectl get namespaces
`);
}
