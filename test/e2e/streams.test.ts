/**
 * Streams into workloads with the real kubectl and a real agent (simulated
 * runtime) behind its tunnel: `kubectl logs` with every flag, `logs -f`
 * seeing each new line within about a second and ending when the pod goes,
 * `exec` (output, exit codes, a terminal driven through a pty), `port-forward`
 * carrying HTTP, a VMI's serial console through virtctl's WebSocket
 * protocol, the tunnel after an agent restart and a dropped connection, and
 * 50 concurrent followers through one tunnel each getting every line in order.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import WebSocket from "ws";
import { type LocalHost, joinHost, runHost, stopHosts } from "../../scripts/local-hosts.ts";
import { kubectl as run, kubectlOk, manifest, until } from "./kubectl.ts";
import { api } from "./rest.ts";
import { releaseHosts } from "./shared-server-hosts.ts";

const server = inject("server");
const ok = kubectlOk(() => server.kubeconfig);
const id = Math.random().toString(36).slice(2, 7);
const NS = `e2e-streams-${id}`;
const NODE = `streams-${id}`;
const RUN_ARGS = ["--heartbeat-interval-ms", "1000", "--boot-delay-ms", "200", "--stop-delay-ms", "200", "--restart-backoff-ms", "300"];

let host: LocalHost | undefined;
const children = new Set<ChildProcess>();

/** Starts kubectl in its own process group (killed with the test). */
function spawnKubectl(args: string[]): ChildProcess {
  const child = spawn("/usr/bin/kubectl", args, { env: { ...process.env, KUBECONFIG: server.kubeconfig }, detached: true, stdio: ["pipe", "pipe", "pipe"] });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
  } catch {
    // gone
  }
}

function podManifest(name: string, spec: string, extra = ""): string {
  return manifest(`apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app: streams-${id}}${extra}}
spec:
  nodeName: ${NODE}
  terminationGracePeriodSeconds: 1
${spec}`);
}

const phaseOf = (pod: string) => ok("-n", NS, "get", "pod", pod, "-o", "jsonpath={.status.phase}");

async function running(pod: string): Promise<void> {
  await until(`${pod} Running`, () => phaseOf(pod) === "Running", 30_000);
}

function tunnelOpens(): number {
  try {
    return (readFileSync(host?.log ?? "", "utf8").match(/tunnel open/g) ?? []).length;
  } catch {
    return 0; // the log is not written yet
  }
}

async function startAgent(extra: string[] = []): Promise<void> {
  const before = host ? tunnelOpens() : 0;
  host = runHost(server.state, NODE, [...RUN_ARGS, ...extra]);
  await until("the tunnel open", () => tunnelOpens() > before, 20_000);
}

beforeAll(async () => {
  await joinHost(server.url, server.token, server.state, NODE);
  await startAgent();
  ok("create", "namespace", NS);
  ok("-n", NS, "apply", "-f", podManifest("logger", `  containers:
  - {name: a, image: busybox, args: [hello, from-a]}
  - {name: b, image: busybox, command: [echo], args: [from-b]}
`));
  ok("-n", NS, "apply", "-f", podManifest("shell", `  containers:
  - {name: sh, image: busybox, env: [{name: GREETING, value: hi}]}
`));
  await running("logger");
  await running("shell");
}, 60_000);

afterAll(async () => {
  for (const child of children) killGroup(child);
  await releaseHosts(server.kubeconfig, NS, host ? [host] : [], [NODE]);
}, 60_000);

describe("kubectl logs", () => {
  it("prints the container's lines, with -c, --tail, --timestamps, --limit-bytes, --since and --since-time", async () => {
    await until("three lines", () => ok("-n", NS, "logs", "logger", "-c", "a").split("\n").length > 3);
    const all = ok("-n", NS, "logs", "logger", "-c", "a").trimEnd().split("\n");
    all.forEach((line, i) => expect(line).toBe(`${i + 1} hello from-a`));
    expect(ok("-n", NS, "logs", "logger", "-c", "b").split("\n")[0]).toBe("1 echo from-b");
    expect(ok("-n", NS, "logs", "logger", "-c", "a", "--tail=2").trimEnd().split("\n")).toHaveLength(2);
    expect(ok("-n", NS, "logs", "logger", "-c", "a", "--tail=1", "--timestamps")).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z \d+ hello from-a\n$/);
    expect(ok("-n", NS, "logs", "logger", "-c", "a", "--limit-bytes=7")).toBe("1 hello");
    expect(ok("-n", NS, "logs", "logger", "-c", "a", "--since=1h").split("\n")[0]).toBe("1 hello from-a");
    expect(ok("-n", NS, "logs", "logger", "-c", "a", "--since=1s").trimEnd().split("\n").length).toBeLessThanOrEqual(2);
    expect(ok("-n", NS, "logs", "logger", "-c", "a", `--since-time=${new Date(Date.now() + 60_000).toISOString()}`)).toBe("");
    // kubectl itself picks the first container (and says so) when none is named.
    const defaulted = run(server.kubeconfig, ["-n", NS, "logs", "logger", "--tail=1"]);
    expect(defaulted.stdout).toMatch(/hello from-a/);
  });

  it("--all-containers and -l across pods, as kubectl does it", () => {
    const both = ok("-n", NS, "logs", "logger", "--all-containers", "--tail=1");
    expect(both).toMatch(/hello from-a/);
    expect(both).toMatch(/echo from-b/);
    const bySelector = ok("-n", NS, "logs", "-l", `app=streams-${id}`, "--all-containers", "--tail=1", "--prefix");
    expect(bySelector).toMatch(/\[pod\/logger\/a\] \d+ hello from-a/);
    expect(bySelector).toMatch(/\[pod\/shell\/sh\] \d+ busybox/);
  });

  it("refuses a container the pod does not have, and --previous before any restart, with upstream's messages", () => {
    const nope = run(server.kubeconfig, ["-n", NS, "logs", "logger", "-c", "nope"]);
    expect(nope.code).toBe(1);
    expect(nope.stderr).toContain("container nope is not valid for pod logger");
    const previous = run(server.kubeconfig, ["-n", NS, "logs", "logger", "-c", "a", "--previous"]);
    expect(previous.code).toBe(1);
    expect(previous.stderr).toContain(`previous terminated container "a" in pod "logger" not found`);
  });

  it("--previous shows the last run of a container that restarted", async () => {
    ok("-n", NS, "apply", "-f", podManifest("crasher", `  restartPolicy: Always
  containers:
  - {name: c, image: busybox, args: [crashing]}
`, `, annotations: {sim.duraplane.io/exit-after-ms: "1500", sim.duraplane.io/exit-code: "1"}`));
    await until("a restart", () => Number(ok("-n", NS, "get", "pod", "crasher", "-o", "jsonpath={.status.containerStatuses[0].restartCount}") || "0") >= 1, 30_000);
    await until("a previous log", () => run(server.kubeconfig, ["-n", NS, "logs", "crasher", "--previous"]).code === 0, 10_000);
    const previous = ok("-n", NS, "logs", "crasher", "--previous");
    expect(previous.startsWith("1 crashing\n2 crashing\n")).toBe(true);
    ok("-n", NS, "delete", "pod", "crasher", "--wait=false");
  });

  it("-f sees each new line within about a second and ends when the pod is deleted", async () => {
    ok("-n", NS, "apply", "-f", podManifest("follow", `  containers:
  - {name: c, image: busybox, args: [tick]}
`));
    await running("follow");
    const child = spawnKubectl(["-n", NS, "logs", "-f", "follow"]);
    const arrivals: { at: number; line: string }[] = [];
    let buffer = "";
    child.stdout?.on("data", (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split("\n");
      buffer = lines.pop() ?? "";
      for (const line of lines) arrivals.push({ at: Date.now(), line });
    });
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    await until("five followed lines", () => arrivals.length >= 5, 15_000).catch((err: unknown) => {
      throw new Error(`${String(err)}: got ${JSON.stringify(arrivals)} ${buffer} ${stderr}`);
    });
    const first = arrivals.findIndex((a) => a.at - (arrivals[0]?.at ?? 0) > 100); // past the backlog
    const live = arrivals.slice(Math.max(1, first));
    for (let i = 1; i < live.length; i++) expect((live[i]?.at ?? 0) - (live[i - 1]?.at ?? 0)).toBeLessThan(1600);
    arrivals.forEach((a, i) => expect(a.line).toBe(`${i + 1} tick`));
    const deletedAt = Date.now();
    ok("-n", NS, "delete", "pod", "follow", "--wait=false");
    expect(await exited).toBe(0);
    expect(Date.now() - deletedAt).toBeLessThan(10_000);
  });
});

describe("kubectl exec", () => {
  it("prints a command's output and exits with its exit code", () => {
    expect(ok("-n", NS, "exec", "shell", "--", "echo", "hi")).toBe("hi\n");
    expect(ok("-n", NS, "exec", "shell", "--", "cat", "/etc/hostname")).toBe("shell\n");
    expect(ok("-n", NS, "exec", "shell", "--", "env")).toMatch(/^GREETING=hi$/m);
    const three = run(server.kubeconfig, ["-n", NS, "exec", "shell", "--", "sh", "-c", "echo out; echo err >&2; exit 3"]);
    expect(three.code).toBe(3);
    expect(three.stdout).toBe("out\n");
    const missing = run(server.kubeconfig, ["-n", NS, "exec", "shell", "-c", "nope", "--", "true"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("container nope is not valid for pod shell");
  });

  it("-it runs an interactive shell through a pseudo-terminal", async () => {
    // script(1) gives kubectl a pty of its own, as a person's terminal would.
    const child = spawn("script", ["-qfec", `/usr/bin/kubectl -n ${NS} exec -it shell -- sh`, "/dev/null"], {
      env: { ...process.env, KUBECONFIG: server.kubeconfig, TERM: "xterm" }, detached: true, stdio: ["pipe", "pipe", "pipe"],
    });
    children.add(child);
    let out = "";
    child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    await until("a prompt", () => out.includes("/ # "), 15_000);
    child.stdin?.write("echo typed-$GREETING\r");
    await until("the echo", () => /typed-\$GREETING\r\n/.test(out) && out.includes("typed-$GREETING\r\n"), 10_000);
    await until("the output", () => /\r\ntyped-\$GREETING\r\n/.test(out), 10_000);
    child.stdin?.write("hostname\r");
    await until("the hostname", () => out.includes("\r\nshell\r\n"), 10_000);
    child.stdin?.write("exit 4\r");
    expect(await exited).toBe(4);
  });
});

describe("kubectl attach", () => {
  it("follows the container's output from now on", async () => {
    const child = spawnKubectl(["-n", NS, "attach", "logger", "-c", "a"]);
    let out = "";
    child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    await until("two live lines", () => (out.match(/^\d+ hello from-a$/gm) ?? []).length >= 2, 10_000);
    const counters = (out.match(/^(\d+) hello from-a$/gm) ?? []).map((l) => Number.parseInt(l, 10));
    expect(counters[0]).toBeGreaterThan(3); // not the backlog
    expect(counters[1]).toBe((counters[0] ?? 0) + 1);
    killGroup(child);
  });
});

describe("kubectl port-forward", () => {
  it("carries HTTP requests to the simulated server in the pod", async () => {
    const local = 30_000 + Math.floor(Math.random() * 2000);
    const child = spawnKubectl(["-n", NS, "port-forward", "pod/shell", `${local}:8080`]);
    let out = "";
    child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
    await until("forwarding", () => out.includes("Forwarding from"), 15_000).catch((err: unknown) => {
      throw new Error(`${String(err)}: ${out}`);
    });
    for (const path of ["/one", "/two"]) {
      const body = await new Promise<string>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port: local, path, protocol: "http:" }, (res) => {
          let text = "";
          res.on("data", (d: Buffer) => (text += d.toString()));
          res.on("end", () => resolve(text));
        });
        req.on("error", reject);
        req.end();
      }).catch((err: unknown) => {
        throw new Error(`${String(err)}: ${out}`);
      });
      expect(body).toBe(`hello from ${NS}/shell port 8080: GET ${path}\n`);
    }
    killGroup(child);
  });
});

describe("a VMI's serial console", () => {
  it("answers virtctl's plain.kubevirt.io WebSocket with a login prompt that echoes", async () => {
    ok("-n", NS, "apply", "-f", manifest(`apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: vm1}
spec:
  nodeSelector: {kubernetes.io/hostname: ${NODE}}
  domain:
    devices: {}
    resources: {requests: {memory: 64Mi}}
`));
    await until("vm1 Running", () => ok("-n", NS, "get", "vmi", "vm1", "-o", "jsonpath={.status.phase}") === "Running", 30_000);
    const ws = new WebSocket(`${server.url.replace("https", "wss")}/apis/subresources.kubevirt.io/v1/namespaces/${NS}/virtualmachineinstances/vm1/console`,
      ["plain.kubevirt.io"], { headers: { authorization: `Bearer ${server.token}` }, rejectUnauthorized: false });
    let screen = "";
    ws.on("message", (d: Buffer) => (screen += d.toString()));
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    expect(ws.protocol).toBe("plain.kubevirt.io");
    await until("the login prompt", () => screen.includes("vm1 login: "), 10_000);
    ws.send(Buffer.from("fedora\r"));
    await until("a shell prompt", () => screen.includes("[fedora@vm1 ~]$ "), 10_000);
    ws.send(Buffer.from("uname\r"));
    await until("the echo", () => screen.includes("uname\r\nuname\r\n"), 10_000);
    ws.close();
  });

  it("answers /vnc with an RFB 3.8 server", async () => {
    const ws = new WebSocket(`${server.url.replace("https", "wss")}/apis/subresources.kubevirt.io/v1/namespaces/${NS}/virtualmachineinstances/vm1/vnc`,
      ["plain.kubevirt.io"], { headers: { authorization: `Bearer ${server.token}` }, rejectUnauthorized: false });
    let got = Buffer.alloc(0);
    ws.on("message", (d: Buffer) => (got = Buffer.concat([got, d])));
    await until("the RFB version", () => got.toString("latin1").startsWith("RFB 003.008\n"), 10_000);
    ws.send(Buffer.from("RFB 003.008\n"));
    await until("security type None", () => got.length >= 14, 10_000);
    expect([...got.subarray(12, 14)]).toEqual([1, 1]);
    ws.close();
  });

  it("answers guestosinfo, userlist and filesystemlist from the guest agent, as virtctl asks them", async () => {
    const base = `/apis/subresources.kubevirt.io/v1/namespaces/${NS}/virtualmachineinstances`;
    await until("the guest agent connected", () =>
      ok("-n", NS, "get", "vmi", "vm1", "-o", "jsonpath={.status.conditions[?(@.type=='AgentConnected')].status}") === "True", 10_000);
    const info = await api<{ hostname: string; os: { prettyName: string }; guestAgentVersion: string; userList: unknown[]; fsInfo: { disks: unknown[] } }>(
      server, "GET", `${base}/vm1/guestosinfo`);
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ hostname: "vm1", os: { prettyName: "Fedora Linux 41 (Cloud Edition)" } });
    expect(info.body.guestAgentVersion).not.toBe("");
    expect(info.body.userList).toHaveLength(1);
    const users = await api<{ items: { userName: string; loginTime: number }[] }>(server, "GET", `${base}/vm1/userlist`);
    expect(users.body.items).toEqual([{ userName: "fedora", loginTime: expect.any(Number) }]);
    const fs = await api<{ items: { mountPoint: string; totalBytes: number }[] }>(server, "GET", `${base}/vm1/filesystemlist`);
    expect(fs.body.items).toEqual([expect.objectContaining({ mountPoint: "/", totalBytes: 5_368_709_120 })]);
    // A VMI that is not running is refused before anything reaches the host, with KubeVirt's message.
    ok("-n", NS, "apply", "-f", manifest(`apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata: {name: nowhere}
spec:
  nodeSelector: {kubernetes.io/hostname: no-such-host}
  domain: {devices: {}, resources: {requests: {memory: 64Mi}}}
`));
    const refused = await api<{ code: number; message: string }>(server, "GET", `${base}/nowhere/guestosinfo`);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toBe('Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "nowhere": VMI is not running');
  });
});

/** Follows a pod's log over HTTPS as `kubectl logs -f` does; resolves with every line once `count` arrived. */
function follow(pod: string, count: number, agent: HttpsAgent): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const lines: string[] = [];
    let rest = "";
    const req = httpsRequest(`${server.url}/api/v1/namespaces/${NS}/pods/${pod}/log?follow=true`, {
      headers: { authorization: `Bearer ${server.token}` }, agent,
    }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode ?? 0}`));
      res.on("data", (d: Buffer) => {
        const parts = (rest + d.toString()).split("\n");
        rest = parts.pop() ?? "";
        lines.push(...parts);
        if (lines.length >= count) {
          req.destroy();
          resolve(lines);
        }
      });
      res.on("end", () => reject(new Error(`ended after ${lines.length} lines`)));
    });
    req.on("error", (err) => {
      if (lines.length < count) reject(err);
    });
    req.end();
  });
}

describe("the tunnel", () => {
  it("carries 50 concurrent log followers, each getting every line in order", async () => {
    ok("-n", NS, "apply", "-f", podManifest("many", `  containers:
  - {name: c, image: busybox, args: [many]}
`));
    await running("many");
    const agent = new HttpsAgent({ rejectUnauthorized: false, keepAlive: false, maxSockets: 100 });
    const results = await Promise.all(Array.from({ length: 50 }, () => follow("many", 4, agent)));
    for (const lines of results) {
      const counters = lines.map((l) => Number(/^(\d+) many$/.exec(l)?.[1]));
      counters.forEach((c, i) => expect(c).toBe(i + 1));
    }
    agent.destroy();
  }, 30_000);

  it("comes back after the agent restarts and after its connection drops", async () => {
    const old = host;
    if (old) await stopHosts([old]);
    // The restarted agent loses its network 1.5 s in, for 1.5 s (--lose-host-*): its tunnel drops and is redialled.
    const opens = tunnelOpens();
    await startAgent(["--lose-host-after-ms", "2500", "--lose-host-for-ms", "1000"]);
    // The new agent process starts its pods afresh (the simulated runtime lives in it): exec works once it did.
    const echo = (word: string) => () => run(server.kubeconfig, ["-n", NS, "exec", "shell", "--", "echo", word]).stdout === `${word}\n`;
    await until("exec after the restart", echo("after-restart"), 10_000);
    await until("the tunnel redialled after the drop", () => tunnelOpens() > opens + 1, 15_000);
    await until("exec after the drop", echo("after-drop"), 10_000);
  }, 30_000);
});
