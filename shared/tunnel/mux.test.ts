/**
 * The tunnel's frame codec and its flow control: a stream whose reader
 * stops does not stall another stream on the same tunnel — and without the
 * windows it does (the second test shows the first one can fail).
 */
import { describe, expect, it } from "vitest";
import { decodeControl, decodeData, encodeControl, encodeData, MAX_DATA_PAYLOAD, type OpenFrame } from "./frames";
import { InOrder } from "./in-order";
import { Mux, type MuxOptions, type MuxStream } from "./mux";

describe("frames", () => {
  it("round-trips data frames with a sequence number, a 32-bit id and a channel", () => {
    const payload = new TextEncoder().encode("hello");
    const bytes = encodeData({ seq: 0xffffffff, id: 0xfffffffe, channel: 2, payload });
    expect(bytes.byteLength).toBe(14);
    const back = decodeData(bytes);
    expect(back?.seq).toBe(0xffffffff);
    expect(back?.id).toBe(0xfffffffe);
    expect(back?.channel).toBe(2);
    expect(new TextDecoder().decode(back?.payload)).toBe("hello");
    expect(decodeData(new Uint8Array(8))).toBeUndefined();
    expect(decodeData(new Uint8Array(9 + MAX_DATA_PAYLOAD + 1))).toBeUndefined();
  });

  it("validates control frames and drops anything else", () => {
    const open: OpenFrame = { t: "open", id: 7, kind: "exec", target: { namespace: "n", name: "p", uid: "u", container: "c" },
      process: { command: ["echo", "hi"], stdin: false, stdout: true, stderr: true, tty: false } };
    expect(decodeControl(encodeControl(open, 3))).toEqual({ seq: 3, frame: open });
    expect(decodeControl(encodeControl({ t: "window", id: 1, bytes: 10 }, 0))).toEqual({ seq: 0, frame: { t: "window", id: 1, bytes: 10 } });
    for (const bad of ["", "{", "[]", "null", '{"t":"window","id":1,"bytes":10}', '{"s":-1,"t":"window","id":1,"bytes":10}',
      '{"s":1,"t":"open","id":1}', '{"s":1,"t":"window","id":0,"bytes":1}', '{"s":1,"t":"window","id":1,"bytes":-1}',
      '{"s":1,"t":"close","id":1,"extra":true}', '{"s":1,"t":"open","id":1,"kind":"shell","target":{"namespace":"n","name":"p","uid":"u"}}']) {
      expect(decodeControl(bad), bad).toBeUndefined();
    }
  });
});

/** The agent side's first sequence number, fixed so a test can put frames of its own between the agent's. */
const AGENT_FIRST_SEQ = 0xfffffff0;

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
  }, { firstSeq: AGENT_FIRST_SEQ, ...options }, { onOpen: (_f, s) => { agentStreams.push(s); agent.accept(s); } });
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
    // A peer that ignores the windows: data frames straight onto the tunnel, numbered after the agent's hello and two "opened".
    for (let i = 0; i < 20; i++) t.api.receive(encodeData({ seq: AGENT_FIRST_SEQ + 3 + i, id: 1, channel: 1, payload: bytes(MAX_DATA_PAYLOAD, 0) }));
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

describe("messages the transport delivers out of order", () => {
  it("an opened, its data and its close reach the stream in the order they were sent, whatever order they came in", () => {
    // The agent sends five: its hello, opened, two data frames and the close; they arrive in these orders.
    const orders = [[4, 3, 2, 1, 0], [0, 1, 3, 2, 4], [4, 1, 0, 2, 3]];
    for (const order of orders) {
      const reorder = (m: (string | Uint8Array)[]): (string | Uint8Array)[] => {
        expect(m).toHaveLength(5);
        return order.map((i) => m[i]).filter((x) => x !== undefined);
      };
      const seen: string[] = [];
      // The agent's messages are held, then handed over in the order `reorder` picks, as a Durable Object was seen to get them.
      const held: (string | Uint8Array)[] = [];
      const agentStreams: MuxStream[] = [];
      const agent = new Mux({ sendText: (t) => held.push(t), sendBinary: (b) => held.push(b.slice()) }, {},
        { onOpen: (_f, s) => agentStreams.push(s) });
      const api = new Mux({ sendText: (t) => agent.receive(t), sendBinary: (b) => agent.receive(b.slice()) }, {},
        { onOpened: () => seen.push("opened") });
      const s = openLog(api, 1);
      const a = agentStreams[0];
      if (!a) throw new Error("not opened");
      agent.accept(a);
      a.write(1, text("one"));
      a.write(1, text("two"));
      a.close({ code: 500, reason: "NonZeroExitCode", message: "", exitCode: 3 });
      s.attach({ data: (_c, p) => seen.push(new TextDecoder().decode(p)), end: (e) => seen.push(`end ${e?.exitCode ?? ""}`) });
      for (const m of reorder(held.splice(0))) api.receive(m);
      expect(seen).toEqual(["opened", "one", "two", "end 3"]);
    }
  });

  it("waits for the sender's hello, then goes on from it; holds only so many early messages", () => {
    const got: number[] = [];
    const order = new InOrder<number>((m) => got.push(m), 4);
    order.push(11, 11);
    order.push(12, 12);
    expect(got).toEqual([]); // the first to arrive need not be the first sent
    order.start(10);
    order.push(10, 10);
    expect(got).toEqual([10, 11, 12]);
    // A new hello (a peer that started again): its numbering from there on, anything older delivered late rather than lost.
    order.start(0x80000000);
    order.push(0x80000001, 2);
    order.push(0x80000000, 1);
    order.push(13, 13);
    expect(got).toEqual([10, 11, 12, 1, 2, 13]);
    // A message that never comes: past four held ones the receiver goes on without it.
    for (let i = 4; i <= 8; i++) order.push(0x80000000 + i, i);
    expect(got).toEqual([10, 11, 12, 1, 2, 13, 4, 5, 6, 7, 8]);
    expect(order.held).toBe(0);
    // Numbers wrap at 2^32.
    const wrap: number[] = [];
    const w = new InOrder<number>((m) => wrap.push(m));
    w.start(0xffffffff);
    w.push(1, 3);
    w.push(0xffffffff, 1);
    w.push(0, 2);
    expect(wrap).toEqual([1, 2, 3]);
  });

  it("an API side woken from hibernation asks the agent where it stands, and keeps its replies in order", () => {
    let toApi: (m: string | Uint8Array) => void = () => {};
    const agent = new Mux({ sendText: (t) => toApi(t), sendBinary: (b) => toApi(b.slice()) }, {}, {
      onOpen: (_f, st) => {
        agent.accept(st);
        st.write(1, text("hi"));
        st.close();
      },
    });
    const apiSide = () => {
      const seen: string[] = [];
      const api = new Mux({ sendText: (t) => agent.receive(t), sendBinary: (b) => agent.receive(b.slice()) }, {}, { onOpened: () => seen.push("opened") });
      return { api, seen };
    };
    const logOf = (side: { api: Mux; seen: string[] }, id: number): void => {
      openLog(side.api, id).attach({ data: (_c, p) => side.seen.push(new TextDecoder().decode(p)), end: () => side.seen.push("end") });
    };
    // The first API side hears the agent as it speaks.
    const first = apiSide();
    toApi = (m) => first.api.receive(m);
    logOf(first, 1);
    expect(first.seen).toEqual(["opened", "hi", "end"]);
    // A fresh API side (the Durable Object woke without its memory) gets the agent's replies in reverse.
    const woken = apiSide();
    const held: (string | Uint8Array)[] = [];
    toApi = (m) => held.push(m);
    logOf(woken, 2);
    expect(held.length).toBe(4); // the agent's hello (answering the ask), opened, data, close
    for (const m of held.reverse()) woken.api.receive(m);
    expect(woken.seen).toEqual(["opened", "hi", "end"]);
  });
});
