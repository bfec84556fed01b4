/**
 * The tunnel's frame codec and its flow control: a stream whose reader
 * stops does not stall another stream on the same tunnel — and without the
 * windows it does (the second test shows the first one can fail).
 */
import { describe, expect, it } from "vitest";
import { decodeControl, decodeData, encodeControl, encodeData, MAX_DATA_PAYLOAD, type OpenFrame } from "./frames";
import { Mux, type MuxOptions, type MuxStream } from "./mux";

describe("frames", () => {
  it("round-trips data frames with a 32-bit id and a channel", () => {
    const payload = new TextEncoder().encode("hello");
    const bytes = encodeData({ id: 0xfffffffe, channel: 2, payload });
    expect(bytes.byteLength).toBe(10);
    const back = decodeData(bytes);
    expect(back?.id).toBe(0xfffffffe);
    expect(back?.channel).toBe(2);
    expect(new TextDecoder().decode(back?.payload)).toBe("hello");
    expect(decodeData(new Uint8Array(4))).toBeUndefined();
    expect(decodeData(new Uint8Array(5 + MAX_DATA_PAYLOAD + 1))).toBeUndefined();
  });

  it("validates control frames and drops anything else", () => {
    const open: OpenFrame = { t: "open", id: 7, kind: "exec", target: { namespace: "n", name: "p", uid: "u", container: "c" },
      process: { command: ["echo", "hi"], stdin: false, stdout: true, stderr: true, tty: false } };
    expect(decodeControl(encodeControl(open))).toEqual(open);
    expect(decodeControl(encodeControl({ t: "window", id: 1, bytes: 10 }))).toEqual({ t: "window", id: 1, bytes: 10 });
    for (const bad of ["", "{", "[]", '{"t":"open","id":1}', '{"t":"window","id":0,"bytes":1}', '{"t":"window","id":1,"bytes":-1}',
      '{"t":"close","id":1,"extra":true}', '{"t":"open","id":1,"kind":"shell","target":{"namespace":"n","name":"p","uid":"u"}}']) {
      expect(decodeControl(bad), bad).toBeUndefined();
    }
  });
});

/**
 * Two muxes joined by one ordered pipe, as the WebSocket joins them. The
 * receiving side reads the pipe one message at a time and stops reading it
 * while a stream holds more than it may (what a bounded receiver must do
 * when nothing else limits its senders).
 */
function tunnel(options: MuxOptions) {
  const toApi: (string | Uint8Array)[] = [];
  let stalled = false;
  const agentStreams: MuxStream[] = [];
  let api!: Mux;
  const pump = (): void => {
    while (!stalled && toApi.length > 0) {
      const msg = toApi.shift();
      if (msg !== undefined && !api.receive(msg)) stalled = true;
    }
  };
  const agent = new Mux({
    sendText: (t) => { toApi.push(t); pump(); },
    sendBinary: (b) => { toApi.push(b.slice()); pump(); },
  }, options, { onOpen: (_f, s) => { agentStreams.push(s); agent.accept(s); } });
  api = new Mux({ sendText: (t) => agent.receive(t), sendBinary: (b) => agent.receive(b.slice()) }, options);
  const resume = (): void => {
    stalled = false;
    pump();
  };
  return { agent, api, agentStreams, resume, queued: () => toApi.length };
}

function openLog(api: Mux, id: number): MuxStream {
  return api.open({ t: "open", id, kind: "log", target: { namespace: "n", name: `p${id}`, uid: `u${id}` },
    log: { follow: true, previous: false, timestamps: false } });
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function bytes(n: number, fill: number): Uint8Array {
  return new Uint8Array(n).fill(fill);
}

describe("flow control", () => {
  function slowAndFast(options: MuxOptions) {
    const t = tunnel(options);
    const slow = openLog(t.api, 1);
    const fast = openLog(t.api, 2);
    let slowGot = 0;
    let fastGot = 0;
    slow.attach({ data: (_c, p) => { slowGot += p.byteLength; }, end: () => {} }); // never consumed: its reader stopped reading
    fast.attach({ data: (_c, p) => { fastGot += p.byteLength; fast.consumed(p.byteLength); }, end: () => {} });
    const [agentSlow, agentFast] = t.agentStreams;
    if (!agentSlow || !agentFast) throw new Error("streams not opened");
    const slowWrite = agentSlow.write(1, bytes(2 * 1024 * 1024 - 1, 1));
    agentFast.write(1, bytes(64 * 1024, 2));
    return { t, slow, fast, slowWrite, got: () => ({ slowGot, fastGot }), agentSlow };
  }

  it("a stream whose reader stopped does not stall another stream", () => {
    const { got, slowWrite } = slowAndFast({});
    expect(slowWrite).toBe(false); // the slow stream's writer is told to wait…
    expect(got().slowGot).toBe(256 * 1024); // …after one window
    expect(got().fastGot).toBe(64 * 1024); // and the other stream got everything
  });

  it("without the windows the same slow reader stalls the other stream", () => {
    const { got } = slowAndFast({ flowControl: false });
    expect(got().fastGot).toBe(0);
  });

  it("the slow stream gets every byte, in order, once its reader reads", () => {
    const t = tunnel({});
    const slow = openLog(t.api, 1);
    const received: number[] = [];
    const pending: Uint8Array[] = [];
    slow.attach({ data: (_c, p) => pending.push(p), end: () => {} });
    const agentSlow = t.agentStreams[0];
    if (!agentSlow) throw new Error("not opened");
    const total = 1024 * 1024 + 123;
    const data = new Uint8Array(total).map((_, i) => i % 251);
    let drained = 0;
    agentSlow.onDrain = () => drained++;
    agentSlow.write(1, data);
    while (pending.length > 0) {
      const p = pending.shift();
      if (!p) break;
      for (const b of p) received.push(b);
      slow.consumed(p.byteLength);
    }
    expect(received.length).toBe(total);
    expect(received.every((b, i) => b === i % 251)).toBe(true);
    expect(drained).toBe(1);
  });

  it("resets a stream whose peer overruns its window, and only that stream", () => {
    const t = tunnel({});
    const s1 = openLog(t.api, 1);
    const s2 = openLog(t.api, 2);
    let closed: unknown;
    s1.onClose = (e) => (closed = e);
    // A peer that ignores the windows: data frames straight onto the tunnel.
    for (let i = 0; i < 20; i++) t.api.receive(encodeData({ id: 1, channel: 1, payload: bytes(MAX_DATA_PAYLOAD, 0) }));
    expect(closed).toMatchObject({ message: "peer overran the stream's window" });
    expect(s1.closed).toBe(true);
    expect(s2.closed).toBe(false);
  });

  it("keeps what arrives before a consumer attaches, in order, end last", () => {
    const t = tunnel({});
    const s = openLog(t.api, 1);
    const a = t.agentStreams[0];
    a?.write(1, text("a"));
    a?.write(2, text("b"));
    a?.close();
    const seen: string[] = [];
    s.attach({ data: (c, p) => seen.push(`${c}:${new TextDecoder().decode(p)}`), end: () => seen.push("end") });
    expect(seen).toEqual(["1:a", "2:b", "end"]);
  });

  it("a close is sent after the queued data, and an error travels with it", () => {
    const t = tunnel({});
    const s = openLog(t.api, 1);
    let got = 0;
    let error: unknown = "open";
    s.attach({ data: (_c, p) => { got += p.byteLength; s.consumed(p.byteLength); }, end: (e) => (error = e) });
    const a = t.agentStreams[0];
    a?.write(1, bytes(600 * 1024, 3));
    a?.close({ code: 400, reason: "BadRequest", message: "done" });
    expect(got).toBe(600 * 1024);
    expect(error).toEqual({ code: 400, reason: "BadRequest", message: "done" });
    expect(t.api.size).toBe(0);
    expect(t.agent.size).toBe(0);
  });
});
