/**
 * @module
 * The WebSocket sink of a watch: one event per text frame. workerd gives a
 * server socket no `bufferedAmount` and no send completion, so the server
 * cannot see how far its client has read; history is therefore sent in
 * slices of SLICE_BYTES with the store yielding between them (commits and
 * other requests are served in between, and the runtime can flush), never as
 * one synchronous burst.
 */
import type { WireEventType } from "./encode";
import type { EventView } from "./event-filter";
import type { CloseReason, WatchSession, WatchSink } from "./watch-session";

/** History bytes sent per turn before the session yields. */
export const SLICE_BYTES = 64 * 1024;

/** A session's WebSocket. */
export class SocketSink implements WatchSink {
  private spent = 0;
  private resumeScheduled = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly session: WatchSession,
  ) {}

  send(text: string): void {
    this.frame(text);
  }

  sendShared(view: EventView, type: WireEventType, body: string): void {
    this.frame(view.jsonText(type, body));
  }

  backlog(): number {
    return 0;
  }

  hasRoom(): boolean {
    if (this.spent < SLICE_BYTES) return true;
    if (!this.resumeScheduled) {
      this.resumeScheduled = true;
      setTimeout(() => {
        this.resumeScheduled = false;
        this.spent = 0;
        this.session.fill();
      }, 0);
    }
    return false;
  }

  stalled(): boolean {
    return false;
  }

  end(reason: CloseReason): void {
    try {
      this.ws.close(1000, reason);
    } catch {
      // already closed
    }
  }

  private frame(text: string): void {
    this.spent += text.length;
    try {
      this.ws.send(text);
    } catch {
      // The peer is gone: end the session (its close handler may not have run yet).
      queueMicrotask(() => this.session.close("cancelled"));
    }
  }
}
