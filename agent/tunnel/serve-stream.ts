/**
 * @module
 * Serves one stream the API opened over the tunnel, from the runtime
 * adapters' stream capabilities (runtime/streams.ts): checks the adapter
 * has the workload (a node's tunnel serves only its own workloads), then
 * moves bytes both ways with backpressure — a Node stream that the tunnel
 * cannot take pauses until the stream's window reopens.
 */
import type { Readable, Writable } from "node:stream";
import type { OpenFrame, StreamError } from "../../shared/tunnel/frames.ts";
import type { Mux, MuxStream } from "../../shared/tunnel/mux.ts";
import { errorMessage, type Logger } from "../log.ts";
import { badStream, type ContainerStreams, type ProcessSession, StreamRefusal, type VMStreams, type WorkloadRef } from "../runtime/streams.ts";
import { servePortForward } from "./port-forward.ts";

/** The adapters' stream capabilities, where they have them. */
export interface StreamProviders {
  containers?: ContainerStreams;
  vms?: VMStreams;
}

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const RESIZE = 4;
const CLOSE = 255;

/** Writes a readable into a stream channel, pausing it while the stream's window is shut. */
export function pipeOut(readable: Readable, stream: MuxStream, channel: number): Promise<void> {
  const previous = stream.onDrain;
  stream.onDrain = () => {
    previous();
    readable.resume();
  };
  return new Promise((resolve) => {
    readable.on("data", (chunk: Buffer | string) => {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      if (!stream.write(channel, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))) readable.pause();
    });
    readable.once("end", () => resolve());
    readable.once("close", () => resolve());
    readable.once("error", () => resolve());
  });
}

/** Writes stream bytes into a writable, granting the peer credit only once the writable took them. */
function writeIn(stream: MuxStream, writable: Writable, payload: Uint8Array): void {
  if (writable.writableEnded || writable.destroyed) {
    stream.consumed(payload.byteLength);
    return;
  }
  writable.write(payload, () => stream.consumed(payload.byteLength));
}

function refusal(err: unknown): StreamError {
  if (err instanceof StreamRefusal) return { code: err.code, reason: err.reason, message: err.message };
  return { code: 500, reason: "InternalError", message: `Internal error occurred: ${errorMessage(err)}` };
}

function need<T>(what: T | undefined, kind: string): T {
  if (!what) throw new StreamRefusal(501, "NotImplemented", `this node's runtime does not serve ${kind}`);
  return what;
}

async function serveProcess(session: ProcessSession, frame: OpenFrame, stream: MuxStream): Promise<void> {
  const opts = frame.process;
  stream.attach({
    data: (channel, payload) => {
      if (channel === STDIN && session.stdin) writeIn(stream, session.stdin, payload);
      else {
        if (channel === RESIZE) {
          try {
            const size = JSON.parse(Buffer.from(payload).toString("utf8")) as { Width?: number; Height?: number };
            session.resize(size.Width ?? 80, size.Height ?? 24);
          } catch {
            // a malformed resize is ignored, as the kubelet does
          }
        } else if (channel === CLOSE && payload[0] === STDIN) {
          session.stdin?.end();
        }
        stream.consumed(payload.byteLength);
      }
    },
    end: () => session.kill(),
  });
  const outputs = [opts?.stdout !== false ? pipeOut(session.stdout, stream, STDOUT) : Promise.resolve(session.stdout.resume()).then(() => {})];
  if (session.stderr) outputs.push(opts?.stderr ? pipeOut(session.stderr, stream, STDERR) : Promise.resolve(session.stderr.resume()).then(() => {}));
  const [code] = await Promise.all([session.exit, ...outputs]);
  stream.close(code === 0 ? undefined : { code: 500, reason: "NonZeroExitCode", message: `command terminated with exit code ${code}`, exitCode: code });
}

async function open(frame: OpenFrame, stream: MuxStream, mux: Mux, providers: StreamProviders): Promise<void> {
  const ref: WorkloadRef = { uid: frame.target.uid, namespace: frame.target.namespace, name: frame.target.name };
  const container = frame.target.container ?? "";
  switch (frame.kind) {
    case "log": {
      if (!frame.log) throw badStream("log options missing");
      const readable = await need(providers.containers, "logs").logs(ref, container, frame.log);
      mux.accept(stream);
      stream.attach({ data: (_c, p) => stream.consumed(p.byteLength), end: () => readable.destroy() });
      await pipeOut(readable, stream, STDOUT);
      stream.close();
      return;
    }
    case "exec":
    case "attach": {
      const opts = frame.process;
      if (!opts) throw badStream("process options missing");
      const containers = need(providers.containers, frame.kind);
      const session = frame.kind === "exec"
        ? await containers.exec(ref, container, opts.command, opts.tty, opts.stdin)
        : await containers.attach(ref, container, opts.tty, opts.stdin);
      mux.accept(stream);
      await serveProcess(session, frame, stream);
      return;
    }
    case "portforward":
      await servePortForward(ref, stream, mux, need(providers.containers, "port-forward"));
      return;
    case "console":
    case "vnc": {
      const vms = need(providers.vms, frame.kind);
      const duplex = frame.kind === "console" ? await vms.console(ref) : await vms.vnc(ref);
      mux.accept(stream);
      stream.attach({ data: (_c, p) => writeIn(stream, duplex, p), end: () => duplex.destroy() });
      await pipeOut(duplex, stream, STDOUT);
      stream.close();
      return;
    }
    case "guest": {
      if (!frame.guest) throw badStream("guest query missing");
      const document = await need(providers.vms, "the guest agent").guest(ref, frame.guest);
      mux.accept(stream);
      stream.attach({ data: (_c, p) => stream.consumed(p.byteLength), end: () => undefined });
      stream.write(STDOUT, new TextEncoder().encode(JSON.stringify(document)));
      stream.close();
      return;
    }
  }
}

/** Serves an open frame; failures before opening become the client's Status, later ones end the stream. */
export function serveStream(frame: OpenFrame, stream: MuxStream, mux: Mux, providers: StreamProviders, log: Logger): void {
  open(frame, stream, mux, providers).catch((err: unknown) => {
    if (!(err instanceof StreamRefusal)) log.error("stream failed", { kind: frame.kind, pod: `${frame.target.namespace}/${frame.target.name}`, error: errorMessage(err) });
    stream.reset(refusal(err));
  });
}
