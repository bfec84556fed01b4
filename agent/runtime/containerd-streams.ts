/**
 * @module
 * Streams into real containers, as the kubelet serves them over the CRI:
 * - logs from the CRI-format file each run writes (container-logs.ts),
 *   the previous run's for `--previous`, followed by re-reading the file as it
 *   grows until the run ends — the kubelet's own ReadLogs works the same way;
 * - exec through `ctr tasks exec` (a terminal, when asked for one, through
 *   `script`, which gives ctr a pseudo-terminal as the CRI's streaming server
 *   gives runc one);
 * - port-forward to the port on the pod's network: pods share the host's
 *   network here, so it is a TCP connection to the host IP.
 * Attach is refused: a container's stdio goes to the log, not to a socket.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, openSync, readSync, closeSync, fstatSync } from "node:fs";
import { connect } from "node:net";
import type { Duplex, Readable } from "node:stream";
import type { LogOptions } from "../../shared/tunnel/frames.ts";
import { parseLogLine } from "./container-logs.ts";
import type { Ctr } from "./ctr.ts";
import { ContainerLog, readLog } from "./sim-log.ts";
import { badStream, notHere, type ProcessSession, type WorkloadRef } from "./streams.ts";
import type { ContainerObservation, PodDetail } from "./containers.ts";
import type { Observation } from "./adapter.ts";

/** How often a followed log file is read again for new lines. */
const FOLLOW_POLL_MS = 200;
/** Bytes read from a log file per read. */
const READ_CHUNK = 64 * 1024;

/** What the streams need of the containerd runtime. */
export interface ContainerdStreamSource {
  ctr: Ctr;
  hostIP: string;
  observe(uid: string): Observation<PodDetail> | undefined;
  logPath(uid: string, container: string, attempt?: number): string | undefined;
  containerIdOf(uid: string, container: string): string | undefined;
}

function containerOf(source: ContainerdStreamSource, pod: WorkloadRef, container: string): ContainerObservation {
  const o = source.observe(pod.uid);
  if (!o) throw notHere(`pod "${pod.namespace}/${pod.name}"`);
  const c = o.detail.containers.find((x) => x.name === container);
  if (!c) throw badStream(`container ${container} is not valid for pod ${pod.name}`);
  return c;
}

/** Reads a CRI log file from `offset`; answers the complete lines' texts with their times, and the new offset. */
function readLines(path: string, offset: number): { lines: { at: number; text: string }[]; offset: number } {
  if (!existsSync(path)) return { lines: [], offset };
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    if (size <= offset) return { lines: [], offset };
    const chunks: Buffer[] = [];
    let at = offset;
    while (at < size) {
      const buf = Buffer.alloc(Math.min(READ_CHUNK, size - at));
      const n = readSync(fd, buf, 0, buf.length, at);
      if (n <= 0) break;
      chunks.push(buf.subarray(0, n));
      at += n;
    }
    const text = Buffer.concat(chunks).toString("utf8");
    // Only whole lines: a line still being written is read on the next pass.
    const end = text.lastIndexOf("\n");
    if (end < 0) return { lines: [], offset };
    const lines: { at: number; text: string }[] = [];
    let partial = "";
    for (const raw of text.slice(0, end).split("\n")) {
      const parsed = parseLogLine(raw);
      if (!parsed) continue;
      // CRI's partial lines (P) join the next full one (F), as the kubelet's reader joins them.
      partial += parsed.text;
      if (parsed.partial) continue;
      lines.push({ at: Date.parse(parsed.time), text: partial });
      partial = "";
    }
    return { lines, offset: offset + Buffer.byteLength(text.slice(0, end + 1), "utf8") };
  } finally {
    closeSync(fd);
  }
}

/** `pods/log` of a real container. */
export async function containerdLogs(source: ContainerdStreamSource, pod: WorkloadRef, container: string, options: LogOptions): Promise<Readable> {
  const c = containerOf(source, pod, container);
  const attempt = options.previous ? c.restartCount - 1 : c.restartCount;
  if (options.previous && (attempt < 0 || !c.lastExit)) {
    throw badStream(`previous terminated container "${container}" in pod "${pod.name}" not found`);
  }
  const path = source.logPath(pod.uid, container, attempt);
  if (!path) throw notHere(`pod "${pod.namespace}/${pod.name}"`);
  const log = new ContainerLog();
  let offset = 0;
  const pull = (): void => {
    const read = readLines(path, offset);
    offset = read.offset;
    for (const line of read.lines) log.append(line.text, line.at);
  };
  pull();
  const running = (): boolean => {
    const now = source.observe(pod.uid)?.detail.containers.find((x) => x.name === container);
    return !options.previous && now !== undefined && now.restartCount === c.restartCount && now.state.phase !== "exited";
  };
  if (!options.follow || !running()) {
    log.close();
    return readLog(log, options);
  }
  // Follow: read what the file gains until the run ends (then once more, for its last lines).
  const timer = setInterval(() => {
    pull();
    if (!running()) {
      pull();
      clearInterval(timer);
      log.close();
    }
  }, FOLLOW_POLL_MS);
  const stream = readLog(log, options);
  stream.once("close", () => clearInterval(timer));
  return stream;
}

/** `pods/exec` in a real container. */
export async function containerdExec(
  source: ContainerdStreamSource, pod: WorkloadRef, container: string, command: readonly string[], tty: boolean, stdin: boolean,
): Promise<ProcessSession> {
  const c = containerOf(source, pod, container);
  const id = source.containerIdOf(pod.uid, container);
  if (!id || c.state.phase !== "running") throw badStream(`container ${container} is not running in pod ${pod.name}`);
  if (command.length === 0) throw badStream("you must specify at least one command for the container");
  const execId = `exec-${randomBytes(6).toString("hex")}`;
  const ctrArgs = ["--address", source.ctr.address, "-n", source.ctr.namespace, "tasks", "exec", "--exec-id", execId, ...(tty ? ["-t"] : []), id, ...command];
  // ctr wants a terminal on its own stdin for -t: `script` gives it one and relays its bytes.
  const child = tty
    ? spawn("script", ["-qfec", [source.ctr.binary, ...ctrArgs].map(shellQuote).join(" "), "/dev/null"], { stdio: ["pipe", "pipe", "pipe"] })
    : spawn(source.ctr.binary, ctrArgs, { stdio: ["pipe", "pipe", "pipe"] });
  if (!stdin) child.stdin.end();
  const exit = new Promise<number>((resolve) => {
    child.once("error", () => resolve(126));
    child.once("close", (code) => resolve(code ?? 137));
  });
  return {
    ...(stdin ? { stdin: child.stdin } : {}),
    stdout: child.stdout,
    ...(tty ? {} : { stderr: child.stderr }),
    resize: () => {
      // The terminal's size stays script's default: ctr offers no resize for an exec it did not start itself.
    },
    exit,
    kill: () => {
      child.kill("SIGKILL");
    },
  };
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, "'\\''")}'`;
}

/** `pods/attach` is not offered: a container's output goes to its log file, not to a socket. */
export async function containerdAttach(_source: ContainerdStreamSource, pod: WorkloadRef): Promise<ProcessSession> {
  throw badStream(`attach is not supported by this node's container runtime (containerd through ctr): use kubectl logs -f ${pod.name}`);
}

/** `pods/portforward`: pods share the host's network here, so the port is the host's. */
export async function containerdPortForward(source: ContainerdStreamSource, pod: WorkloadRef, port: number): Promise<Duplex> {
  if (!source.observe(pod.uid)) throw notHere(`pod "${pod.namespace}/${pod.name}"`);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: source.hostIP, port });
    socket.once("connect", () => resolve(socket));
    socket.once("error", (err) => reject(badStream(`error forwarding port ${port} to pod ${pod.name}: ${err.message}`)));
  });
}
