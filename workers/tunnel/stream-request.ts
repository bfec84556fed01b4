/**
 * @module
 * What the API front hands a NodeTunnel to open one stream: the stream's
 * open frame (minus its id, which the tunnel assigns), who asked, and for
 * WebSocket clients the subprotocol agreed with them. It travels in a
 * header of the request forwarded to the Durable Object.
 */
import { z } from "zod";
import { GuestQuerySchema, LogOptionsSchema, ProcessOptionsSchema, StreamKindSchema, StreamTargetSchema } from "../../shared/tunnel/frames";

/** The header carrying the request. */
export const STREAM_REQUEST_HEADER = "x-duraplane-stream";

export const StreamRequestSchema = z.object({
  kind: StreamKindSchema,
  target: StreamTargetSchema,
  log: LogOptionsSchema.optional(),
  process: ProcessOptionsSchema.optional(),
  port: z.number().int().min(1).max(65535).optional(),
  guest: GuestQuerySchema.optional(),
  user: z.string(),
  /** The WebSocket subprotocol to answer with; absent for plain HTTP (logs). */
  protocol: z.string().optional(),
  /** Holds the process's output this long after the WebSocket opens (remote-command.ts, outputHoldMs). */
  outputHoldMs: z.number().int().min(0).max(1000).optional(),
}).strict();
export type StreamRequest = z.infer<typeof StreamRequestSchema>;

/** The limits a tunnel applies (from the Worker's vars). */
export interface StreamLimits {
  perNode: number;
  perUser: number;
  idleTimeoutMs: number;
}

function intVar(raw: string | undefined, fallback: number): number {
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** Limits from the environment: STREAMS_PER_NODE, STREAMS_PER_USER, STREAM_IDLE_TIMEOUT_SECONDS (upstream's 4 h). */
export function streamLimits(env: Partial<Record<"STREAMS_PER_NODE" | "STREAMS_PER_USER" | "STREAM_IDLE_TIMEOUT_SECONDS", string>>): StreamLimits {
  return {
    perNode: intVar(env.STREAMS_PER_NODE, 256),
    perUser: intVar(env.STREAMS_PER_USER, 128),
    idleTimeoutMs: intVar(env.STREAM_IDLE_TIMEOUT_SECONDS, 4 * 60 * 60) * 1000,
  };
}
