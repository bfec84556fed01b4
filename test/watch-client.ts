/**
 * A watch client over either sink, for tests that run the same scenario
 * against chunked HTTP and WebSocket watches: events one by one with a
 * deadline, and whether the server ended the watch.
 */
import type { KubeObject } from "../shared/k8s/object";
import { send, TOKEN } from "./helpers";

/** The two transports a watch is served over. */
export type SinkKind = "http" | "websocket";
export const SINKS: SinkKind[] = ["http", "websocket"];

/** One event as received. */
export type WatchEvent = {
  type: string;
  object: KubeObject & { code?: number; reason?: string; message?: string; rows?: { cells: unknown[] }[]; columnDefinitions?: unknown };
};

/** An open watch of either kind. */
export class WatchClient {
  private readonly queue: WatchEvent[] = [];
  private ended = false;
  private wake: (() => void) | undefined;
  private constructor(
    readonly status: number,
    readonly res: Response,
    private readonly stop: () => Promise<void>,
  ) {}

  /** Opens `path` (which carries `watch=true`) as the admin, over `sink`. */
  static async open(sink: SinkKind, path: string, headers: Record<string, string> = {}): Promise<WatchClient> {
    const init = { headers: { authorization: `Bearer ${TOKEN}`, ...headers, ...(sink === "websocket" ? { upgrade: "websocket" } : {}) } };
    const res = await send(new Request(`https://duraplane.test${path}`, init));
    if (sink === "websocket") {
      const ws = res.webSocket;
      if (!ws) return new WatchClient(res.status, res, async () => {});
      const client: WatchClient = new WatchClient(res.status, res, async () => ws.close(1000, "done"));
      ws.addEventListener("message", (m) => client.push(JSON.parse(String(m.data)) as WatchEvent));
      ws.addEventListener("close", () => client.end());
      ws.accept();
      return client;
    }
    const body = res.body;
    if (res.status !== 200 || !body) return new WatchClient(res.status, res, async () => {});
    const reader = body.getReader();
    const client: WatchClient = new WatchClient(res.status, res, () => reader.cancel());
    void client.pump(reader);
    return client;
  }

  /** The next event, or undefined if none came within `ms` or the watch ended. */
  async next(ms = 3000): Promise<WatchEvent | undefined> {
    const deadline = Date.now() + ms;
    while (this.queue.length === 0 && !this.ended && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, Math.max(1, Math.min(50, deadline - Date.now())));
      });
    }
    return this.queue.shift();
  }

  /** Exactly `n` events (throws if fewer arrive). */
  async take(n: number): Promise<WatchEvent[]> {
    const out: WatchEvent[] = [];
    for (let i = 0; i < n; i++) {
      const ev = await this.next();
      if (!ev) throw new Error(`expected ${n} events, got ${out.length}: ${JSON.stringify(out.map((e) => e.type))}`);
      out.push(ev);
    }
    return out;
  }

  /** Whether the server ended the watch (after its queued events were read). */
  async isEnded(ms = 3000): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.ended;
  }

  /** Closes the client side. */
  async close(): Promise<void> {
    await this.stop().catch(() => undefined);
  }

  private push(ev: WatchEvent): void {
    this.queue.push(ev);
    this.wake?.();
  }

  private end(): void {
    this.ended = true;
    this.wake?.();
  }

  private async pump(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        buffer += decoder.decode(chunk.value, { stream: true });
        for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
          this.push(JSON.parse(buffer.slice(0, nl)) as WatchEvent);
          buffer = buffer.slice(nl + 1);
        }
      }
    } catch {
      // cancelled
    }
    this.end();
  }
}

/** `TYPE:name` of each event. */
export const summary = (evs: WatchEvent[]): string[] => evs.map((e) => `${e.type}:${e.object.metadata?.name ?? ""}`);
