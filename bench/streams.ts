/**
 * `npm run bench:streams`: what reaching into a workload costs — the time to
 * the first byte of an exec and the delay of a followed log line — through
 * the whole path (API Worker → the node's NodeTunnel Durable Object → the
 * agent's outbound tunnel → the simulated runtime, and back), beside a floor
 * measured in the same run: a TLS WebSocket (and a chunked HTTPS body) served
 * by this process on loopback, with no control plane in between.
 *
 * 1. exec: `--execs` sequential `exec … -- echo hi` over the v5.channel.k8s.io
 *    WebSocket kubectl 1.32 speaks; per exec, connect → the first stdout byte.
 *    Floor: connect → the first message of a loopback wss server that answers
 *    each connection with one stdout frame.
 * 2. kubectl: `--kubectl-runs` runs of the real `kubectl exec … -- echo hi`
 *    beside `kubectl get --raw /version` (kubectl's own start-up and one request).
 * 3. logs -f: `--followers` pods, each followed with `timestamps=true` for
 *    `--follow-s` seconds; the simulated container writes a line a second,
 *    stamped when written on the host (same clock), so a line's delay is its
 *    arrival here minus its stamp. Floor: a loopback HTTPS server writing a
 *    stamped line every 100 ms into a chunked body.
 *
 *   npx tsx bench/streams.ts [--execs 200] [--kubectl-runs 10] [--followers 8] [--follow-s 20]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import WebSocket, { WebSocketServer } from "ws";
import { joinHost, type LocalHost, runHost, stopHosts } from "../scripts/local-hosts.ts";
import type { LocalServer } from "../test/e2e/server.ts";
import { runBench } from "./bench-server.ts";
import { send } from "./https-request.ts";
import { benchAgent, percentile } from "./load.ts";

const { values } = parseArgs({
  options: {
    execs: { type: "string", default: "200" },
    "kubectl-runs": { type: "string", default: "10" },
    followers: { type: "string", default: "8" },
    "follow-s": { type: "string", default: "20" },
  },
  allowPositionals: false,
});
const EXECS = Number(values.execs);
const KUBECTL_RUNS = Number(values["kubectl-runs"]);
const FOLLOWERS = Number(values.followers);
const FOLLOW_MS = Number(values["follow-s"]) * 1000;
const NS = "streams-bench";
const NODE = "streams-host";
let host: LocalHost | undefined;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const msSince = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

/** A self-signed certificate for the loopback floor servers (the local API server is TLS too). */
function selfSigned(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), "duraplane-streams-cert-"));
  try {
    const r = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
      "-subj", "/CN=localhost", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
    return { key: readFileSync(join(dir, "key.pem"), "utf8"), cert: readFileSync(join(dir, "cert.pem"), "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Connect → first stdout byte of one exec over the remote-command WebSocket; checks what came. */
function execOnce(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const ws = new WebSocket(url, ["v5.channel.k8s.io"], { headers, rejectUnauthorized: false });
    const fail = (err: Error): void => {
      ws.terminate();
      reject(err);
    };
    ws.once("error", fail);
    ws.once("unexpected-response", (_req, res) => fail(new Error(`exec answered ${res.statusCode ?? 0}`)));
    ws.on("message", (data: Buffer) => {
      if (data[0] !== 1) return; // stdout only
      const took = msSince(t0);
      if (!data.subarray(1).toString().startsWith("hi")) fail(new Error(`unexpected stdout ${JSON.stringify(data.subarray(1).toString())}`));
      ws.close();
      resolve(took);
    });
  });
}

/** A loopback wss server answering each connection with one stdout frame "hi\n", as an exec of echo would. */
async function execFloorServer(tls: { key: string; cert: string }): Promise<{ url: string; server: Server; wss: WebSocketServer }> {
  const server = createServer(tls);
  const wss = new WebSocketServer({ server, handleProtocols: (protocols) => (protocols.has("v5.channel.k8s.io") ? "v5.channel.k8s.io" : false) });
  wss.on("connection", (ws) => {
    ws.send(Buffer.concat([Buffer.from([1]), Buffer.from("hi\n")]));
    ws.on("close", () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `wss://127.0.0.1:${(server.address() as AddressInfo).port}/exec`, server, wss };
}

/** A loopback HTTPS server writing a line stamped with its time every 100 ms into a chunked body. */
async function logFloorServer(tls: { key: string; cert: string }): Promise<{ url: string; server: Server }> {
  const server = createServer(tls, (_req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    let n = 0;
    // Stamped to the millisecond, as the agent stamps its lines, so both carry the same truncation.
    const timer = setInterval(() => res.write(`${new Date().toISOString()} ${++n} floor\n`), 100);
    res.on("close", () => clearInterval(timer));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/log`, server };
}

/** Now, in ms since the epoch with sub-millisecond resolution (Date.now() has whole milliseconds). */
const preciseNow = (): number => performance.timeOrigin + performance.now();

/** An RFC 3339 stamp with up to nanoseconds, in ms since the epoch, keeping the fraction Date.parse drops. */
function stampMs(stamp: string): number {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(stamp);
  if (!m?.[1]) return Number.NaN;
  return Date.parse(`${m[1]}Z`) + Number(`0.${m[2] ?? "0"}`) * 1000;
}

/** Follows `url` for `ms`: each line's arrival minus the timestamp it starts with. */
function follow(url: string, headers: Record<string, string>, ms: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const delays: number[] = [];
    let rest = "";
    const req = request(url, { headers, rejectUnauthorized: false }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`log answered ${res.statusCode ?? 0}`));
        res.resume();
        return;
      }
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        const now = preciseNow();
        rest += chunk;
        const lines = rest.split("\n");
        rest = lines.pop() ?? "";
        for (const line of lines) {
          const stamp = stampMs(line.slice(0, line.indexOf(" ")));
          if (!Number.isNaN(stamp)) delays.push(now - stamp);
        }
      });
    });
    req.on("error", (err) => (req.destroyed ? undefined : reject(err)));
    req.end();
    setTimeout(() => {
      req.destroy();
      resolve(delays);
    }, ms);
  });
}

function stats(values: number[]): { n: number; p50: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

function kubectlWall(kubeconfig: string, args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync("/usr/bin/kubectl", args, { env: { ...process.env, KUBECONFIG: kubeconfig }, encoding: "utf8", timeout: 30_000 });
  if (r.status !== 0) throw new Error(`kubectl ${args.join(" ")} failed: ${r.stderr}`);
  return msSince(t0);
}

async function podRunning(server: LocalServer, name: string): Promise<void> {
  const agent = benchAgent(1);
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const r = await send(server.url, server.token, agent, "GET", `/api/v1/namespaces/${NS}/pods/${name}`);
      if (r.status === 200 && (JSON.parse(r.body) as { status?: { phase?: string } }).status?.phase === "Running") return;
      if (Date.now() > deadline) throw new Error(`pod ${name} not Running after 60 s`);
      await sleep(200);
    }
  } finally {
    agent.destroy();
  }
}

const f = (ms: number): string => (ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`);
const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}×` : "");

await runBench({ name: "streams", server: { hosts: 0 }, beforeStop: () => stopHosts(host ? [host] : []) }, async (server) => {
  const auth = { authorization: `Bearer ${server.token}` };
  await joinHost(server.url, server.token, server.state, NODE);
  host = runHost(server.state, NODE, ["--heartbeat-interval-ms", "2000", "--boot-delay-ms", "200"]);
  const agent = benchAgent(4);
  const api = (method: string, path: string, body?: unknown) => send(server.url, server.token, agent, method, path, body === undefined ? undefined : JSON.stringify(body));
  await api("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
  const pods = ["shell", ...Array.from({ length: FOLLOWERS }, (_, i) => `logger-${i}`)];
  for (const name of pods) {
    const r = await api("POST", `/api/v1/namespaces/${NS}/pods`, {
      apiVersion: "v1", kind: "Pod", metadata: { name },
      spec: { nodeName: NODE, terminationGracePeriodSeconds: 1, containers: [{ name: "c", image: "busybox", args: ["bench"] }] },
    });
    if (r.status !== 201) throw new Error(`create pod ${name}: ${r.status} ${r.body}`);
  }
  for (const name of pods) await podRunning(server, name);
  agent.destroy();
  const tls = selfSigned();

  // 1. exec: time to first byte, through the tunnel and on the loopback floor, alternating in batches.
  const execUrl = `${server.url.replace("https", "wss")}/api/v1/namespaces/${NS}/pods/shell/exec?command=echo&command=hi&stdout=true&stderr=true&container=c`;
  const floorExec = await execFloorServer(tls);
  for (let i = 0; i < 10; i++) await execOnce(execUrl, auth); // warm
  const execReal: number[] = [];
  const execFloor: number[] = [];
  for (let i = 0; i < EXECS; i++) {
    execReal.push(await execOnce(execUrl, auth));
    execFloor.push(await execOnce(floorExec.url, {}));
  }
  floorExec.wss.close();
  floorExec.server.close();

  // 2. the real kubectl: exec beside one plain request.
  const kubectlExec: number[] = [];
  const kubectlRaw: number[] = [];
  // One of each first, not counted: kubectl's first run fills its discovery cache.
  kubectlWall(server.kubeconfig, ["-n", NS, "exec", "shell", "--", "echo", "hi"]);
  kubectlWall(server.kubeconfig, ["get", "--raw", "/version"]);
  for (let i = 0; i < KUBECTL_RUNS; i++) {
    kubectlExec.push(kubectlWall(server.kubeconfig, ["-n", NS, "exec", "shell", "--", "echo", "hi"]));
    kubectlRaw.push(kubectlWall(server.kubeconfig, ["get", "--raw", "/version"]));
  }

  // 3. logs -f: each line's delay, through the tunnel (all followers at once) and on the floor. tailLines=0: only lines
  // written from now on, so none arrives already old.
  const floorLog = await logFloorServer(tls);
  const [realLogs, floorLogs] = await Promise.all([
    Promise.all(pods.slice(1).map((p) => follow(`${server.url}/api/v1/namespaces/${NS}/pods/${p}/log?follow=true&timestamps=true&tailLines=0`, auth, FOLLOW_MS))),
    follow(floorLog.url, {}, FOLLOW_MS),
  ]);
  floorLog.server.close();

  const e = { real: stats(execReal), floor: stats(execFloor) };
  const k = { exec: stats(kubectlExec), raw: stats(kubectlRaw) };
  const l = { real: stats(realLogs.flat()), floor: stats(floorLogs) };
  console.log("");
  console.log("| measure | n | p50 | p99 | floor p50 | floor p99 | p50 ratio | p99 ratio |");
  console.log("|---|---|---|---|---|---|---|---|");
  console.log(`| exec: connect → first stdout byte | ${e.real.n} | ${f(e.real.p50)} | ${f(e.real.p99)} | ${f(e.floor.p50)} | ${f(e.floor.p99)} | ${ratio(e.real.p50, e.floor.p50)} | ${ratio(e.real.p99, e.floor.p99)} |`);
  console.log(`| logs -f: line written → received | ${l.real.n} | ${f(l.real.p50)} | ${f(l.real.p99)} | ${f(l.floor.p50)} | ${f(l.floor.p99)} | ${ratio(l.real.p50, l.floor.p50)} | ${ratio(l.real.p99, l.floor.p99)} |`);
  console.log(`| kubectl exec -- echo hi (wall), beside kubectl get --raw /version | ${k.exec.n} | ${f(k.exec.p50)} | ${f(k.exec.p99)} | ${f(k.raw.p50)} | ${f(k.raw.p99)} | ${ratio(k.exec.p50, k.raw.p50)} | ${ratio(k.exec.p99, k.raw.p99)} |`);
  const figures = { exec: e, logs: l, kubectl: k, followers: FOLLOWERS, followMs: FOLLOW_MS };
  const failed = l.real.n < FOLLOWERS * (FOLLOW_MS / 1000 - 3) ? `only ${l.real.n} log lines arrived from ${FOLLOWERS} followers` : undefined;
  return { figures, ...(failed ? { failed } : {}) };
});
