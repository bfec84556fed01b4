/**
 * `npm run bench:list`: what reading a large collection costs. N pods in one
 * namespace (M of them carrying the label the selector matches), then, in
 * each of `--rounds` rounds, one after another on one keep-alive connection:
 *
 * - floor — `GET` of one pod: the same Worker, TLS, proxy, bearer token,
 *   routing and one Durable Object read as a list, with one object to encode.
 *   The fixed cost a request pays before it returns any collection, so the
 *   ratio to it is what the items (and the selector) add.
 * - selector — `?labelSelector=…` matching M of the N pods (all M returned).
 * - first page — `?limit=<page>`: the first `--page` pods and a continue token.
 * - full paged — `?limit=<page>` following `continue` until it is empty:
 *   every one of the N pods, first request sent → last page read.
 *
 * Each figure is timed from the request's start to the last byte of its
 * response (for the paged list, the first request's start to the last page's
 * last byte). Every answer is checked (the selector returns exactly the M,
 * a page its size, the paged list every pod once), else the run fails.
 *
 * The pods name a scheduler that does not run (`spec.schedulerName`), so they
 * stay Pending, as upstream leaves them: no scheduler pass, status write or
 * FailedScheduling Event runs behind the measurements.
 *
 *   npx tsx bench/list.ts [--short] [--pods 10000] [--matching 500] [--page 500]
 *                         [--rounds 20] [--clients 16] [--settle-ms 5000]
 *
 * `--short` (CI) is 1,000 pods, 50 matching, page 100, 5 rounds. Prints a
 * table and writes bench/results/list-<timestamp>.json, with every sample.
 */
import { randomBytes } from "node:crypto";
import type { Agent } from "node:https";
import { parseArgs } from "node:util";
import type { LocalServer } from "../test/e2e/server.ts";
import { intList } from "./bench-args.ts";
import { runBench } from "./bench-server.ts";
import { send, type TimedResponse } from "./https-request.ts";
import { benchAgent, percentile } from "./load.ts";
import { podBody } from "./pod-body.ts";

const { values } = parseArgs({
  options: {
    short: { type: "boolean", default: false },
    pods: { type: "string" },
    matching: { type: "string" },
    page: { type: "string" },
    rounds: { type: "string" },
    clients: { type: "string", default: "16" },
    "settle-ms": { type: "string", default: "5000" },
  },
  allowPositionals: false,
});

/** One integer flag, its default depending on --short. */
function flag(name: "pods" | "matching" | "page" | "rounds", full: number, short: number, min: number, max: number): number {
  const raw = values[name] ?? String(values.short ? short : full);
  const [n = full] = intList(name, raw, min, max);
  return n;
}
const nPods = flag("pods", 10_000, 1000, 1, 20_000);
const nMatching = flag("matching", 500, 50, 1, nPods);
const pageSize = flag("page", 500, 100, 1, 5000);
const rounds = flag("rounds", 20, 5, 1, 100);
const [clients = 16] = intList("clients", values.clients, 1, 128);
const [settleMs = 0] = intList("settle-ms", values["settle-ms"], 0, 60_000);

/** The label only the matching pods carry. */
const SELECTED = { key: "bench.duraplane.dev/list", value: "selected" };
/** No scheduler of this name runs: the pods stay Pending and untouched. */
const SCHEDULER = "bench-no-scheduler";

/** What one measured case is, and its samples. */
interface CaseResult {
  name: CaseName;
  /** What the figure is timed from and to. */
  measures: string;
  /** Items one sample returned, and the bytes of its answer(s). */
  items: number;
  bytes: number;
  /** HTTP requests per sample (the paged list makes one per page). */
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** p50 ÷ the floor's p50, p99 ÷ the floor's p99 (1 for the floor itself). */
  p50Ratio: number;
  p99Ratio: number;
  samplesMs: number[];
}

type CaseName = "floor" | "selector" | "first page" | "full paged";

interface Sample {
  ms: number;
  items: number;
  bytes: number;
  requests: number;
}

interface PodList {
  metadata?: { continue?: string; resourceVersion?: string };
  items?: { metadata?: { name?: string; labels?: Record<string, string> } }[];
}

/** Pod `i`'s name; every (N/M)-th pod is selected, so they spread over the whole key range. */
const podName = (i: number): string => `pod-${String(i).padStart(5, "0")}`;
const stride = Math.floor(nPods / nMatching);
const isSelected = (i: number): boolean => i % stride === 0 && i / stride < nMatching;

function podJson(i: number): string {
  const pod = JSON.parse(podBody(podName(i), "list")) as { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> };
  if (isSelected(i)) pod.metadata.labels[SELECTED.key] = SELECTED.value;
  pod.spec.schedulerName = SCHEDULER;
  return JSON.stringify(pod);
}

function parseList(res: TimedResponse, what: string): PodList {
  if (res.status !== 200) throw new Error(`${what} answered ${res.status}: ${res.body.slice(0, 300)}`);
  return JSON.parse(res.body) as PodList;
}

async function timed(s: LocalServer, agent: Agent, path: string, what: string): Promise<{ res: TimedResponse; list: PodList }> {
  const res = await send(s.url, s.token, agent, "GET", path);
  return { res, list: parseList(res, what) };
}

const ms = (from: bigint, to: bigint): number => Number(to - from) / 1e6;

/** The four cases; each answers one sample and throws if the answer is wrong. */
function cases(s: LocalServer, agent: Agent, ns: string): Record<CaseName, () => Promise<Sample>> {
  const base = `/api/v1/namespaces/${ns}/pods`;
  const selector = `${encodeURIComponent(SELECTED.key)}%3D${SELECTED.value}`;
  return {
    async floor() {
      const res = await send(s.url, s.token, agent, "GET", `${base}/${podName(1)}`);
      if (res.status !== 200) throw new Error(`GET pod answered ${res.status}: ${res.body.slice(0, 300)}`);
      return { ms: ms(res.startNs, res.endNs), items: 1, bytes: Buffer.byteLength(res.body), requests: 1 };
    },
    async selector() {
      const { res, list } = await timed(s, agent, `${base}?labelSelector=${selector}`, "selector list");
      const items = list.items ?? [];
      const wrong = items.filter((p) => p.metadata?.labels?.[SELECTED.key] !== SELECTED.value).length;
      if (items.length !== nMatching || wrong > 0) throw new Error(`selector list: ${items.length} items (${wrong} without the label), want ${nMatching}`);
      return { ms: ms(res.startNs, res.endNs), items: items.length, bytes: Buffer.byteLength(res.body), requests: 1 };
    },
    async "first page"() {
      const { res, list } = await timed(s, agent, `${base}?limit=${pageSize}`, "first page");
      const want = Math.min(pageSize, nPods);
      const n = list.items?.length ?? 0;
      if (n !== want) throw new Error(`first page: ${n} items, want ${want}`);
      if (nPods > pageSize && !list.metadata?.continue) throw new Error("first page: no continue token");
      return { ms: ms(res.startNs, res.endNs), items: n, bytes: Buffer.byteLength(res.body), requests: 1 };
    },
    async "full paged"() {
      const names = new Set<string>();
      let token = "";
      let first: bigint | undefined;
      let last = 0n;
      let bytes = 0;
      let requests = 0;
      let items = 0;
      do {
        const cont = token ? `&continue=${encodeURIComponent(token)}` : "";
        const { res, list } = await timed(s, agent, `${base}?limit=${pageSize}${cont}`, `page ${requests + 1}`);
        first ??= res.startNs;
        last = res.endNs;
        bytes += Buffer.byteLength(res.body);
        requests++;
        for (const p of list.items ?? []) {
          items++;
          names.add(p.metadata?.name ?? "");
        }
        token = list.metadata?.continue ?? "";
        if (requests > nPods / pageSize + 2) throw new Error(`paged list: still a continue token after ${requests} pages`);
      } while (token !== "");
      if (items !== nPods || names.size !== nPods) throw new Error(`paged list: ${items} items, ${names.size} distinct, want ${nPods}`);
      return { ms: ms(first, last), items, bytes, requests };
    },
  };
}

const MEASURES: Record<CaseName, string> = {
  floor: "GET of one pod: request start → last response byte",
  selector: `labelSelector matching ${nMatching} of ${nPods}: request start → last response byte`,
  "first page": `limit=${pageSize}, first page: request start → last response byte`,
  "full paged": `limit=${pageSize} following continue, all ${nPods}: first request start → last page's last byte`,
};

/**
 * Creates the N pods from `clients` loops. Setup, not a measurement: under a
 * heavy load wrangler's dev proxy now and then answers 503 "Your worker
 * restarted mid-request" (bench/README.md, fairness); such a create is sent
 * again, and a 409 after a retry means the first attempt had landed.
 */
async function createPods(s: LocalServer, ns: string): Promise<{ wallMs: number; perSecond: number; retried: number }> {
  const agent = benchAgent(clients);
  let next = 0;
  let retried = 0;
  const createOne = async (i: number): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      const res = await send(s.url, s.token, agent, "POST", `/api/v1/namespaces/${ns}/pods`, podJson(i)).catch((err: unknown) => err instanceof Error ? err : new Error(String(err)));
      if (!(res instanceof Error) && (res.status === 201 || (res.status === 409 && attempt > 0))) return;
      const why = res instanceof Error ? res.message : `${res.status}: ${res.body.slice(0, 300)}`;
      if (attempt >= 5 || (!(res instanceof Error) && res.status !== 503)) throw new Error(`create ${podName(i)}: ${why}`);
      retried++;
      await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
    }
  };
  const loop = async (): Promise<void> => {
    while (next < nPods) await createOne(next++);
  };
  const start = process.hrtime.bigint();
  try {
    await Promise.all(Array.from({ length: clients }, loop));
  } finally {
    agent.destroy();
  }
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  return { wallMs, perSecond: (nPods / wallMs) * 1000, retried };
}

async function measure(s: LocalServer, ns: string): Promise<CaseResult[]> {
  const agent = benchAgent(1);
  try {
    const run = cases(s, agent, ns);
    const names = Object.keys(run) as CaseName[];
    // One uncounted round: the connection and every code path warm.
    for (const name of names) await run[name]();
    const samples = new Map<CaseName, Sample[]>(names.map((n) => [n, []]));
    // The cases alternate within each round, so a slow spell of the shared
    // machine hits all of them rather than one.
    for (let round = 1; round <= rounds; round++) {
      for (const name of names) samples.get(name)?.push(await run[name]());
      if (round % 5 === 0 || round === rounds) console.log(`  round ${round}/${rounds}`);
    }
    const summarise = (name: CaseName): Omit<CaseResult, "p50Ratio" | "p99Ratio"> => {
      const all = samples.get(name) ?? [];
      const sorted = all.map((x) => x.ms).sort((a, b) => a - b);
      const one = all[0] ?? { items: 0, bytes: 0, requests: 0 };
      return {
        name, measures: MEASURES[name], items: one.items, bytes: one.bytes, requests: one.requests,
        p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted[sorted.length - 1] ?? Number.NaN, samplesMs: sorted,
      };
    };
    const floor = summarise("floor");
    return names.map((n) => {
      const c = summarise(n);
      return { ...c, p50Ratio: c.p50Ms / floor.p50Ms, p99Ratio: c.p99Ms / floor.p99Ms };
    });
  } finally {
    agent.destroy();
  }
}

function table(results: CaseResult[]): string {
  const head = ["case", "items", "requests", "KiB", "p50 ms", "p99 ms", "max ms", "p50 ÷ floor", "p99 ÷ floor"];
  const rows = results.map((r) => [
    r.name, String(r.items), String(r.requests), (r.bytes / 1024).toFixed(0), r.p50Ms.toFixed(1), r.p99Ms.toFixed(1), r.maxMs.toFixed(1),
    r.name === "floor" ? "" : r.p50Ratio.toFixed(2), r.name === "floor" ? "" : r.p99Ratio.toFixed(2),
  ]);
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

await runBench({ name: "list", deadlineMs: values.short ? 240_000 : 900_000 }, async (server) => {
  const ns = `list-${randomBytes(4).toString("hex")}`;
  const nsAgent = benchAgent(1);
  const created = await send(server.url, server.token, nsAgent, "POST", "/api/v1/namespaces",
    JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } })).finally(() => nsAgent.destroy());
  if (created.status !== 201) throw new Error(`namespace create answered ${created.status}: ${created.body}`);
  console.log(`${nPods} pods (${nMatching} labelled ${SELECTED.key}=${SELECTED.value}) by ${clients} clients in ${ns}`);
  const creates = await createPods(server, ns);
  console.log(`  created in ${(creates.wallMs / 1000).toFixed(1)} s (${creates.perSecond.toFixed(0)}/s, ${creates.retried} sent again after a 503); settling ${settleMs} ms`);
  await new Promise((r) => setTimeout(r, settleMs));
  console.log(`${rounds} rounds of: floor, selector, first page of ${pageSize}, full paged list`);
  const results = await measure(server, ns);
  console.log(`\n${table(results)}\n`);
  return { figures: { short: values.short, pods: nPods, matching: nMatching, pageSize, rounds, clients, settleMs, creates, cases: results } };
});
