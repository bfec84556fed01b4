/**
 * @module
 * The two ends a tunnel stream is delivered to: an HTTP body (pods/log,
 * read at the client's pace: credit goes back to the agent only as the body
 * is pulled) and a WebSocket (exec, attach, port-forward, console, VNC),
 * in the protocol its subprotocol names.
 */
import type { StreamKind } from "../../shared/tunnel/frames";
import type { MuxStream } from "../../shared/tunnel/mux";
import { channelMessage, CLOSE, ERROR, exitStatus, V5 } from "./remote-command";

/** Marks activity on a stream (for the idle timeout). */
export type Touch = () => void;

/** A log stream as an HTTP body: bytes of channel 1, pulled by the client, ended when the stream ends. */
export function httpBody(stream: MuxStream, touch: Touch): ReadableStream<Uint8Array> {
  const pending: Uint8Array[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  stream.attach({
    data: (_channel, payload) => {
      touch();
      pending.push(payload);
      wake?.();
    },
    end: () => {
      ended = true;
      wake?.();
    },
  });
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (pending.length === 0 && !ended) await new Promise<void>((r) => (wake = r));
      wake = undefined;
      const next = pending.shift();
      if (next) {
        controller.enqueue(next);
        stream.consumed(next.byteLength);
      } else {
        controller.close();
      }
    },
    cancel() {
      stream.reset();
    },
  }, { highWaterMark: 0 });
}

/** What a socket relay needs to know. */
export interface SocketRelay {
  kind: StreamKind;
  protocol: string;
  /** exec: the command, for the exit Status's message. */
  command: readonly string[];
  touch: Touch;
  /** Holds what goes to the client this long after the socket opened (remote-command.ts, outputHoldMs); 0 sends at once. */
  holdMs?: number;
}

function bytesOf(data: string | ArrayBuffer | Blob): Uint8Array {
  if (data instanceof Blob) return new Uint8Array(0); // not reached: binaryType is arraybuffer
  return typeof data === "string" ? new TextEncoder().encode(data) : new Uint8Array(data);
}

/**
 * Relays a stream and a client's WebSocket both ways. exec and attach speak
 * remote-command (a channel byte on every message, the Status on the error
 * channel at the end); the others carry raw bytes (port-forward's tunnelled
 * SPDY, the serial console, RFB).
 */
export function relaySocket(stream: MuxStream, ws: WebSocket, relay: SocketRelay): void {
  const channelled = relay.kind === "exec" || relay.kind === "attach";
  // Binary messages arrive as Blobs unless told otherwise (the standard default).
  ws.binaryType = "arraybuffer";
  // While held, what would go to the client waits here in order. Bounded: its bytes are not
  // yet consumed, so the agent's credit window stops the process's output at one window.
  let held: (() => void)[] | undefined;
  if ((relay.holdMs ?? 0) > 0) {
    held = [];
    setTimeout(() => {
      const waiting = held ?? [];
      held = undefined;
      for (const send of waiting) send();
    }, relay.holdMs);
  }
  const toClient = (send: () => void): void => {
    if (held) held.push(send);
    else send();
  };
  stream.attach({
    data: (channel, payload) => {
      relay.touch();
      toClient(() => {
        try {
          ws.send(channelled ? channelMessage(channel, payload) : payload);
        } catch {
          stream.reset();
          return;
        }
        // A WebSocket has no backpressure to read here: a send hands the bytes to the runtime.
        stream.consumed(payload.byteLength);
      });
    },
    end: (error) => {
      toClient(() => {
        try {
          if (channelled) ws.send(channelMessage(ERROR, new TextEncoder().encode(JSON.stringify(exitStatus(relay.command, error)))));
          else if (error && relay.kind !== "portforward") ws.send(new TextEncoder().encode(`\r\n${error.message}\r\n`));
          ws.close(1000, "");
        } catch {
          // the client is already gone
        }
      });
    },
  });
  ws.addEventListener("message", (event) => {
    relay.touch();
    const bytes = bytesOf(event.data);
    if (!channelled) {
      stream.write(0, bytes);
      return;
    }
    const channel = bytes[0];
    if (channel === undefined) return;
    // v5's close signal: [255][channel]; kept as a frame of its own so the agent can end stdin.
    if (channel === CLOSE && relay.protocol === V5) stream.write(CLOSE, bytes.subarray(1, 2));
    else stream.write(channel, bytes.subarray(1));
  });
  const gone = (): void => stream.reset();
  ws.addEventListener("close", () => {
    gone();
    try {
      ws.close(1000, "");
    } catch {
      // already closed
    }
  });
  ws.addEventListener("error", gone);
}
