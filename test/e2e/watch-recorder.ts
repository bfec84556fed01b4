/**
 * A client-node `Watch` that records every stream an informer opens: the
 * resourceVersion it resumed from, each event in arrival order and how the
 * stream ended. Informer caches hide duplicates and gaps; the raw streams
 * show them, so watch guarantees are judged here, stream by stream.
 */
import { type KubeConfig, Watch } from "@kubernetes/client-node";

/** One event as it arrived on a stream. */
export interface StreamEvent {
  type: string;
  name: string;
  rv: number;
  /** The Status message of an ERROR event. */
  message?: string;
}

/** One watch request and everything it delivered. */
export interface StreamLog {
  id: number;
  /** The `resourceVersion` query the informer resumed from ("" for none). */
  from: string;
  events: StreamEvent[];
  /** Why the stream ended: "closed", an error description, or undefined while open. */
  end?: string;
  openedAt: number;
  endedAt?: number;
}

function field(obj: unknown, key: string): unknown {
  return typeof obj === "object" && obj !== null ? (obj as Record<string, unknown>)[key] : undefined;
}

function endReason(err: unknown): string {
  if (err === null || err === undefined) return "closed";
  const status = field(err, "statusCode");
  const code = field(err, "code");
  const message = err instanceof Error ? err.message : String(err);
  return [status, code, message].filter((x) => x !== undefined).join(" ");
}

/** A Watch that asks for bookmarks (as client-go reflectors do) and logs each stream. */
export class RecordingWatch extends Watch {
  readonly streams: StreamLog[] = [];

  constructor(config: KubeConfig, private readonly t0: number) {
    super(config);
  }

  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    const log: StreamLog = {
      id: this.streams.length,
      from: String(queryParams.resourceVersion ?? ""),
      events: [],
      openedAt: Date.now() - this.t0,
    };
    this.streams.push(log);
    const params = { ...queryParams, allowWatchBookmarks: true };
    return super.watch(path, params, (phase, obj, watchObj) => {
      const meta = field(obj, "metadata");
      const ev: StreamEvent = {
        type: phase,
        name: String(field(meta, "name") ?? ""),
        rv: Number(field(meta, "resourceVersion") ?? NaN),
      };
      if (phase === "ERROR") ev.message = String(field(obj, "message") ?? "");
      log.events.push(ev);
      callback(phase, obj, watchObj);
    }, (err) => {
      log.end ??= endReason(err);
      log.endedAt ??= Date.now() - this.t0;
      done(err);
    });
  }
}

/**
 * What is wrong with one stream: object events must carry strictly
 * increasing resourceVersions, all after the one it resumed from (so a
 * resume never replays an event); BOOKMARKs may repeat the last RV but not
 * go back; and no (object, RV) pair may arrive twice.
 */
export function streamViolations(log: StreamLog): string[] {
  const out: string[] = [];
  let last = log.from === "" ? 0 : Number(log.from);
  const seen = new Set<string>();
  log.events.forEach((ev, i) => {
    const where = `stream ${log.id} (from RV "${log.from}") event #${i} ${ev.type} ${ev.name}@${ev.rv}`;
    if (ev.type === "ERROR") return;
    if (!Number.isInteger(ev.rv) || ev.rv <= 0) out.push(`${where}: resourceVersion is not a positive integer`);
    if (ev.type === "BOOKMARK") {
      if (ev.rv < last) out.push(`${where}: bookmark goes back from ${last}`);
    } else if (ev.rv <= last) {
      out.push(`${where}: resourceVersion does not increase (previous ${last})`);
    }
    const key = `${ev.name}@${ev.rv}`;
    if (ev.type !== "BOOKMARK" && seen.has(key)) out.push(`${where}: duplicate event`);
    seen.add(key);
    if (Number.isInteger(ev.rv)) last = Math.max(last, ev.rv);
  });
  return out;
}
