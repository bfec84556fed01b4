/**
 * SPDY/3.1 framing for port-forward: header blocks compressed as a peer
 * compresses them (one zlib stream primed with the SPDY dictionary, sync
 * flushed per block) are read back across blocks; the server's stored
 * blocks inflate with any zlib; frames split anywhere are reassembled.
 */
import { constants, createDeflate, inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { SPDY_V3_DICTIONARY } from "./dictionary.ts";
import { dataFrame, FrameParser, HeaderInflater, HeaderWriter, synReply, SYN_REPLY } from "./frames.ts";

function block(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n, 0); return b; };
  parts.push(u32(Object.keys(headers).length));
  for (const [k, v] of Object.entries(headers)) parts.push(u32(k.length), Buffer.from(k), u32(v.length), Buffer.from(v));
  return Buffer.concat(parts);
}

/** Compresses blocks as Go's SPDY framer does: one stream, a sync flush after each. */
async function compress(blocks: Buffer[]): Promise<Buffer[]> {
  const deflate = createDeflate({ dictionary: SPDY_V3_DICTIONARY });
  const out: Buffer[] = [];
  for (const b of blocks) {
    const chunks: Buffer[] = [];
    const onData = (c: Buffer) => chunks.push(c);
    deflate.on("data", onData);
    deflate.write(b);
    await new Promise<void>((r) => deflate.flush(constants.Z_SYNC_FLUSH, () => r()));
    deflate.off("data", onData);
    out.push(Buffer.concat(chunks));
  }
  deflate.close();
  return out;
}

describe("SPDY header blocks", () => {
  it("the dictionary is SPDY/3's (1423 bytes)", () => {
    expect(SPDY_V3_DICTIONARY.length).toBe(1423);
  });

  it("reads a peer's header blocks across one compression stream", async () => {
    const [first, second] = await compress([block({ streamtype: "error", port: "80", requestid: "0" }), block({ streamtype: "data", port: "80", requestid: "0" })]);
    const inflater = new HeaderInflater();
    expect(inflater.inflate(first ?? Buffer.alloc(0)).get("streamtype")).toEqual(["error"]);
    const next = inflater.inflate(second ?? Buffer.alloc(0));
    expect(Object.fromEntries([...next].map(([k, v]) => [k, v[0]]))).toEqual({ streamtype: "data", port: "80", requestid: "0" });
  });

  it("writes blocks any inflater reads, each ending in a sync flush", () => {
    const writer = new HeaderWriter();
    const a = writer.block({});
    const b = writer.block({ x: "y" });
    expect([...a.subarray(-5)]).toEqual([0, 0, 0, 0xff, 0xff]);
    const both = inflateSync(Buffer.concat([a, b]), { dictionary: SPDY_V3_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
    expect(both).toEqual(Buffer.concat([block({}), block({ x: "y" })]));
  });
});

describe("SPDY frames", () => {
  it("reassembles frames split at any byte", () => {
    const bytes = Buffer.concat([synReply(1, new HeaderWriter()), dataFrame(3, 1, Buffer.from("hello"))]);
    const parser = new FrameParser();
    const frames = [...bytes].flatMap((b) => parser.push(Uint8Array.of(b)));
    expect(frames).toHaveLength(2);
    expect(frames[0]).toMatchObject({ control: true, type: SYN_REPLY });
    expect(frames[1]).toMatchObject({ control: false, streamId: 3, flags: 1 });
    expect(frames[1]?.payload.toString()).toBe("hello");
  });
});
