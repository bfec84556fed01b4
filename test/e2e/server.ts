/**
 * Starts and stops a local control plane exactly as `npm start` does, in a
 * fresh state folder on a free port.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitUntilReady } from "../../scripts/local-cluster.ts";

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
  /** Simulated hosts `npm start` runs (default none: most tests play the host's part themselves). */
  hosts?: number;
  /** Node lifecycle timing in seconds (`--node-monitor-grace-period`, `--pod-eviction-timeout`). */
  nodeMonitorGracePeriod?: number; podEvictionTimeout?: number;
} = {}): Promise<LocalServer> {
  const port = opts.port ?? (await freePort());
  const state = opts.state ?? mkdtempSync(join(tmpdir(), "duraplane-e2e-"));
  const kubeconfig = join(state, "kubeconfig");
  let output = "";
  const args = ["start", "--", "--port", String(port), "--state", state, "--kubeconfig", kubeconfig];
  args.push("--hosts", String(opts.hosts ?? 0));
  if (opts.benchFloor) args.push("--bench-floor");
  if (opts.nodeMonitorGracePeriod) args.push("--node-monitor-grace-period", String(opts.nodeMonitorGracePeriod));
  if (opts.podEvictionTimeout) args.push("--pod-eviction-timeout", String(opts.podEvictionTimeout));
  const child = spawn("npm", args, {
    cwd: process.cwd(),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const url = `https://127.0.0.1:${port}`;
  const exited = new Promise<never>((_, fail) =>
    child.once("exit", (code) => fail(new Error(`npm start exited with ${code}:\n${output}`))),
  );
  // The token file appears once migrations ran; then wait for the server itself.
  const token = await Promise.race([
    (async () => {
      for (;;) {
        try {
          return readFileSync(join(state, "dev-admin-token"), "utf8").trim();
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    })(),
    exited,
  ]);
  await Promise.race([waitUntilReady(url, token, 90_000), exited]);
  // From here on, exiting is expected (stopServer): nobody awaits `exited` any more.
  exited.catch(() => {});
  return { url, port, state, kubeconfig, token, process: child, logs: () => output };
}

/** Stops the server's whole process group and waits for it to exit. */
export async function stopServer(server: LocalServer): Promise<void> {
  const pid = server.process.pid;
  if (pid === undefined || server.process.exitCode !== null) return;
  const gone = new Promise<void>((done) => server.process.once("exit", () => done()));
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }, 5000);
  await gone;
  clearTimeout(timer);
}
