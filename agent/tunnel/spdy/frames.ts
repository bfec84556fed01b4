/**
 * @module
 * SPDY/3.1 framing (draft-mbelshe-httpbis-spdy-00 §2.2), as much as the
 * port-forward protocol uses: an incremental parser of control and data
 * frames, and builders for the frames a server sends. Header blocks are
 * compressed with zlib primed with the SPDY dictionary: incoming ones are
 * inflated as one continuing stream per session; outgoing ones are written
 * as stored (uncompressed) deflate blocks of one continuing zlib stream,
 * which every inflater reads.
 */
import { constants, inflateSync } from "node:zlib";
import { SPDY_V3_DICTIONARY } from "./dictionary.ts";

export const SYN_STREAM = 1;
export const SYN_REPLY = 2;
export const RST_STREAM = 3;
export const SETTINGS = 4;
export const PING = 6;
export const GOAWAY = 7;
export const HEADERS = 8;
export const WINDOW_UPDATE = 9;
export const FLAG_FIN = 0x01;
/** The largest frame accepted (a peer sending more is broken). */
const MAX_FRAME = 1 << 20;

/** One parsed frame. */
export type SpdyFrame =
  | { control: true; type: number; flags: number; payload: Buffer }
  | { control: false; streamId: number; flags: number; payload: Buffer };

/** Splits a byte stream into frames. */
export class FrameParser {
  private buf = Buffer.alloc(0);

  /** Adds bytes; returns the frames now complete. Throws on a frame too large to be real. */
  push(bytes: Uint8Array): SpdyFrame[] {
    this.buf = this.buf.length === 0 ? Buffer.from(bytes) : Buffer.concat([this.buf, bytes]);
    const out: SpdyFrame[] = [];
    while (this.buf.length >= 8) {
      const length = this.buf.readUIntBE(5, 3);
      if (length > MAX_FRAME) throw new Error(`SPDY frame of ${length} bytes`);
      if (this.buf.length < 8 + length) break;
      const flags = this.buf[4] ?? 0;
      const payload = this.buf.subarray(8, 8 + length);
      const first = this.buf.readUInt32BE(0);
      if (first & 0x80000000) out.push({ control: true, type: first & 0xffff, flags, payload });
      else out.push({ control: false, streamId: first & 0x7fffffff, flags, payload });
      this.buf = this.buf.subarray(8 + length);
    }
    return out;
  }
}

/** Inflates the peer's header blocks: one zlib stream across the session. */
export class HeaderInflater {
  private input = Buffer.alloc(0);
  private produced = 0;

  /** The name/value pairs of one block (values split on NUL, names lower-case). */
  inflate(block: Buffer): Map<string, string[]> {
    // Node's zlib has no sync streaming inflate: inflate everything so far and keep the new tail.
    // Header blocks are small and few (two per forwarded connection); the session bounds the total.
    this.input = Buffer.concat([this.input, block]);
    if (this.input.length > 256 * 1024) throw new Error("too many SPDY header bytes in one session");
    const all = inflateSync(this.input, { dictionary: SPDY_V3_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
    const out = all.subarray(this.produced);
    this.produced = all.length;
    return parseHeaderBlock(out);
  }
}

function parseHeaderBlock(b: Buffer): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  let at = 0;
  const n = b.readUInt32BE(at);
  at += 4;
  for (let i = 0; i < n; i++) {
    const kl = b.readUInt32BE(at);
    at += 4;
    const key = b.subarray(at, at + kl).toString("latin1").toLowerCase();
    at += kl;
    const vl = b.readUInt32BE(at);
    at += 4;
    headers.set(key, b.subarray(at, at + vl).toString("latin1").split("\0"));
    at += vl;
  }
  return headers;
}

const SYNC_FLUSH = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);

/** Writes this side's header blocks: stored deflate blocks of one zlib stream (no dictionary needed to read). */
export class HeaderWriter {
  private started = false;

  block(headers: Record<string, string>): Buffer {
    const parts: Buffer[] = [u32(Object.keys(headers).length)];
    for (const [k, v] of Object.entries(headers)) parts.push(u32(k.length), Buffer.from(k, "latin1"), u32(v.length), Buffer.from(v, "latin1"));
    const raw = Buffer.concat(parts);
    const stored = Buffer.alloc(5);
    stored[0] = 0; // BFINAL 0, BTYPE 00 (stored), then padding to the byte boundary
    stored.writeUInt16LE(raw.length, 1);
    stored.writeUInt16LE(~raw.length & 0xffff, 3);
    const head = this.started ? [] : [Buffer.from([0x78, 0x01])];
    this.started = true;
    // An empty stored block ends each header block, as zlib's sync flush does: Go's inflater hands out
    // a block's bytes only when it reaches the next block header, which must be in the same frame.
    return Buffer.concat([...head, stored, raw, SYNC_FLUSH]);
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

/** A control frame. */
export function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE((((0x8000 | 3) << 16) | type) >>> 0, 0);
  head.writeUInt32BE(((flags << 24) | payload.length) >>> 0, 4);
  return Buffer.concat([head, payload]);
}

/** A data frame. */
export function dataFrame(streamId: number, flags: number, payload: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head.writeUInt32BE(((flags << 24) | payload.byteLength) >>> 0, 4);
  return Buffer.concat([head, payload]);
}

/** SYN_REPLY for a stream. */
export function synReply(streamId: number, headers: HeaderWriter): Buffer {
  return controlFrame(SYN_REPLY, 0, Buffer.concat([u32(streamId & 0x7fffffff), headers.block({})]));
}

/** RST_STREAM with a status code (1 PROTOCOL_ERROR, 3 REFUSED_STREAM, 5 CANCEL). */
export function rstStream(streamId: number, status: number): Buffer {
  return controlFrame(RST_STREAM, 0, Buffer.concat([u32(streamId & 0x7fffffff), u32(status)]));
}

/** The id of a SYN_STREAM's stream. */
export function synStreamId(payload: Buffer): number {
  return payload.readUInt32BE(0) & 0x7fffffff;
}

/** The header block of a SYN_STREAM (after the ids, priority and slot). */
export function synStreamHeaders(payload: Buffer): Buffer {
  return payload.subarray(10);
}
