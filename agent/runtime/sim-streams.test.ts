/**
 * The simulated runtime's stream pieces on their own: the log reader's
 * PodLogOptions, the tiny shell, and the RFB 3.8 handshake of the VNC server.
 */
import type { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { ContainerLog, readLog } from "./sim-log.ts";
import { runScript, shellSession, words } from "./sim-shell.ts";
import { simulatedVnc, VNC_HEIGHT, VNC_WIDTH } from "./sim-vnc.ts";

async function text(r: Readable): Promise<string> {
  let out = "";
  for await (const chunk of r) out += String(chunk);
  return out;
}

const base = { follow: false, previous: false, timestamps: false };

describe("the simulated log", () => {
  const log = new ContainerLog(5);
  const t0 = Date.parse("2026-01-01T00:00:00Z");
  for (let i = 1; i <= 7; i++) log.append(`${i} x`, t0 + i * 1000);
  log.close();

  it("keeps the last lines only, and reads them per PodLogOptions", async () => {
    expect(await text(readLog(log, base))).toBe("3 x\n4 x\n5 x\n6 x\n7 x\n");
    expect(await text(readLog(log, { ...base, tailLines: 2 }))).toBe("6 x\n7 x\n");
    expect(await text(readLog(log, { ...base, limitBytes: 6 }))).toBe("3 x\n4 ");
    expect(await text(readLog(log, { ...base, sinceTime: new Date(t0 + 6000).toISOString() }))).toBe("6 x\n7 x\n");
    expect(await text(readLog(log, { ...base, sinceSeconds: 2 }, t0 + 7500))).toBe("6 x\n7 x\n");
    expect(await text(readLog(log, { ...base, tailLines: 1, timestamps: true }))).toBe("2026-01-01T00:00:07.000000000Z 7 x\n");
  });

  it("follows new lines until the run ends", async () => {
    const live = new ContainerLog();
    live.append("1 y");
    const reader = readLog(live, { ...base, follow: true });
    const all = text(reader);
    setTimeout(() => live.append("2 y"), 10);
    setTimeout(() => live.close(), 20);
    expect(await all).toBe("1 y\n2 y\n");
  });
});

describe("the tiny shell", () => {
  const ctx = { hostname: "web", env: { A: "1" } };

  it("splits words with quotes and runs scripts with ;, && and ||", () => {
    expect(words(`echo 'a b' "c d" e\\ f`)).toEqual(["echo", "a b", "c d", "e f"]);
    expect(words("echo 'open")).toBeUndefined();
    let out = "";
    let err = "";
    const io = { out: (t: string) => (out += t), err: (t: string) => (err += t) };
    expect(runScript("echo a; false && echo no || echo yes; hostname; cat /etc/hostname; echo e >&2", ctx, io)).toBe(0);
    expect(out).toBe("a\nyes\nweb\nweb\n");
    expect(err).toBe("e\n");
    expect(runScript("nope", ctx, io)).toBe(127);
  });

  it("exits with sh -c's exit code, and an interactive shell reads stdin", async () => {
    const exec = shellSession(["sh", "-c", "echo hi; exit 3; echo never"], ctx, false, false);
    const [code, out] = await Promise.all([exec.exit, text(exec.stdout)]);
    expect(code).toBe(3);
    expect(out).toBe("hi\n");
    const sh = shellSession(["sh"], ctx, true, true);
    const screen = text(sh.stdout);
    sh.stdin?.write("env\rexit 5\r");
    expect(await sh.exit).toBe(5);
    expect(await screen).toBe("/ # env\r\nA=1\r\n/ # exit 5\r\n");
  });
});

describe("the simulated VNC server", () => {
  it("speaks the RFB 3.8 handshake and sends a full frame on a non-incremental request", async () => {
    const vnc = simulatedVnc("vm1");
    const chunks: Buffer[] = [];
    vnc.on("data", (c: Buffer) => chunks.push(c));
    const got = (): Buffer => Buffer.concat(chunks);
    const settle = () => new Promise((r) => setImmediate(r));
    await settle();
    expect(got().toString()).toBe("RFB 003.008\n");
    vnc.write("RFB 003.008\n");
    await settle();
    expect([...got().subarray(12)]).toEqual([1, 1]); // one security type: None
    vnc.write(Buffer.from([1]));
    vnc.write(Buffer.from([1])); // ClientInit, shared
    await settle();
    const init = got().subarray(18);
    expect(init.readUInt16BE(0)).toBe(VNC_WIDTH);
    expect(init.readUInt16BE(2)).toBe(VNC_HEIGHT);
    expect(init.subarray(24).toString()).toBe("vm1");
    const before = got().length;
    vnc.write(Buffer.from([3, 0, 0, 0, 0, 0, 1, 64, 0, 240]));
    await settle();
    expect(got().length - before).toBe(16 + VNC_WIDTH * VNC_HEIGHT * 4);
  });
});
