/**
 * One HTTP watch stream as the bench sees it: opened like client-go's
 * reflector after a list (`?watch=true&resourceVersion=<list RV>`, so there
 * are no initial events), newline-delimited JSON events read as they come,
 * and the arrival time of every ADDED event kept by resourceVersion.
 */
import { type Agent, request } from "node:https";
import type { ClientRequest, IncomingMessage } from "node:http";

/** Where a stream stands. */
export type StreamState = "opening" | "open" | "failed" | "ended" | "closed";

/** Connection details shared by every stream of a phase. */
export interface WatchTarget {
  base: string;
  token: string;
  /** The watch path with its query. */
  path: string;
  agent: Agent;
}

/** Opening a stream gives up after this long without response headers. */
const OPEN_TIMEOUT_MS = 30_000;
/** Kept per stream for the report; the count covers the rest. */
const MAX_KEPT_LINES = 3;

/** The event type and `object.metadata.resourceVersion` of a watch line, if it has them. */
function eventOf(line: string): { type: string; rv: number } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof parsed !== "object" || parsed === null || !("type" in parsed) || !("object" in parsed)) return undefined;
  const { type, object } = parsed;
  const metadata = typeof object === "object" && object !== null && "metadata" in object ? object.metadata : undefined;
  const rv = typeof metadata === "object" && metadata !== null && "resourceVersion" in metadata ? metadata.resourceVersion : undefined;
  if (typeof type !== "string" || typeof rv !== "string" || !/^\d+$/.test(rv)) return undefined;
  return { type, rv: Number(rv) };
}

/** A watch stream and what it received. */
export class WatchStream {
  state: StreamState = "opening";
  /** Why it failed or ended before the bench closed it. */
  error: string | undefined;
  /** Arrival time (ns, monotonic) of the first ADDED event seen for each resourceVersion. */
  readonly received = new Map<number, bigint>();
  /** ADDED events whose resourceVersion had already arrived. */
  duplicates = 0;
  /** Lines that are not an ADDED event with a resourceVersion (BOOKMARK, ERROR, garbage). */
  unexpected = 0;
  readonly unexpectedLines: string[] = [];
  private req: ClientRequest | undefined;
  private pending = "";

  /** Opens a stream; resolves once its response headers arrived or it failed (never rejects). */
  static open(target: WatchTarget): Promise<WatchStream> {
    const s = new WatchStream();
    return new Promise((done) => {
      const timer = setTimeout(() => s.fail(`no response headers within ${OPEN_TIMEOUT_MS} ms`), OPEN_TIMEOUT_MS);
      const settle = (): void => {
        clearTimeout(timer);
        done(s);
      };
      s.req = request(`${target.base}${target.path}`, {
        agent: target.agent,
        headers: { authorization: `Bearer ${target.token}`, accept: "application/json" },
      }, (res) => {
        if (res.statusCode !== 200) {
          const chunks: Buffer[] = [];
          res.on("data", (d: Buffer) => chunks.push(d));
          res.on("end", () => {
            s.fail(`status ${res.statusCode ?? 0}: ${Buffer.concat(chunks).toString("utf8").slice(0, 300)}`);
            settle();
          });
          return;
        }
        s.state = "open";
        s.read(res);
        settle();
      });
      s.req.on("error", (err) => {
        s.fail(err.message);
        settle();
      });
      s.req.end();
    });
  }

  /** Lines read so far that carried an event (expected or not). */
  get events(): number {
    return this.received.size + this.duplicates + this.unexpected;
  }

  /** Ends the stream from the client side, as a client going away would. */
  close(): void {
    if (this.state === "open" || this.state === "opening") this.state = "closed";
    this.req?.destroy();
  }

  private fail(message: string): void {
    if (this.state === "closed") return;
    this.state = this.state === "open" ? "ended" : "failed";
    this.error ??= message;
    this.req?.destroy();
  }

  private read(res: IncomingMessage): void {
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      // One timestamp per chunk, taken before any parsing, so the bench's own
      // parsing is not billed to the events in this chunk.
      const at = process.hrtime.bigint();
      const lines = (this.pending + chunk).split("\n");
      this.pending = lines.pop() ?? "";
      for (const line of lines) if (line !== "") this.take(line, at);
    });
    res.on("end", () => this.fail(`the server ended the stream after ${this.events} events`));
    res.on("aborted", () => this.fail("the response was aborted"));
    res.on("error", (err) => this.fail(err.message));
  }

  private take(line: string, at: bigint): void {
    const ev = eventOf(line);
    if (!ev || ev.type !== "ADDED") {
      this.unexpected++;
      if (this.unexpectedLines.length < MAX_KEPT_LINES) this.unexpectedLines.push(line.slice(0, 300));
    } else if (this.received.has(ev.rv)) {
      this.duplicates++;
    } else {
      this.received.set(ev.rv, at);
    }
  }
}

/**
 * Opens `count` streams, `batch` at a time (each batch waits for the
 * previous one's headers), so the server is not hit by a thousand TLS
 * handshakes at once.
 */
export async function openStreams(target: WatchTarget, count: number, batch: number): Promise<WatchStream[]> {
  const out: WatchStream[] = [];
  while (out.length < count) {
    const n = Math.min(batch, count - out.length);
    out.push(...(await Promise.all(Array.from({ length: n }, () => WatchStream.open(target)))));
  }
  return out;
}
