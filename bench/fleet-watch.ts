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
  /** First seen bound to a node (the scheduler's bind). */
  bound?: bigint;
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

/** A GET of `url`'s whole body. */
function getText(url: string, token: string, agent: Agent): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = request(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => done({ status: res.statusCode ?? 0, body }));
      res.on("error", fail);
    });
    req.on("error", fail);
    req.end();
  });
}

/**
 * Objects of one collection as a watch saw them. A stream that ends (the
 * local server restarts its Worker when someone rebuilds the dashboard's
 * assets, which ends every watch) is opened again from the last
 * resourceVersion seen, as a reflector resumes; on 410 it lists again. Each
 * resumption is counted in `resumes`, and a failure to resume in `errors`.
 */
export class FleetWatch {
  readonly seen = new Map<string, Seen>();
  errors: string[] = [];
  /** How many times the stream ended and was opened again. */
  resumes = 0;
  private res: IncomingMessage | undefined;
  private buffered = "";
  private rv = "0";
  private closed = false;

  private constructor(
    private readonly base: string, private readonly token: string, private readonly agent: Agent,
    private readonly path: string, private readonly onChange: () => void,
  ) {}

  /** Lists `path` for its resourceVersion, then watches from it; resolves once the watch is open. */
  static async open(base: string, token: string, agent: Agent, path: string, onChange: () => void): Promise<FleetWatch> {
    const w = new FleetWatch(base, token, agent, path, onChange);
    await w.list();
    await w.watch();
    return w;
  }

  /** Lists for a resourceVersion; objects in the list are taken as events (a relist after 410 may show new states). */
  private async list(): Promise<void> {
    const list = await getText(`${this.base}${this.path}`, this.token, this.agent);
    if (list.status !== 200) throw new Error(`list ${this.path}: HTTP ${list.status}`);
    const parsed = JSON.parse(list.body) as { metadata?: { resourceVersion?: string }; items?: WatchedObject[] };
    const now = process.hrtime.bigint();
    for (const item of parsed.items ?? []) this.observe(item, now);
    this.rv = parsed.metadata?.resourceVersion ?? "0";
  }

  private watch(): Promise<void> {
    const sep = this.path.includes("?") ? "&" : "?";
    const url = `${this.base}${this.path}${sep}watch=true&resourceVersion=${this.rv}&allowWatchBookmarks=true`;
    return new Promise<void>((done, fail) => {
      const req = request(url, { agent: this.agent, headers: { authorization: `Bearer ${this.token}` } }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          fail(new Error(`watch ${this.path}: HTTP ${res.statusCode ?? 0}`));
          return;
        }
        this.res = res;
        this.buffered = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => this.take(d));
        res.on("close", () => this.resume());
        done();
      });
      req.on("error", fail);
      req.end();
    });
  }

  /** Opens the stream again after it ended, from the last resourceVersion seen (a list first if that expired). */
  private resume(): void {
    if (this.closed) return;
    this.resumes++;
    const again = async (): Promise<void> => {
      for (let attempt = 0; !this.closed; attempt++) {
        try {
          if (this.rv === "") await this.list();
          await this.watch();
          return;
        } catch (err) {
          if (attempt >= 60) {
            this.errors.push(`resuming the watch failed: ${err instanceof Error ? err.message : String(err)}`);
            return;
          }
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    };
    void again();
  }

  private observe(object: WatchedObject, now: bigint): void {
    const uid = object.metadata?.uid;
    if (!uid) return;
    let s = this.seen.get(uid);
    if (!s) {
      s = { first: now };
      this.seen.set(uid, s);
    }
    s.node = object.status?.nodeName ?? object.spec?.nodeName ?? s.node;
    if (s.bound === undefined && s.node !== undefined) s.bound = now;
    if (s.running === undefined && runningAndReady(object)) s.running = now;
  }

  private take(chunk: string): void {
    const now = process.hrtime.bigint();
    this.buffered += chunk;
    let nl: number;
    while ((nl = this.buffered.indexOf("\n")) >= 0) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      if (line.trim() === "") continue;
      const ev = JSON.parse(line) as { type: string; object: WatchedObject & { code?: number } };
      if (ev.type === "ERROR") {
        // 410 Expired: list again on resuming; anything else is worth reporting.
        if (ev.object.code === 410) this.rv = "";
        else this.errors.push(JSON.stringify(ev.object).slice(0, 300));
        continue;
      }
      const rv = ev.object.metadata?.resourceVersion;
      if (rv) this.rv = rv;
      if (ev.type === "BOOKMARK" || ev.type === "DELETED") continue;
      this.observe(ev.object, now);
    }
    this.onChange();
  }

  /** How many objects were seen Running and Ready. */
  runningCount(): number {
    let n = 0;
    for (const s of this.seen.values()) if (s.running !== undefined) n++;
    return n;
  }

  /** How many objects were seen at all, and seen bound to a node: where a slow run waits. */
  stageCounts(): { seen: number; bound: number } {
    let bound = 0;
    for (const s of this.seen.values()) if (s.bound !== undefined) bound++;
    return { seen: this.seen.size, bound };
  }

  /** Creation (first seen) → bound to a node, in ms, sorted. */
  bindLatencies(): number[] {
    return [...this.seen.values()].filter((s) => s.bound !== undefined)
      .map((s) => Number((s.bound ?? 0n) - s.first) / 1e6).sort((a, b) => a - b);
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
    this.closed = true;
    this.res?.destroy();
  }
}
