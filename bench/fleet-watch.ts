/**
 * The fleet bench's eyes: one watch stream per collection (from a list's
 * resourceVersion, as a reflector opens it) recording, per object uid, when
 * it was first seen and when it was first seen Running with Ready=True — the
 * creation→Running latency KubeVirt's CI tracks as vmiCreationToRunning,
 * measured on this process's monotonic clock rather than the second-precision
 * timestamps on the objects.
 */
import type { IncomingMessage } from "node:http";
import { type Agent, request } from "node:https";

interface Seen {
  first: bigint;
  running?: bigint;
  node?: string;
}

interface WatchedObject {
  metadata?: { uid?: string; resourceVersion?: string };
  spec?: { nodeName?: string };
  status?: { phase?: string; nodeName?: string; conditions?: { type?: string; status?: string }[] };
}

function runningAndReady(o: WatchedObject): boolean {
  return o.status?.phase === "Running" && (o.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/** Objects of one collection as a watch saw them. */
export class FleetWatch {
  readonly seen = new Map<string, Seen>();
  errors: string[] = [];
  private res: IncomingMessage | undefined;
  private buffered = "";

  private constructor(private readonly onChange: () => void) {}

  /** Lists `path` for its resourceVersion, then watches from it; resolves once the watch is open. */
  static async open(base: string, token: string, agent: Agent, path: string, onChange: () => void): Promise<FleetWatch> {
    const w = new FleetWatch(onChange);
    const list = await new Promise<string>((done, fail) => {
      const req = request(`${base}${path}`, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () => done(body));
        res.on("error", fail);
      });
      req.on("error", fail);
      req.end();
    });
    const rv = (JSON.parse(list) as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion ?? "0";
    const sep = path.includes("?") ? "&" : "?";
    await new Promise<void>((done, fail) => {
      const req = request(`${base}${path}${sep}watch=true&resourceVersion=${rv}&allowWatchBookmarks=true`, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
        if (res.statusCode !== 200) {
          fail(new Error(`watch ${path}: HTTP ${res.statusCode ?? 0}`));
          return;
        }
        w.res = res;
        res.setEncoding("utf8");
        res.on("data", (d: string) => w.take(d));
        res.on("end", () => w.errors.push("stream ended"));
        res.on("error", (e) => w.errors.push(e.message));
        done();
      });
      req.on("error", fail);
      req.end();
    });
    return w;
  }

  private take(chunk: string): void {
    const now = process.hrtime.bigint();
    this.buffered += chunk;
    let nl: number;
    while ((nl = this.buffered.indexOf("\n")) >= 0) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      if (line.trim() === "") continue;
      const ev = JSON.parse(line) as { type: string; object: WatchedObject };
      if (ev.type === "ERROR") this.errors.push(JSON.stringify(ev.object).slice(0, 300));
      const uid = ev.object.metadata?.uid;
      if (!uid || ev.type === "BOOKMARK" || ev.type === "DELETED") continue;
      let s = this.seen.get(uid);
      if (!s) {
        s = { first: now };
        this.seen.set(uid, s);
      }
      s.node = ev.object.status?.nodeName ?? ev.object.spec?.nodeName ?? s.node;
      if (s.running === undefined && runningAndReady(ev.object)) s.running = now;
    }
    this.onChange();
  }

  /** How many objects were seen Running and Ready. */
  runningCount(): number {
    let n = 0;
    for (const s of this.seen.values()) if (s.running !== undefined) n++;
    return n;
  }

  /** Creation (first seen) → Running and Ready, in ms, sorted. */
  latencies(): number[] {
    return [...this.seen.values()].filter((s) => s.running !== undefined)
      .map((s) => Number((s.running ?? 0n) - s.first) / 1e6).sort((a, b) => a - b);
  }

  /** When each object was first seen Running and Ready, in seconds after `start`, ascending: the converge curve. */
  runningTimes(start: bigint): number[] {
    return [...this.seen.values()].flatMap((s) => (s.running === undefined ? [] : [Number(s.running - start) / 1e9])).sort((a, b) => a - b);
  }

  /** Objects per node. */
  perNode(): Map<string, number> {
    const out = new Map<string, number>();
    for (const s of this.seen.values()) if (s.node) out.set(s.node, (out.get(s.node) ?? 0) + 1);
    return out;
  }

  close(): void {
    this.res?.destroy();
  }
}
