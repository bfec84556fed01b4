/**
 * @module
 * A watch session bound to the chunked-HTTP sink: the unit the engine's HTTP
 * tests drive directly (stores open watchers through {@link WatchHub}).
 */
import { HttpSink } from "./http-sink";
import { WatchSession } from "./watch-session";
import type { EventSource } from "./watch-session";
import type { WatchRequest } from "./watch-request";

export { BOOKMARK_INTERVAL_MS, type EventSource, MAX_BACKLOG_BYTES, STALL_MS } from "./watch-session";

/** One HTTP watch stream. */
export class Watcher extends WatchSession {
  readonly stream: ReadableStream<Uint8Array>;

  constructor(source: EventSource, req: WatchRequest, onClose: (w: Watcher) => void) {
    const self: { w?: Watcher } = {};
    super(source, req, {
      timer: true,
      onClose: () => {
        if (self.w) onClose(self.w);
      },
    });
    self.w = this;
    const sink = new HttpSink(this);
    this.stream = sink.stream;
    this.start(sink);
  }
}
