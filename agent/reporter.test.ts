import { tempDir } from "../test/e2e/temp-dir.ts";
import { join } from "node:path";
import type { ServerResponse } from "node:http";
import { afterEach, describe, it } from "vitest";
import type { ReportItem } from "../shared/hosts/report.ts";
import { newSigningSecret, verifySignature } from "../shared/hosts/signature.ts";
import { HttpClient } from "./http.ts";
import { memoryLogger } from "./log.ts";
import { Reporter } from "./reporter.ts";
import { loadSequenceFloor, saveSequenceFloor, Sequence } from "./sequence.ts";
import { type Received, sendJson, startServer, type TestServer, until } from "./test-support/http-server.ts";

const WEBHOOK = "/webhooks/v1/nodes/n1/reports";

function item(uid: string, sequence: number, phase: "Pending" | "Running" = "Running"): ReportItem {
  return { kind: "Pod", namespace: "default", name: `pod-${uid}`, uid, sequence, status: { phase } };
}

/** A webhook receiver answering every item Applied, after failing with each of `failures` in turn. */
function receiver(failures: number[] = []) {
  const left = [...failures];
  return (req: Received, res: ServerResponse): void => {
    const failStatus = left.shift();
    if (failStatus !== undefined) {
      sendJson(res, failStatus, { kind: "Status", code: failStatus, message: "try later" });
      return;
    }
    const body = JSON.parse(req.body) as { items: ReportItem[] };
    sendJson(res, 200, {
      kind: "HostReportResult", apiVersion: "hosts.duraplane.io/v1", replayed: false,
      items: body.items.map((i) => ({ kind: i.kind, namespace: i.namespace, name: i.name, result: i.uid === "bad" ? "Invalid" : "Applied", code: 200, message: "nope" })),
    });
  };
}

let server: TestServer | undefined;
let reporter: Reporter | undefined;
afterEach(async () => {
  await reporter?.close(100);
  await server?.close();
  reporter = undefined;
  server = undefined;
});

function makeReporter(url: string, secrets: readonly string[], log = memoryLogger()): Reporter {
  const http = new HttpClient({ server: url });
  return new Reporter({
    post: (body, headers) => http.request("POST", WEBHOOK, { body, headers }),
    secrets: () => secrets, log, flushDelayMs: 5,
    backoff: { initialMs: 40, maxMs: 1000, jitter: 0 },
  });
}

describe("Reporter", () => {
  it("sends the usage sampled with a heartbeat in the same report, and a retry keeps it", async ({ expect }) => {
    server = await startServer(receiver([503]));
    reporter = makeReporter(server.url, [newSigningSecret()]);
    const usage = { node: { timestamp: "2026-01-01T00:00:00Z", windowSeconds: 10, cpuNanoCores: 5, memoryBytes: 6 } };
    reporter.heartbeat({ capacity: { cpu: "1" } }, usage);
    const second = await until(() => server?.requests[1], 5000, "the retried report");
    for (const req of [server.requests[0], second]) {
      expect(JSON.parse(req?.body ?? "{}")).toEqual({ node: { capacity: { cpu: "1" } }, items: [], usage });
    }
  });

  it("signs every report with every secret (Standard Webhooks)", async ({ expect }) => {
    const secrets = [newSigningSecret(), newSigningSecret()];
    server = await startServer(receiver());
    reporter = makeReporter(server.url, secrets);
    reporter.enqueue(item("a", 1));
    const req = await until(() => server?.requests[0], 5000, "a report");
    const id = String(req.headers["webhook-id"]);
    const ts = String(req.headers["webhook-timestamp"]);
    const sig = String(req.headers["webhook-signature"]);
    expect(req.method).toBe("POST");
    expect(req.url.pathname).toBe(WEBHOOK);
    expect(req.headers.authorization).toBeUndefined();
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(5);
    expect(sig.split(" ")).toHaveLength(2);
    // Either secret alone verifies (the server may know only the newer or only the older one).
    expect(await verifySignature([secrets[0] ?? ""], id, ts, req.body, sig)).toBe(true);
    expect(await verifySignature([secrets[1] ?? ""], id, ts, req.body, sig)).toBe(true);
    expect(await verifySignature([newSigningSecret()], id, ts, req.body, sig)).toBe(false);
    expect(await verifySignature(secrets, id, ts, `${req.body} `, sig)).toBe(false);
  });

  it("retries 5xx and 429 with growing delays under the same webhook-id, re-signing each time", async ({ expect }) => {
    const secret = newSigningSecret();
    server = await startServer(receiver([503, 429, 502]));
    const log = memoryLogger();
    reporter = makeReporter(server.url, [secret], log);
    reporter.enqueue(item("a", 1));
    await until(() => server && server.requests.length >= 4, 5000, "four attempts");
    const attempts = server.requests.slice(0, 4);
    const ids = new Set(attempts.map((r) => r.headers["webhook-id"]));
    expect(ids.size).toBe(1);
    expect(new Set(attempts.map((r) => r.body)).size).toBe(1);
    for (const r of attempts) {
      expect(await verifySignature([secret], String(r.headers["webhook-id"]), String(r.headers["webhook-timestamp"]), r.body, String(r.headers["webhook-signature"]))).toBe(true);
    }
    const gaps = attempts.slice(1).map((r, i) => r.at - (attempts[i]?.at ?? 0));
    // 40, 80, 160 ms with no jitter (timers may run late, never early).
    expect(gaps[0]).toBeGreaterThanOrEqual(38);
    expect(gaps[1]).toBeGreaterThanOrEqual(78);
    expect(gaps[2]).toBeGreaterThanOrEqual(158);
    expect(log.lines.filter((l) => l.includes("retrying"))).toHaveLength(3);
    await until(() => log.lines.some((l) => l.includes("webhook reachable again")), 2000, "recovery line");
  });

  it("survives the receiver being down (connection refused) and delivers once it is back", async ({ expect }) => {
    const down = await startServer(receiver());
    const url = down.url;
    await down.close();
    reporter = makeReporter(url, [newSigningSecret()]);
    reporter.enqueue(item("a", 1));
    await new Promise((r) => setTimeout(r, 150));
    const port = Number(new URL(url).port);
    // Bring a receiver up on the same port.
    const { createServer } = await import("node:http");
    const got: string[] = [];
    const back = createServer((req, res) => {
      got.push(String(req.headers["webhook-id"]));
      req.resume();
      req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ items: [] })));
    });
    await new Promise<void>((resolve) => back.listen(port, "127.0.0.1", resolve));
    try {
      await until(() => got.length > 0, 5000, "delivery after restart");
      expect(got[0]).toMatch(/^msg_/);
    } finally {
      back.closeAllConnections();
      await new Promise((r) => back.close(r));
    }
  });

  it("sends only the latest observation per object, and ignores an older one arriving late", async ({ expect }) => {
    server = await startServer(receiver());
    reporter = makeReporter(server.url, [newSigningSecret()]);
    await reporter.pause();
    reporter.enqueue(item("a", 1, "Pending"));
    reporter.enqueue(item("b", 2, "Pending"));
    reporter.enqueue(item("a", 3, "Running"));
    reporter.enqueue(item("a", 2, "Pending"));
    reporter.heartbeat({ conditions: [{ type: "Ready", status: "True" }] });
    expect(reporter.backlog).toBe(2);
    reporter.resume();
    const req = await until(() => server?.requests[0], 5000, "a batch");
    const body = JSON.parse(req.body) as { node?: unknown; items: ReportItem[] };
    expect(body.items.map((i) => [i.uid, i.sequence])).toEqual([["b", 2], ["a", 3]]);
    expect(body.node).toEqual({ conditions: [{ type: "Ready", status: "True" }] });
    await reporter.settled();
    expect(server.requests).toHaveLength(1);
  });

  it("splits large backlogs into reports of at most maxItems", async ({ expect }) => {
    server = await startServer(receiver());
    const http = new HttpClient({ server: server.url });
    reporter = new Reporter({
      post: (body, headers) => http.request("POST", WEBHOOK, { body, headers }),
      secrets: () => [newSigningSecret()], log: memoryLogger(), flushDelayMs: 5, maxItems: 2,
    });
    for (let i = 0; i < 5; i++) reporter.enqueue(item(`u${i}`, i + 1));
    await until(() => server && server.requests.length === 3, 5000, "three batches");
    const sizes = server.requests.map((r) => (JSON.parse(r.body) as { items: unknown[] }).items.length);
    expect(sizes).toEqual([2, 2, 1]);
    expect(new Set(server.requests.map((r) => r.headers["webhook-id"])).size).toBe(3);
  });

  it("drops a refused report (400) and logs Invalid items", async ({ expect }) => {
    let calls = 0;
    server = await startServer((req, res) => {
      calls++;
      if (calls === 1) sendJson(res, 400, { kind: "Status", code: 400, message: "report body is malformed" });
      else receiver()(req, res);
    });
    const log = memoryLogger();
    reporter = makeReporter(server.url, [newSigningSecret()], log);
    reporter.enqueue(item("a", 1));
    await until(() => log.lines.some((l) => l.includes("report refused, dropped")), 5000, "drop line");
    reporter.enqueue(item("bad", 2));
    await until(() => log.lines.some((l) => l.includes("report item invalid") && l.includes("pod-bad")), 5000, "invalid line");
    expect(server.requests).toHaveLength(2);
  });
});

describe("Sequence", () => {
  it("increases strictly, even when the clock stands still or goes back", ({ expect }) => {
    const t0 = 1_700_000_000_000;
    let now = t0;
    const seq = new Sequence(0, () => now);
    const a = seq.next();
    const b = seq.next();
    now -= 5000;
    const c = seq.next();
    expect(a).toBe(t0 * 1000);
    expect(b).toBeGreaterThan(a);
    expect(c).toBeGreaterThan(b);
    expect(Number.isSafeInteger(c)).toBe(true);
  });

  it("stays above the saved high-water mark across restarts", ({ expect }) => {
    const file = join(tempDir("agent-seq-"), "sequence");
    const now = () => 1_700_000_000_000;
    const first = new Sequence(loadSequenceFloor(file), now);
    for (let i = 0; i < 5000; i++) first.next(); // a burst runs ahead of the clock
    saveSequenceFloor(file, first);
    const second = new Sequence(loadSequenceFloor(file), now);
    expect(second.next()).toBeGreaterThan(first.current);
  });
});
