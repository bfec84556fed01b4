/**
 * A real browser (Debian's Chromium, driven by playwright-core) as a
 * Kubernetes client, the way a web dashboard is one: it lists pods with
 * fetch and a bearer header, then watches from the list's resourceVersion
 * over the WebSocket form of watch, carrying its token in the
 * `base64url.bearer.authorization.k8s.io.` subprotocol (a browser cannot set
 * headers on a WebSocket). Another client writes; the page must see every
 * change once, in order. A socket without a token is refused.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, type ServerRef } from "./rest.ts";
import { type LocalServer, startServer, stopServer } from "./server.ts";

const CHROMIUM = "/usr/bin/chromium";
const NS = "e2e-browser";
/** The flags toolchain.md gives for Chromium on these machines; the server's certificate is self-signed. */
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--ignore-certificate-errors",
];

let server: LocalServer | undefined;
let browser: Browser | undefined;
let page: Page | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does`);
  server = await startServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  page = await context.newPage();
  // The page's origin is the server's, as a dashboard served beside the API would be.
  await page.goto(`${server.url}/version`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (server) await stopServer(server);
});

/** What the page's watch recorded. */
interface PageWatch {
  protocol: string;
  listRv: string;
  events: { type: string; name: string; rv: string }[];
  closed?: number;
}

describe("a browser as a Kubernetes client", () => {
  it("lists with fetch, then watches over a WebSocket authenticated by subprotocol, seeing every change in order", async () => {
    if (!server || !page) throw new Error("not started");
    const ref: ServerRef = { url: server.url, token: server.token };
    expect((await api(ref, "POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } })).status).toBe(201);
    const podBody = (name: string) => ({ apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [{ name: "c", image: "nginx" }] } });
    expect((await api(ref, "POST", `/api/v1/namespaces/${NS}/pods`, podBody("before"))).status).toBe(201);

    const host = new URL(server.url).host;
    await page.evaluate(async ({ ns, token, host }) => {
      const list = await fetch(`/api/v1/namespaces/${ns}/pods`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await list.json()) as { metadata: { resourceVersion: string } };
      const b64url = btoa(token).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
      const state: PageWatch = { protocol: "", listRv: body.metadata.resourceVersion, events: [] };
      (globalThis as unknown as { watch: PageWatch }).watch = state;
      const url = `wss://${host}/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=${state.listRv}`;
      const ws = new WebSocket(url, [`base64url.bearer.authorization.k8s.io.${b64url}`, "k8s.io"]);
      ws.onmessage = (m) => {
        const ev = JSON.parse(String(m.data)) as { type: string; object: { metadata: { name: string; resourceVersion: string } } };
        state.events.push({ type: ev.type, name: ev.object.metadata.name, rv: ev.object.metadata.resourceVersion });
      };
      ws.onclose = (e) => (state.closed = e.code);
      await new Promise<void>((resolve, reject) => {
        ws.onopen = () => resolve();
        ws.onerror = () => reject(new Error("the watch socket failed to open"));
      });
      state.protocol = ws.protocol;
    }, { ns: NS, token: server.token, host });

    // Another client writes; the browser's socket must carry each change once, in order.
    const writes: { type: string; name: string; rv: string }[] = [];
    const rvOf = (res: { body: unknown }): string => (res.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    writes.push({ type: "ADDED", name: "web", rv: rvOf(await api(ref, "POST", `/api/v1/namespaces/${NS}/pods`, podBody("web"))) });
    writes.push({ type: "MODIFIED", name: "web", rv: rvOf(await api(ref, "PATCH", `/api/v1/namespaces/${NS}/pods/web`, { metadata: { labels: { tier: "front" } } }, "application/merge-patch+json")) });
    writes.push({ type: "DELETED", name: "before", rv: rvOf(await api(ref, "DELETE", `/api/v1/namespaces/${NS}/pods/before`)) });

    const seen = async (): Promise<PageWatch> => page?.evaluate(() => (globalThis as unknown as { watch: PageWatch }).watch) as Promise<PageWatch>;
    const deadline = Date.now() + 20_000;
    while ((await seen()).events.length < writes.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const watched = await seen();
    expect(watched.protocol).toBe("k8s.io");
    expect(watched.events).toEqual(writes);
    expect(Number(writes[0]?.rv)).toBeGreaterThan(Number(watched.listRv));
    expect(watched.closed).toBeUndefined();
  });

  it("refuses a socket that carries no token", async () => {
    if (!page || !server) throw new Error("not started");
    const outcome = await page.evaluate(async ({ ns, host }) => new Promise<string>((resolve) => {
      const ws = new WebSocket(`wss://${host}/api/v1/namespaces/${ns}/pods?watch=true`, ["k8s.io"]);
      ws.onopen = () => resolve("opened");
      ws.onclose = (e) => resolve(`closed ${e.code}`);
    }), { ns: NS, host: new URL(server.url).host });
    // The handshake got 401, so the socket never opened (1006: abnormal closure).
    expect(outcome).toBe("closed 1006");
  });
});
