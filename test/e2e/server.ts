/**
 * Starts and stops a local control plane exactly as `npm start` does, in a
 * fresh state folder on a free port.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { waitUntilReady } from "../../scripts/local-cluster.ts";
import { tempDir } from "./temp-dir.ts";

/** A running local server. */
export interface LocalServer {
  url: string;
  port: number;
  state: string;
  kubeconfig: string;
  token: string;
  process: ChildProcess;
  logs: () => string;
}

/** Process groups of the servers started here and not yet stopped. */
const running = new Set<number>();

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

// A test run that ends any other way than through stopServer — a failed
// hook, an uncaught error, Ctrl-C, the runner's own SIGTERM — must not leave
// a server (wrangler and its workerd) running behind it.
process.on("exit", () => {
  for (const pid of running) killGroup(pid, "SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => {
    for (const pid of running) killGroup(pid, "SIGKILL");
    // Ours was the only handler: end as the signal would have (a bench's own handler decides for itself).
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

/** Ports tried for servers: below Linux's ephemeral range (32768–60999 by default). */
const PORT_MIN = 20_000;
const PORT_SPAN = 10_000;

function canListen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const srv = createServer();
    srv.once("error", () => done(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => done(true)));
  });
}

/**
 * A free TCP port on loopback, picked at random below the kernel's
 * ephemeral range. A port from `listen(0)` is an ephemeral one: once freed,
 * the kernel may hand it straight to one of wrangler's own `listen(0)`
 * sockets before the server binds it ("Address already in use", seen in CI).
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = PORT_MIN + Math.floor(Math.random() * PORT_SPAN);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port in ${PORT_MIN}–${PORT_MIN + PORT_SPAN - 1} after 100 tries`);
}

/**
 * Runs `npm start` in the background; resolves once the server answers.
 * `benchFloor` turns on the benchmark's floor route (`--bench-floor`).
 */
export async function startServer(opts: {
  port?: number; state?: string; benchFloor?: boolean;
  /** A cost build: the Worker counts what requests cost and serves it at /debug/cost (`--cost`). */
  cost?: boolean;
  /** Simulated hosts `npm start` runs (default none: most tests play the host's part themselves). */
  hosts?: number;
  /** Node lifecycle timing in seconds (`--node-monitor-grace-period`, `--pod-eviction-timeout`). */
  nodeMonitorGracePeriod?: number; podEvictionTimeout?: number;
  /** API Priority and Fairness's seats per isolate (`--apf-total-seats`). */
  apfTotalSeats?: number;
  /** Opens the runtime's V8 inspector on this port (`--inspector-port`), for CPU profiles. */
  inspectorPort?: number;
} = {}): Promise<LocalServer> {
  const port = opts.port ?? (await freePort());
  const state = opts.state ?? tempDir("duraplane-e2e-");
  const kubeconfig = join(state, "kubeconfig");
  let output = "";
  const args = ["start", "--", "--port", String(port), "--state", state, "--kubeconfig", kubeconfig];
  args.push("--hosts", String(opts.hosts ?? 0));
  if (opts.benchFloor) args.push("--bench-floor");
  if (opts.cost) args.push("--cost");
  if (opts.nodeMonitorGracePeriod) args.push("--node-monitor-grace-period", String(opts.nodeMonitorGracePeriod));
  if (opts.podEvictionTimeout) args.push("--pod-eviction-timeout", String(opts.podEvictionTimeout));
  if (opts.apfTotalSeats) args.push("--apf-total-seats", String(opts.apfTotalSeats));
  if (opts.inspectorPort !== undefined) args.push("--inspector-port", String(opts.inspectorPort));
  const child = spawn("npm", args, {
    cwd: process.cwd(),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const group = child.pid;
  if (group !== undefined) {
    running.add(group);
  }
  const said = (d: Buffer): void => {
    const text = d.toString();
    output += text;
    // A reload loses the local Queue's messages and fails requests in flight: say so where CI's log shows it.
    if (text.includes("Reloading local server")) process.stderr.write(`${new Date().toISOString()} the server on port ${port} reloaded its Worker (wrangler saw a file change)\n`);
  };
  child.stdout?.on("data", said);
  child.stderr?.on("data", said);
  const url = `https://127.0.0.1:${port}`;
  const exited = new Promise<never>((_, fail) =>
    child.once("exit", (code) => fail(new Error(`npm start exited with ${code}:\n${output}`))),
  );
  // The token file appears once migrations ran; then wait for the server itself.
  let token: string;
  try {
    token = await startup();
  } catch (err) {
    // Not started: stop what did start, so that nothing outlives the failed test.
    if (group !== undefined) killGroup(group, "SIGKILL");
    if (err instanceof Error && !err.message.includes(output)) err.message += `\nnpm start said:\n${output.slice(-4000)}`;
    throw err;
  }
  // From here on, exiting is expected (stopServer): nobody awaits `exited` any more.
  exited.catch(() => {});
  return { url, port, state, kubeconfig, token, process: child, logs: () => output };

  async function startup(): Promise<string> {
    let gone = false;
    exited.catch(() => (gone = true));
    const found = await Promise.race([
      (async () => {
        while (!gone) {
          try {
            return readFileSync(join(state, "dev-admin-token"), "utf8").trim();
          } catch {
            await new Promise((r) => setTimeout(r, 100));
          }
        }
        return "";
      })(),
      exited,
    ]);
    await Promise.race([waitUntilReady(url, found, 90_000), exited]);
    return found;
  }
}

/** Stops the server's whole process group (npm, the start script, wrangler, workerd) and waits for it to exit. */
export async function stopServer(server: LocalServer): Promise<void> {
  const pid = server.process.pid;
  if (pid === undefined) return;
  if (server.process.exitCode === null && server.process.signalCode === null) {
    const gone = new Promise<void>((done) => server.process.once("exit", () => done()));
    killGroup(pid, "SIGTERM");
    const timer = setTimeout(() => killGroup(pid, "SIGKILL"), 5000);
    await gone;
    clearTimeout(timer);
  }
  // Whatever of the group outlived npm itself.
  killGroup(pid, "SIGKILL");
  running.delete(pid);
}
