/**
 * A minimal Chrome DevTools Protocol client over WebSocket: enough to drive
 * the V8 profiler of the local runtime (`wrangler dev --inspector-port`).
 *
 * The target is found through the inspector's HTTP listing (`/json/list`).
 * Under wrangler 4.86 that listing holds exactly one target, "Cloudflare
 * Worker": wrangler's inspector proxy forwards it to workerd's inspector of
 * the user Worker's isolate, which also runs our Durable Objects (they are
 * classes of the same script), so one profile covers the Worker's fetch, the
 * queue consumer and every Durable Object. wrangler's own internal workers
 * (its dev proxy) are not exposed there.
 */
import WebSocket from "ws";

/** One entry of the inspector's `/json/list`. */
export interface CdpTarget {
  id: string;
  title: string;
  type: string;
  webSocketDebuggerUrl: string;
}

/** How long a command may wait for its reply unless told otherwise. */
const DEFAULT_TIMEOUT_MS = 30_000;

function isTarget(v: unknown): v is CdpTarget {
  return typeof v === "object" && v !== null && "webSocketDebuggerUrl" in v && typeof v.webSocketDebuggerUrl === "string" &&
    "id" in v && typeof v.id === "string" && "title" in v && typeof v.title === "string" && "type" in v && typeof v.type === "string";
}

/**
 * The debuggable targets on `127.0.0.1:<port>`; tries `/json/list`, then
 * `/json` (both are served by wrangler's proxy; other inspectors serve one).
 */
export async function listTargets(port: number): Promise<CdpTarget[]> {
  let lastError = "";
  for (const path of ["/json/list", "/json"]) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) {
        lastError = `${path} answered ${res.status}`;
        continue;
      }
      const body: unknown = await res.json();
      if (Array.isArray(body)) return body.filter(isTarget);
      lastError = `${path} is not a list`;
    } catch (err) {
      lastError = `${path}: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  throw new Error(`no inspector target list on 127.0.0.1:${port} (${lastError})`);
}

/** A reply to a command: its result, or the protocol's error. */
interface Reply {
  id: number;
  result?: unknown;
  error?: { code: number; message: string };
}

function isReply(v: unknown): v is Reply {
  return typeof v === "object" && v !== null && "id" in v && typeof v.id === "number";
}

/** A connected CDP session: `send` commands, await their results. */
export class CdpClient {
  private nextId = 1;
  private readonly waiting = new Map<number, { done: (r: Reply) => void; fail: (e: Error) => void; timer: NodeJS.Timeout }>();
  private closedWith: Error | undefined;

  private constructor(private readonly socket: WebSocket, readonly target: CdpTarget) {
    socket.on("message", (data) => this.receive(String(data)));
    socket.on("close", () => this.failAll(new Error("the inspector connection closed")));
    socket.on("error", (err) => this.failAll(err));
  }

  /**
   * Connects to the target of the inspector on `port` whose title matches
   * `pick` (default: the first one; wrangler lists only the user Worker).
   */
  static async connect(port: number, pick: (t: CdpTarget) => boolean = () => true, timeoutMs = 10_000): Promise<CdpClient> {
    const targets = await listTargets(port);
    const target = targets.find(pick);
    if (!target) throw new Error(`no matching inspector target on port ${port}; listed: ${targets.map((t) => t.title).join(", ") || "none"}`);
    const socket = new WebSocket(target.webSocketDebuggerUrl);
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => {
        socket.terminate();
        fail(new Error(`connecting to ${target.webSocketDebuggerUrl} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once("open", () => {
        clearTimeout(timer);
        done();
      });
      socket.once("error", (err) => {
        clearTimeout(timer);
        fail(new Error(`connecting to ${target.webSocketDebuggerUrl}: ${err.message}`));
      });
    });
    return new CdpClient(socket, target);
  }

  /** Sends `method` with `params`; resolves with its result, rejects on a protocol error or after `timeoutMs`. */
  send(method: string, params: Record<string, unknown> = {}, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<unknown> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    return new Promise<unknown>((done, fail) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        fail(new Error(`CDP ${method} got no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, {
        timer,
        fail,
        done: (r) => (r.error ? fail(new Error(`CDP ${method} failed: ${r.error.message} (${r.error.code})`)) : done(r.result)),
      });
      this.socket.send(JSON.stringify({ id, method, params }), (err) => {
        if (!err) return;
        clearTimeout(timer);
        this.waiting.delete(id);
        fail(err);
      });
    });
  }

  /** Closes the connection; pending commands fail. */
  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise<void>((done) => this.socket.once("close", () => done()));
    this.socket.close();
    // A peer that never answers the close frame must not hold the bench.
    const timer = setTimeout(() => this.socket.terminate(), 2000);
    await closed;
    clearTimeout(timer);
  }

  private receive(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    // Events (no id) are not needed by the profiler flow: ignored.
    if (!isReply(msg)) return;
    const w = this.waiting.get(msg.id);
    if (!w) return;
    this.waiting.delete(msg.id);
    clearTimeout(w.timer);
    w.done(msg);
  }

  private failAll(err: Error): void {
    this.closedWith ??= err;
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer);
      w.fail(err);
      this.waiting.delete(id);
    }
  }
}
