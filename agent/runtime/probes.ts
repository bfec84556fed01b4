/**
 * @module
 * Readiness and liveness probes of type exec, httpGet and tcpSocket, run as
 * the kubelet's prober workers do: after `initialDelaySeconds`, every
 * `periodSeconds` (10), each try bounded by `timeoutSeconds` (1); the result
 * flips after `successThreshold` (1) successes or `failureThreshold` (3)
 * failures in a row. Readiness starts as failure; liveness as success.
 * @see https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/prober/worker.go
 */
import { request } from "node:http";
import { connect } from "node:net";
import { isRecord, num, str } from "../objects.ts";

/** Runs a command in the container; resolves with its exit code. */
export type ExecInContainer = (command: string[], timeoutMs: number) => Promise<number>;

/** A probe's spec, parsed. */
export interface ProbeSpec {
  action: { exec: string[] } | { httpGet: { host: string; port: number; path: string; scheme: string; headers: [string, string][] } } | { tcp: { host: string; port: number } };
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
}

/** A port given by number or by the name of one of the container's ports. */
function portOf(value: unknown, container: Record<string, unknown>): number | undefined {
  if (typeof value === "number") return value;
  const named = (Array.isArray(container.ports) ? container.ports.filter(isRecord) : []).find((p) => p.name === value);
  return named ? num(named.containerPort) : Number(value) || undefined;
}

/** Parses `container[field]` (readinessProbe, livenessProbe); undefined when absent or of an unsupported type. */
export function probeSpec(container: Record<string, unknown>, field: "readinessProbe" | "livenessProbe", hostIP: string): ProbeSpec | undefined {
  const p = container[field];
  if (!isRecord(p)) return undefined;
  const timing = {
    initialDelayMs: (num(p.initialDelaySeconds) ?? 0) * 1000,
    periodMs: Math.max(1, num(p.periodSeconds) ?? 10) * 1000,
    timeoutMs: Math.max(1, num(p.timeoutSeconds) ?? 1) * 1000,
    successThreshold: Math.max(1, num(p.successThreshold) ?? 1),
    failureThreshold: Math.max(1, num(p.failureThreshold) ?? 3),
  };
  if (isRecord(p.exec) && Array.isArray(p.exec.command)) return { action: { exec: p.exec.command.map(String) }, ...timing };
  if (isRecord(p.httpGet)) {
    const g = p.httpGet;
    const port = portOf(g.port, container);
    if (port === undefined) return undefined;
    const headers = (Array.isArray(g.httpHeaders) ? g.httpHeaders.filter(isRecord) : []).map((h): [string, string] => [str(h.name) ?? "", str(h.value) ?? ""]);
    return { action: { httpGet: { host: str(g.host) ?? hostIP, port, path: str(g.path) ?? "/", scheme: str(g.scheme) ?? "HTTP", headers } }, ...timing };
  }
  if (isRecord(p.tcpSocket)) {
    const port = portOf(p.tcpSocket.port, container);
    if (port === undefined) return undefined;
    return { action: { tcp: { host: str(p.tcpSocket.host) ?? hostIP, port } }, ...timing };
  }
  return undefined;
}

/** One try: true on success. httpGet succeeds on 200–399, as upstream. */
export async function probeOnce(spec: ProbeSpec, exec: ExecInContainer): Promise<boolean> {
  const a = spec.action;
  if ("exec" in a) return (await exec(a.exec, spec.timeoutMs).catch(() => -1)) === 0;
  if ("httpGet" in a) {
    if (a.httpGet.scheme.toUpperCase() !== "HTTP") return false;
    return new Promise((resolve) => {
      const req = request({ host: a.httpGet.host, port: a.httpGet.port, path: a.httpGet.path, method: "GET", timeout: spec.timeoutMs, headers: Object.fromEntries(a.httpGet.headers) }, (res) => {
        res.resume();
        resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400);
      });
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", () => resolve(false));
      req.end();
    });
  }
  return new Promise((resolve) => {
    const socket = connect({ host: a.tcp.host, port: a.tcp.port, timeout: spec.timeoutMs });
    socket.once("connect", () => { socket.destroy(); resolve(true); });
    socket.once("timeout", () => { socket.destroy(); resolve(false); });
    socket.once("error", () => resolve(false));
  });
}

/** One probe's worker: calls `onChange` when its result flips. */
export class ProbeWorker {
  private timer: NodeJS.Timeout | undefined;
  private successes = 0;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly spec: ProbeSpec,
    private readonly exec: ExecInContainer,
    /** The current result: readiness starts false, liveness true. */
    public result: boolean,
    private readonly onChange: (result: boolean) => void,
  ) {
    this.timer = setTimeout(() => void this.tick(), spec.initialDelayMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const ok = await probeOnce(this.spec, this.exec);
    if (this.stopped) return;
    if (ok) {
      this.failures = 0;
      this.successes++;
      if (!this.result && this.successes >= this.spec.successThreshold) this.flip(true);
    } else {
      this.successes = 0;
      this.failures++;
      if (this.result && this.failures >= this.spec.failureThreshold) this.flip(false);
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.spec.periodMs);
  }

  private flip(result: boolean): void {
    this.result = result;
    this.onChange(result);
  }
}
