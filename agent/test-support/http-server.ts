/**
 * @module
 * A tiny local HTTP server for tests: it stands in for the control plane's
 * watch stream and webhook receiver (the real ones are exercised end to end
 * elsewhere). Not a mock of our server's logic: each test scripts the answers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as received. */
export interface Received {
  method: string;
  url: URL;
  headers: IncomingMessage["headers"];
  body: string;
  at: number;
}

/** A running test server. */
export interface TestServer {
  url: string;
  requests: Received[];
  close(): Promise<void>;
}

/** Starts a server on a free loopback port; `handle` answers each request (after its body is read). */
export async function startServer(handle: (req: Received, res: ServerResponse) => void | Promise<void>): Promise<TestServer> {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (d: string) => (body += d));
    req.on("end", () => {
      const received = { method: req.method ?? "", url: new URL(req.url ?? "/", "http://test"), headers: req.headers, body, at: Date.now() };
      requests.push(received);
      Promise.resolve(handle(received, res)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Answers JSON. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Polls `check` until it returns a value (not undefined/false) or the time is up. */
export async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = check();
    // An asynchronous check asks a server: poll it less often than a local one.
    const pause = answer instanceof Promise ? 200 : 10;
    const value = await answer;
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pause));
  }
}
