/**
 * Child process of bench/watch.ts (see writer-process.ts): creates pods one
 * after another over one keep-alive connection and reports, for each, its
 * resourceVersion, when its request started (where delivery latency is
 * timed from) and when its response finished arriving (the end of the write
 * latency).
 */
import { Agent } from "node:https";
import { IDLE_SOCKET_TIMEOUT_MS } from "../agent/http.ts";
import { resourceVersionOf, send } from "./https-request.ts";
import type { WriteRecord, WriterMessage, WriterStart } from "./writer-process.ts";
import { podBody } from "./pod-body.ts";

const tell = (m: WriterMessage): void => {
  process.send?.(m);
};

let start: WriterStart | undefined;
const agent = new Agent({ keepAlive: true, timeout: IDLE_SOCKET_TIMEOUT_MS, maxSockets: 1, rejectUnauthorized: false });

async function create(s: WriterStart, name: string): Promise<WriteRecord> {
  const res = await send(s.base, s.token, agent, "POST", `/api/v1/namespaces/${s.namespace}/pods`, podBody(name, "watch delivery"));
  if (res.status !== 201) throw new Error(`create ${name} answered ${res.status}: ${res.body}`);
  return { rv: resourceVersionOf(res.body), startNs: res.startNs, ackNs: res.endNs };
}

async function warmUp(s: WriterStart): Promise<void> {
  for (let i = 0; i < s.warmup; i++) await create(s, `${s.prefix}w-${i}`);
}

async function measure(s: WriterStart): Promise<WriteRecord[]> {
  // The connection sat idle while the watchers opened; a read makes sure a
  // reconnect (if the server dropped it) is not billed to the first write.
  const probe = await send(s.base, s.token, agent, "GET", `/api/v1/namespaces/${s.namespace}`);
  if (probe.status !== 200) throw new Error(`GET namespace answered ${probe.status}: ${probe.body}`);
  const out: WriteRecord[] = [];
  for (let i = 0; i < s.writes; i++) out.push(await create(s, `${s.prefix}m-${i}`));
  return out;
}

function fail(err: unknown): void {
  tell({ type: "failed", message: err instanceof Error ? err.message : String(err) });
}

process.on("message", (raw: unknown) => {
  const m = raw as WriterStart | { type: "go" };
  if (m.type === "start") {
    start = m;
    warmUp(m).then(() => tell({ type: "ready" }), fail);
  } else if (start) {
    measure(start).then((writes) => tell({ type: "done", writes }), fail);
  } else {
    fail(new Error("go before start"));
  }
});
// The parent going away (Ctrl-C, crash) must not leave this process behind.
process.on("disconnect", () => process.exit(0));
