/**
 * @module
 * The tunnel's frames, as they travel over the one WebSocket between a
 * node's agent and its NodeTunnel Durable Object. Control frames are text
 * messages holding JSON (validated with zod on receipt: a peer is never
 * trusted); data frames are binary messages `[u32 seq][u32 stream id][u8 channel][payload]`
 * so bytes of logs, terminals and forwarded ports cross without base64.
 * Every frame carries its sender's sequence number (`s` in a control frame's
 * JSON), by which the receiver restores their order (in-order.ts).
 * Channels are the remote-command channel numbers (stdin 0, stdout 1,
 * stderr 2, error 3, resize 4), so the API side relays them unchanged.
 */
import { z } from "zod";

/** The largest payload of one data frame; writers split bigger chunks. */
export const MAX_DATA_PAYLOAD = 16 * 1024;
/** Bytes before the payload of a data frame. */
export const DATA_HEADER_BYTES = 9;

/** What a stream reaches: a container's log, its processes, its ports, a VM's console. */
export const StreamKindSchema = z.enum(["log", "exec", "attach", "portforward", "console", "vnc", "guest"]);
export type StreamKind = z.infer<typeof StreamKindSchema>;

/** The options of `pods/log` (PodLogOptions), as the agent applies them. */
export const LogOptionsSchema = z.object({
  follow: z.boolean(),
  previous: z.boolean(),
  timestamps: z.boolean(),
  tailLines: z.number().int().nonnegative().optional(),
  sinceSeconds: z.number().int().positive().optional(),
  sinceTime: z.string().optional(),
  limitBytes: z.number().int().positive().optional(),
}).strict();
export type LogOptions = z.infer<typeof LogOptionsSchema>;

/** The options of `pods/exec` and `pods/attach` (PodExecOptions, PodAttachOptions). */
export const ProcessOptionsSchema = z.object({
  command: z.array(z.string()).max(256),
  stdin: z.boolean(),
  stdout: z.boolean(),
  stderr: z.boolean(),
  tty: z.boolean(),
}).strict();
export type ProcessOptions = z.infer<typeof ProcessOptionsSchema>;

/**
 * A question to a VM's guest agent (KubeVirt's `guestosinfo`, `userlist`,
 * `filesystemlist`); the agent answers with one JSON document and closes.
 */
export const GuestQuerySchema = z.enum(["osinfo", "users", "filesystems"]);
export type GuestQuery = z.infer<typeof GuestQuerySchema>;

/** The workload a stream is for; the agent serves only what its runtime runs. */
export const StreamTargetSchema = z.object({
  namespace: z.string().max(253),
  name: z.string().max(253),
  uid: z.string().max(64),
  container: z.string().max(253).optional(),
}).strict();
export type StreamTarget = z.infer<typeof StreamTargetSchema>;

const id = z.number().int().min(1).max(0xffffffff);

/** Asks the agent to open a stream (API → agent). */
export const OpenFrameSchema = z.object({
  t: z.literal("open"),
  id,
  kind: StreamKindSchema,
  target: StreamTargetSchema,
  log: LogOptionsSchema.optional(),
  process: ProcessOptionsSchema.optional(),
  /** portforward: the pod's port. */
  port: z.number().int().min(1).max(65535).optional(),
  /** guest: what is asked. */
  guest: GuestQuerySchema.optional(),
}).strict();
export type OpenFrame = z.infer<typeof OpenFrameSchema>;

/** The agent opened the stream (agent → API); data may follow. */
export const OpenedFrameSchema = z.object({ t: z.literal("opened"), id }).strict();

/**
 * Where this side's numbering starts (either way): the first frame a mux
 * sends. `ask`: this side has not heard the peer's hello (it is new, or
 * woke from hibernation) and the peer should say where it stands.
 */
export const HelloFrameSchema = z.object({ t: z.literal("hello"), ask: z.boolean().optional() }).strict();

/** More credit for the peer's data on a stream (either way). */
export const WindowFrameSchema = z.object({ t: z.literal("window"), id, bytes: z.number().int().min(1).max(2 ** 31) }).strict();

/** Why a stream ended, as a Kubernetes Status would say it. */
export const StreamErrorSchema = z.object({
  code: z.number().int(),
  reason: z.string().max(128),
  message: z.string().max(4096),
  /** exec: the process's exit code. */
  exitCode: z.number().int().optional(),
}).strict();
export type StreamError = z.infer<typeof StreamErrorSchema>;

/** The stream ended (either way); `error` when it failed, before or after opening. */
export const CloseFrameSchema = z.object({ t: z.literal("close"), id, error: StreamErrorSchema.optional() }).strict();

/** Any control frame. */
export const ControlFrameSchema = z.discriminatedUnion("t", [HelloFrameSchema, OpenFrameSchema, OpenedFrameSchema, WindowFrameSchema, CloseFrameSchema]);
export type ControlFrame = z.infer<typeof ControlFrameSchema>;

/** One data frame. */
export interface DataFrame {
  /** The sender's sequence number. */
  seq: number;
  id: number;
  channel: number;
  payload: Uint8Array;
}

/** Encodes a data frame. */
export function encodeData(frame: DataFrame): Uint8Array {
  const out = new Uint8Array(DATA_HEADER_BYTES + frame.payload.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, frame.seq);
  view.setUint32(4, frame.id);
  out[8] = frame.channel;
  out.set(frame.payload, DATA_HEADER_BYTES);
  return out;
}

/** Decodes a data frame; undefined when it is too short to be one. */
export function decodeData(bytes: Uint8Array): DataFrame | undefined {
  if (bytes.byteLength < DATA_HEADER_BYTES || bytes.byteLength > DATA_HEADER_BYTES + MAX_DATA_PAYLOAD) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { seq: view.getUint32(0), id: view.getUint32(4), channel: bytes[8] ?? 0, payload: bytes.subarray(DATA_HEADER_BYTES) };
}

/** Encodes a control frame with its sender's sequence number. */
export function encodeControl(frame: ControlFrame, seq: number): string {
  return JSON.stringify({ s: seq, ...frame });
}

const SequenceSchema = z.number().int().min(0).max(0xffffffff);

/** Decodes and validates a control frame and its sequence number; undefined when it is not one (the caller ignores it). */
export function decodeControl(text: string): { seq: number; frame: ControlFrame } | undefined {
  if (text.length > 64 * 1024) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  const { s, ...rest } = raw as Record<string, unknown>;
  const seq = SequenceSchema.safeParse(s);
  const parsed = ControlFrameSchema.safeParse(rest);
  return seq.success && parsed.success ? { seq: seq.data, frame: parsed.data } : undefined;
}
