/**
 * @module
 * Many streams over one tunnel: each stream has its own credit windows
 * (window.ts) and a bounded queue of what its writer produced beyond its
 * credit, so one stream's slow reader holds back that stream's writer and
 * no one else. Used alike by the NodeTunnel Durable Object and the agent.
 */
import {
  type ControlFrame, type DataFrame, decodeControl, decodeData, encodeControl, encodeData, MAX_DATA_PAYLOAD, type OpenFrame, type StreamError,
} from "./frames.js";
import { firstSequence, InOrder, nextSequence } from "./in-order.js";
import { INITIAL_WINDOW, ReceiveWindow, SendWindow } from "./window.js";

/** Where a mux sends its frames (a WebSocket). */
export interface FrameTransport {
  sendText(text: string): void;
  sendBinary(bytes: Uint8Array): void;
}

/** Tuning; the defaults are the protocol's. */
export interface MuxOptions {
  /** Credit per stream and direction (both sides must agree). */
  window?: number;
  /** A stream's writer is told to wait (write returns false) past this many queued bytes. */
  highWaterMark?: number;
  /** Queued bytes past which a stream is reset: a writer that ignores `write`'s answer. */
  maxQueued?: number;
  /**
   * Off only in tests: then nothing limits a sender, and a receiver whose
   * stream is full can only stop reading the whole tunnel (what the windows prevent).
   */
  flowControl?: boolean;
  /** The first sequence number this side sends (random unless a test fixes it). */
  firstSeq?: number;
}

/** What happens to a mux's streams. */
export interface MuxHandlers {
  /** The peer asked for a stream (agent side). */
  onOpen?(frame: OpenFrame, stream: MuxStream): void;
  /** The peer answered an open (API side). */
  onOpened?(stream: MuxStream): void;
}

/** Who reads a stream: its bytes in order, then its end. */
export interface StreamConsumer {
  /** Incoming bytes; the consumer calls `consumed` once it has handed them on. */
  data(channel: number, payload: Uint8Array): void;
  /** The stream ended (after all its data): closed by the peer, with its error if any, or reset here. */
  end(error: StreamError | undefined): void;
}

/** One stream of a mux. */
export class MuxStream {
  /** Bookkeeping when the stream ends, called at once (consumers use `attach`, which keeps order). */
  onClose: (error: StreamError | undefined) => void = () => {};
  /** The queue fell below the high-water mark after a write returned false. */
  onDrain: () => void = () => {};
  private readonly send: SendWindow;
  private readonly receiveWindow: ReceiveWindow;
  private readonly queue: { channel: number; payload: Uint8Array }[] = [];
  private queued = 0;
  private buffered = 0;
  private closing?: { error?: StreamError };
  private blocked = false;
  private consumer?: StreamConsumer;
  /** What arrived before a consumer was attached (bounded by the window). */
  private readonly early: { channel: number; payload: Uint8Array }[] = [];
  private earlyEnd?: { error: StreamError | undefined };
  closed = false;

  constructor(readonly id: number, private readonly mux: Mux) {
    const window = mux.flowControl ? mux.window : Number.POSITIVE_INFINITY;
    this.send = new SendWindow(window);
    this.receiveWindow = new ReceiveWindow(window);
  }

  /** Bytes received and not yet consumed. */
  get unconsumed(): number {
    return this.buffered;
  }

  /** Starts delivering to `consumer`, first what arrived before. */
  attach(consumer: StreamConsumer): void {
    this.consumer = consumer;
    for (const { channel, payload } of this.early.splice(0)) consumer.data(channel, payload);
    if (this.earlyEnd) consumer.end(this.earlyEnd.error);
  }

  /** Sends bytes on a channel; false when the writer should wait for `onDrain`. */
  write(channel: number, payload: Uint8Array): boolean {
    if (this.closed || this.closing) return false;
    for (let at = 0; at < payload.byteLength; at += MAX_DATA_PAYLOAD) {
      const chunk = payload.subarray(at, Math.min(payload.byteLength, at + MAX_DATA_PAYLOAD));
      this.queue.push({ channel, payload: chunk });
      this.queued += chunk.byteLength;
    }
    if (payload.byteLength === 0) this.queue.push({ channel, payload });
    this.flush();
    if (this.queued > this.mux.maxQueued) {
      this.reset({ code: 500, reason: "InternalError", message: "stream writer overran its buffer" });
      return false;
    }
    this.blocked = this.queued > this.mux.highWaterMark;
    return !this.blocked;
  }

  /** The consumer took `bytes` of received data away: the peer may send that much more. */
  consumed(bytes: number): void {
    this.buffered = Math.max(0, this.buffered - bytes);
    if (!this.mux.flowControl || this.closed) return;
    const grant = this.receiveWindow.consumed(bytes);
    if (grant > 0) this.mux.sendControl({ t: "window", id: this.id, bytes: grant });
  }

  /** Ends the stream once what is queued is sent (then tells the peer, with the error if any). */
  close(error?: StreamError): void {
    if (this.closed || this.closing) return;
    this.closing = error ? { error } : {};
    this.flush();
  }

  /** Ends the stream now, dropping what is queued. */
  reset(error?: StreamError): void {
    if (this.closed) return;
    this.queue.length = 0;
    this.queued = 0;
    this.finish(error, true);
  }

  /** @internal The peer granted credit. */
  granted(bytes: number): void {
    this.send.grant(bytes);
    this.flush();
  }

  /** @internal Data from the peer; false when this stream holds more than it may. */
  received(channel: number, payload: Uint8Array): boolean {
    if (this.closed) return true;
    if (this.mux.flowControl && !this.receiveWindow.receive(payload.byteLength)) {
      this.reset({ code: 500, reason: "InternalError", message: "peer overran the stream's window" });
      return true;
    }
    this.buffered += payload.byteLength;
    if (this.consumer) this.consumer.data(channel, payload);
    else this.early.push({ channel, payload });
    return this.buffered <= this.mux.window;
  }

  /** @internal The peer closed the stream. */
  peerClosed(error: StreamError | undefined): void {
    if (this.closed) return;
    this.queue.length = 0;
    this.queued = 0;
    this.finish(error, false);
  }

  private flush(): void {
    while (this.queue.length > 0 && !this.closed) {
      const head = this.queue[0];
      if (!head) break;
      const size = head.payload.byteLength;
      if (size > 0 && this.send.available < size) {
        // Send what credit allows, keep the rest at the head.
        const n = this.send.take(this.send.available);
        if (n === 0) break;
        this.mux.sendData(this.id, head.channel, head.payload.subarray(0, n));
        head.payload = head.payload.subarray(n);
        this.queued -= n;
        break;
      }
      this.send.take(size);
      this.queue.shift();
      this.queued -= size;
      this.mux.sendData(this.id, head.channel, head.payload);
    }
    if (this.blocked && this.queued <= this.mux.highWaterMark) {
      this.blocked = false;
      this.onDrain();
    }
    if (this.closing && this.queue.length === 0) this.finish(this.closing.error, true);
  }

  private finish(error: StreamError | undefined, tellPeer: boolean): void {
    this.closed = true;
    this.mux.forget(this.id);
    if (tellPeer) this.mux.sendControl(error ? { t: "close", id: this.id, error } : { t: "close", id: this.id });
    this.onClose(error);
    if (this.consumer) this.consumer.end(error);
    else this.earlyEnd = { error };
  }
}

/** The streams of one tunnel. */
export class Mux {
  readonly window: number;
  readonly highWaterMark: number;
  readonly maxQueued: number;
  readonly flowControl: boolean;
  private readonly streams = new Map<number, MuxStream>();
  private dead = false;
  private seq: number;
  private readonly inOrder: InOrder<ControlFrame | DataFrame>;
  /** Whether this side's hello went out (before its first frame). */
  private announced = false;
  /** Whether the peer's hello came (its numbering is known). */
  private heard = false;
  /** Only without flow control: whether a stream now holds more than its window (see receive). */
  private overfull = false;

  constructor(private readonly transport: FrameTransport, options: MuxOptions = {}, private readonly handlers: MuxHandlers = {}) {
    this.window = options.window ?? INITIAL_WINDOW;
    this.highWaterMark = options.highWaterMark ?? this.window;
    this.maxQueued = options.maxQueued ?? 8 * this.window;
    this.flowControl = options.flowControl ?? true;
    this.seq = options.firstSeq ?? firstSequence();
    this.inOrder = new InOrder((message) => this.dispatch(message));
  }

  /** Streams open now. */
  get size(): number {
    return this.streams.size;
  }

  /** The stream with this id, if open. */
  stream(id: number): MuxStream | undefined {
    return this.streams.get(id);
  }

  /** Opens a stream towards the peer (API side): sends the open frame. */
  open(frame: OpenFrame): MuxStream {
    const stream = this.register(frame.id);
    this.sendControl(frame);
    return stream;
  }

  /** Tells the peer a stream it asked for is open (agent side). */
  accept(stream: MuxStream): void {
    this.sendControl({ t: "opened", id: stream.id });
  }

  /**
   * Handles one message from the tunnel, in its sender's order. Returns false
   * when a stream now holds more unconsumed bytes than its window (only without
   * flow control: the transport should stop reading until that stream's
   * consumer catches up). Throws nothing: malformed frames are dropped.
   */
  receive(message: string | Uint8Array): boolean {
    this.overfull = false;
    if (typeof message !== "string") {
      const data = decodeData(message);
      if (data) this.inOrder.push(data.seq, data);
    } else {
      const control = decodeControl(message);
      if (control?.frame.t === "hello") this.hello(control.seq, control.frame.ask === true);
      else if (control) this.inOrder.push(control.seq, control.frame);
    }
    return !this.overfull;
  }

  /** The peer's numbering starts after its hello; one that asks learns ours. */
  private hello(seq: number, ask: boolean): void {
    this.heard = true;
    this.inOrder.start(nextSequence(seq));
    if (ask) this.send(encodeControl({ t: "hello" }, this.takeSeq()));
  }

  private dispatch(frame: ControlFrame | DataFrame): void {
    if (!("t" in frame)) {
      const stream = this.streams.get(frame.id);
      if (stream && !stream.received(frame.channel, frame.payload)) this.overfull = true;
      return;
    }
    switch (frame.t) {
      case "open": {
        if (this.streams.has(frame.id)) return;
        const stream = this.register(frame.id);
        if (this.handlers.onOpen) this.handlers.onOpen(frame, stream);
        else stream.reset({ code: 400, reason: "BadRequest", message: "this side opens no streams" });
        return;
      }
      case "opened": {
        const stream = this.streams.get(frame.id);
        if (stream) this.handlers.onOpened?.(stream);
        return;
      }
      case "window":
        this.streams.get(frame.id)?.granted(frame.bytes);
        return;
      case "close":
        this.streams.get(frame.id)?.peerClosed(frame.error);
        return;
      case "hello":
        return; // handled on receipt
    }
  }

  /** The tunnel is gone: every stream ends with `error`. */
  closeAll(error: StreamError): void {
    this.dead = true;
    for (const stream of [...this.streams.values()]) stream.peerClosed(error);
  }

  /** @internal */
  sendControl(frame: ControlFrame): void {
    if (this.dead) return;
    this.announce();
    this.send(encodeControl(frame, this.takeSeq()));
  }

  /** @internal */
  sendData(id: number, channel: number, payload: Uint8Array): void {
    if (this.dead) return;
    this.announce();
    this.send(encodeData({ seq: this.takeSeq(), id, channel, payload }));
  }

  /** Before this side's first frame: where its numbering starts. */
  private announce(): void {
    if (this.announced) return;
    this.announced = true;
    this.send(encodeControl(this.heard ? { t: "hello" } : { t: "hello", ask: true }, this.takeSeq()));
  }

  private send(message: string | Uint8Array): void {
    if (this.dead) return;
    this.announced = true;
    try {
      if (typeof message === "string") this.transport.sendText(message);
      else this.transport.sendBinary(message);
    } catch {
      // The socket closed under us; closeAll follows from its close event.
    }
  }

  private takeSeq(): number {
    const seq = this.seq;
    this.seq = nextSequence(seq);
    return seq;
  }

  /** @internal */
  forget(id: number): void {
    this.streams.delete(id);
  }

  private register(id: number): MuxStream {
    const stream = new MuxStream(id, this);
    this.streams.set(id, stream);
    return stream;
  }
}
