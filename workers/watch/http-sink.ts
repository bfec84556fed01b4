/**
 * @module
 * The chunked-HTTP sink of a watch: newline-delimited JSON on a
 * ReadableStream. The stream's queue is the backlog the session bounds:
 * history is read only when the stream pulls (its client has room), and a
 * client that takes nothing for a while with data queued is stalled.
 */
import type { WireEventType } from "./encode";
import type { EventView } from "./event-filter";
import type { CloseReason, WatchSession, WatchSink } from "./watch-session";

/** Bytes a stream buffers before it stops reading history. */
export const HIGH_WATER_MARK = 64 * 1024;

const encoder = new TextEncoder();

/** A session's HTTP stream. */
export class HttpSink implements WatchSink {
  readonly stream: ReadableStream<Uint8Array>;
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  private pushed = 0;
  private dequeuedAtCheck = 0;
  private lastProgressAt = Date.now();

  constructor(session: WatchSession) {
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          this.controller = c;
        },
        pull: () => {
          this.lastProgressAt = Date.now();
          session.fill();
        },
        cancel: () => session.close("cancelled"),
      },
      { highWaterMark: HIGH_WATER_MARK, size: (chunk) => chunk.byteLength },
    );
  }

  send(text: string): void {
    this.push(encoder.encode(`${text}\n`));
  }

  sendShared(view: EventView, type: WireEventType, body: string): void {
    this.push(view.jsonLine(type, body));
  }

  backlog(): number {
    return HIGH_WATER_MARK - (this.controller?.desiredSize ?? 0);
  }

  hasRoom(): boolean {
    return (this.controller?.desiredSize ?? 0) > 0;
  }

  stalled(now: number, stallMs: number): boolean {
    // Progress = bytes the client took since the last check (pull is not called while the queue is above its mark).
    const dequeued = this.pushed - this.backlog();
    if (dequeued > this.dequeuedAtCheck) this.lastProgressAt = now;
    this.dequeuedAtCheck = dequeued;
    return this.backlog() > 0 && now - this.lastProgressAt >= stallMs;
  }

  end(_reason: CloseReason): void {
    try {
      this.controller?.close();
    } catch {
      // already closed or errored by the client going away
    }
  }

  private push(bytes: Uint8Array): void {
    this.pushed += bytes.byteLength;
    try {
      this.controller?.enqueue(bytes);
    } catch {
      // The stream was cancelled or errored; its cancel closes the session.
    }
  }
}
