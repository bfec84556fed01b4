import type { ServerResponse } from "node:http";
import { afterEach, describe, it } from "vitest";
import { HttpClient } from "./http.ts";
import { memoryLogger } from "./log.ts";
import { type ApiObject, asApiObject } from "./objects.ts";
import { type Received, sendJson, startServer, type TestServer, until } from "./test-support/http-server.ts";
import { ListWatch, type WatchEventType } from "./watch.ts";

function pod(name: string, rv: string): Record<string, unknown> {
  return { metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: rv }, spec: { nodeName: "n1" } };
}

function list(rv: string, items: unknown[]) {
  return (_req: Received, res: ServerResponse) => sendJson(res, 200, { kind: "PodList", apiVersion: "v1", metadata: { resourceVersion: rv }, items });
}

/** A watch answer: these events, one line each, then end (or hang up abruptly, or stay open). */
function stream(events: unknown[], end: "end" | "hangup" | "open" = "end") {
  return (_req: Received, res: ServerResponse) => {
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    for (const e of events) res.write(`${JSON.stringify(e)}\n`);
    if (end === "end") res.end();
    else if (end === "hangup") setTimeout(() => res.socket?.destroy(), 20);
  };
}

const expired = { type: "ERROR", object: { kind: "Status", apiVersion: "v1", status: "Failure", code: 410, reason: "Expired", message: "too old resource version: 15 (40)" } };

let server: TestServer | undefined;
let watch: ListWatch<ApiObject> | undefined;
afterEach(async () => {
  await watch?.stop();
  await server?.close();
});

describe("ListWatch", () => {
  it("lists, watches from the list's RV, resumes from the last RV (BOOKMARK or event) and relists on 410", async ({ expect }) => {
    const script = [
      list("10", [pod("a", "5")]),
      stream([{ type: "ADDED", object: pod("b", "11") }, { type: "BOOKMARK", object: { metadata: { resourceVersion: "15" } } }]),
      stream([expired]),
      list("20", [pod("b", "11")]),
      (_req: Received, res: ServerResponse) => sendJson(res, 410, { kind: "Status", code: 410, reason: "Gone", message: "gone" }),
      list("30", []),
      stream([{ type: "ADDED", object: pod("c", "31") }], "hangup"),
      stream([{ type: "DELETED", object: pod("c", "32") }], "open"),
    ];
    server = await startServer((req, res) => {
      const next = script.shift();
      if (next) next(req, res);
      else res.writeHead(500).end();
    });
    const calls: string[] = [];
    watch = new ListWatch({
      name: "pods", http: new HttpClient({ server: server.url }), path: "/api/v1/pods", query: { fieldSelector: "spec.nodeName=n1" },
      parse: asApiObject, resourceVersionOf: (o) => o.metadata.resourceVersion, log: memoryLogger(),
      backoff: { initialMs: 10, maxMs: 50 },
      handler: {
        replace: (items) => calls.push(`replace ${items.map((i) => i.metadata.name).join(",")}`),
        apply: (type: WatchEventType, o) => calls.push(`${type} ${o.metadata.name}`),
      },
    });
    watch.start();
    await until(() => calls.includes("DELETED c"), 5000, "the last event");
    expect(calls).toEqual(["replace a", "ADDED b", "replace b", "replace ", "ADDED c", "DELETED c"]);
    const requests = server.requests.map((r) => ({
      watch: r.url.searchParams.get("watch"), rv: r.url.searchParams.get("resourceVersion"),
      selector: r.url.searchParams.get("fieldSelector"), bookmarks: r.url.searchParams.get("allowWatchBookmarks"),
    }));
    expect(requests.map((r) => (r.watch ? `watch@${r.rv}` : "list"))).toEqual([
      "list", "watch@10", "watch@15", "list", "watch@20", "list", "watch@30", "watch@31",
    ]);
    expect(requests.every((r) => r.selector === "spec.nodeName=n1")).toBe(true);
    expect(requests.filter((r) => r.watch).every((r) => r.bookmarks === "true")).toBe(true);
    expect(watch.resourceVersion).toBe("32");
  });

  it("backs off and retries when the server is failing, then lists", async ({ expect }) => {
    let failures = 3;
    server = await startServer((req, res) => {
      if (failures-- > 0) {
        sendJson(res, 503, { kind: "Status", code: 503, message: "restarting" });
        return;
      }
      if (req.url.searchParams.get("watch")) stream([], "open")(req, res);
      else list("7", [pod("a", "7")])(req, res);
    });
    const log = memoryLogger();
    const replaced: number[] = [];
    watch = new ListWatch({
      name: "pods", http: new HttpClient({ server: server.url }), path: "/api/v1/pods", query: {},
      parse: asApiObject, resourceVersionOf: (o) => o.metadata.resourceVersion, log,
      backoff: { initialMs: 20, maxMs: 100, jitter: 0 },
      handler: { replace: (items) => replaced.push(items.length), apply: () => undefined },
    });
    watch.start();
    await until(() => replaced.length === 1, 5000, "the list");
    expect(log.lines.filter((l) => l.includes("watch interrupted"))).toHaveLength(3);
    const times = server.requests.map((r) => r.at);
    expect((times[3] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(20 + 40 + 80 - 5);
  });

  it("follows continue tokens when listing", async ({ expect }) => {
    server = await startServer((req, res) => {
      if (req.url.searchParams.get("watch")) return stream([], "open")(req, res);
      if (req.url.searchParams.get("continue") === "page2") return list("9", [pod("b", "9")])(req, res);
      sendJson(res, 200, { metadata: { resourceVersion: "9", continue: "page2" }, items: [pod("a", "8")] });
    });
    let names: string[] = [];
    watch = new ListWatch({
      name: "pods", http: new HttpClient({ server: server.url }), path: "/api/v1/pods", query: {}, pageSize: 1,
      parse: asApiObject, resourceVersionOf: (o) => o.metadata.resourceVersion, log: memoryLogger(),
      handler: { replace: (items) => (names = items.map((i) => i.metadata.name)), apply: () => undefined },
    });
    watch.start();
    await until(() => names.length === 2, 5000, "both pages");
    expect(names).toEqual(["a", "b"]);
    expect(server.requests[0]?.url.searchParams.get("limit")).toBe("1");
  });
});
