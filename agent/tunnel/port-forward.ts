/**
 * @module
 * `kubectl port-forward` as kubectl ≥ 1.31 sends it: SPDY/3.1 tunnelled
 * through the WebSocket (subprotocol `SPDY/3.1+portforward.k8s.io`), which
 * the API relays over the tunnel as plain bytes. This is the kubelet's side
 * of the portforward.k8s.io protocol: for every forwarded connection the
 * client opens an error stream and a data stream (headers `streamtype`,
 * `port`, `requestid`); once both are there the agent connects to the port
 * in the pod and moves the data stream's bytes, writing a failure on the
 * error stream. Bytes from the pod pause while the tunnel stream is full.
 */
import type { Duplex } from "node:stream";
import type { Mux, MuxStream } from "../../shared/tunnel/mux.ts";
import type { ContainerStreams, WorkloadRef } from "../runtime/streams.ts";
import {
  controlFrame, dataFrame, FLAG_FIN, FrameParser, GOAWAY, HeaderInflater, HeaderWriter, PING, rstStream, SYN_STREAM,
  synReply, synStreamHeaders, synStreamId,
} from "./spdy/frames.ts";

const OUT = 1;
/** Bytes per data frame sent to the client. */
const CHUNK = 16 * 1024;
/** Forwarded connections one session may hold. */
const MAX_CONNECTIONS = 256;

interface Forward {
  errorStream?: number;
  dataStream?: number;
  port: number;
  socket?: Duplex;
  /** Bytes from the client that came before the pod connection was up. */
  early: Buffer[];
}

/** Serves one port-forward session over a tunnel stream until either side ends it. */
export async function servePortForward(ref: WorkloadRef, stream: MuxStream, mux: Mux, containers: ContainerStreams): Promise<void> {
  mux.accept(stream);
  const parser = new FrameParser();
  const inflater = new HeaderInflater();
  const writer = new HeaderWriter();
  const forwards = new Map<string, Forward>();
  const byStream = new Map<number, Forward>();
  const paused = new Set<Duplex>();
  stream.onDrain = () => {
    for (const s of paused) s.resume();
    paused.clear();
  };
  /** Sends a frame; false when the tunnel stream is full (the caller pauses its source). */
  const send = (frame: Buffer): boolean => {
    return stream.write(OUT, new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength));
  };
  const fail = (f: Forward, message: string): void => {
    if (f.errorStream !== undefined) {
      send(dataFrame(f.errorStream, 0, Buffer.from(message)));
      send(dataFrame(f.errorStream, FLAG_FIN, Buffer.alloc(0)));
    }
    if (f.dataStream !== undefined) send(dataFrame(f.dataStream, FLAG_FIN, Buffer.alloc(0)));
  };
  const connect = async (f: Forward): Promise<void> => {
    const dataStream = f.dataStream;
    if (dataStream === undefined) return;
    let socket: Duplex;
    try {
      socket = await containers.portForward(ref, f.port);
    } catch (err) {
      fail(f, `error forwarding port ${f.port} to pod ${ref.name}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    f.socket = socket;
    for (const b of f.early.splice(0)) socket.write(b);
    socket.on("data", (chunk: Buffer) => {
      let room = true;
      for (let at = 0; at < chunk.length; at += CHUNK) room = send(dataFrame(dataStream, 0, chunk.subarray(at, at + CHUNK))) && room;
      if (!room) {
        socket.pause();
        paused.add(socket);
      }
    });
    socket.once("end", () => send(dataFrame(dataStream, FLAG_FIN, Buffer.alloc(0))));
    socket.once("error", (err) => fail(f, `error forwarding port ${f.port}: ${err.message}`));
    if (f.errorStream !== undefined) send(dataFrame(f.errorStream, FLAG_FIN, Buffer.alloc(0)));
  };
  const onSynStream = (payload: Buffer): void => {
    const id = synStreamId(payload);
    const headers = inflater.inflate(synStreamHeaders(payload));
    const type = headers.get("streamtype")?.[0];
    const port = Number(headers.get("port")?.[0]);
    const request = headers.get("requestid")?.[0] ?? String(port);
    if ((type !== "error" && type !== "data") || !Number.isInteger(port) || port < 1 || port > 65535 || byStream.size >= 2 * MAX_CONNECTIONS) {
      send(rstStream(id, 1));
      return;
    }
    send(synReply(id, writer));
    let f = forwards.get(request);
    if (!f) forwards.set(request, (f = { port, early: [] }));
    if (type === "error") f.errorStream = id;
    else f.dataStream = id;
    byStream.set(id, f);
    if (f.errorStream !== undefined && f.dataStream !== undefined) void connect(f);
  };
  await new Promise<void>((resolve) => {
    const end = (): void => {
      for (const f of forwards.values()) f.socket?.destroy();
      resolve();
    };
    stream.attach({
      data: (_channel, payload) => {
        try {
          for (const frame of parser.push(payload)) {
            if (frame.control) {
              if (frame.type === SYN_STREAM) onSynStream(frame.payload);
              else if (frame.type === PING) send(controlFrame(PING, 0, frame.payload));
              else if (frame.type === GOAWAY) stream.close();
              continue;
            }
            const f = byStream.get(frame.streamId);
            if (f && frame.streamId === f.dataStream) {
              if (frame.payload.length > 0) {
                if (f.socket) f.socket.write(frame.payload);
                else f.early.push(Buffer.from(frame.payload));
              }
              if (frame.flags & FLAG_FIN) f.socket?.end();
            }
          }
        } catch (err) {
          stream.reset({ code: 400, reason: "BadRequest", message: `port-forward: ${err instanceof Error ? err.message : String(err)}` });
        }
        stream.consumed(payload.byteLength);
      },
      end,
    });
  });
}
