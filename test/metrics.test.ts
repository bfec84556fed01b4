/**
 * `GET /metrics` through the real Worker: the scrape parses with a
 * Prometheus text parser, counters move by exactly the requests made,
 * gauges match the stores, and only system:monitoring (or an admin) may
 * scrape. The fleet store is a real Durable Object; each scrape first
 * flushes its own isolate, so the counts are current.
 */
import { env, runInDurableObject } from "cloudflare:test";
import parsePrometheusTextFormat, { type PrometheusFamily } from "parse-prometheus-text-format";
import { afterAll, describe, expect, it } from "vitest";
import { createToken } from "../workers/api/auth";
import { api, eventually, TOKEN, namespace, pod, readResponse, send, type StatusBody } from "./helpers";
import { joinNode, postReport } from "./hosts-helpers";
import { addNode, removeNodes } from "./node-helpers";
import { fleetMetricsStub } from "../workers/metrics/flush";
import { recordWorkqueueRetry } from "../workers/metrics/workqueue-metrics";
import dashboard from "../docs/grafana-dashboard.json";

type Labels = Record<string, string>;

/** A parsed scrape. */
interface Scrape {
  families: PrometheusFamily[];
  /** Every sample line with its labels (see asUntyped). */
  series: PrometheusFamily[];
  text: string;
}

async function scrapeAs(token: string): Promise<{ status: number; text: string; contentType: string | null }> {
  const res = await send(new Request("https://duraplane.test/metrics", { headers: { authorization: `Bearer ${token}` } }));
  return { status: res.status, text: await res.text(), contentType: res.headers.get("content-type") };
}

async function scrape(): Promise<Scrape> {
  const res = await api<string>("GET", "/metrics");
  expect(res.status).toBe(200);
  return { families: parsePrometheusTextFormat(res.body), series: parsePrometheusTextFormat(asUntyped(res.body)), text: res.body };
}

/**
 * The exposition with every family declared untyped: parse-prometheus-text-format
 * 1.1.1 folds all the labelled series of a histogram into one set of buckets
 * (its flattenMetrics), dropping their labels; read as untyped, each
 * `_bucket`, `_sum` and `_count` line keeps its labels.
 */
function asUntyped(text: string): string {
  return text.replace(/^# TYPE (\S+) \S+$/gm, "# TYPE $1 untyped");
}

function family(s: Scrape, name: string): PrometheusFamily | undefined {
  return s.families.find((f) => f.name === name);
}

function matches(labels: Labels | undefined, want: Labels): boolean {
  return Object.entries(want).every(([k, v]) => (labels ?? {})[k] === v);
}

/** The sum of a counter's or gauge's series whose labels include `want` (0 when none). */
function value(s: Scrape, name: string, want: Labels = {}): number {
  return (family(s, name)?.metrics ?? []).filter((m) => matches(m.labels, want)).reduce((n, m) => n + Number(m.value), 0);
}

/** The observation count of a histogram's series whose labels include `want` (its `_count` samples). */
function histogramCount(s: Scrape, name: string, want: Labels = {}): number {
  // Untyped, a histogram's series interleave, so `_count` comes back as one family per series.
  const counts = s.series.filter((f) => f.name === `${name}_count`).flatMap((f) => f.metrics);
  return counts.filter((m) => matches(m.labels, want)).reduce((n, m) => n + Number(m.value), 0);
}

const POST_PODS = { verb: "POST", group: "", version: "v1", resource: "pods", subresource: "", scope: "namespace", code: "201" };

let nodes: string[] = [];
afterAll(async () => {
  await removeNodes(nodes);
  nodes = [];
});

describe("/metrics", () => {
  it("serves every family in the text format, parsed by a Prometheus parser", async () => {
    const s = await scrape();
    const res = await scrapeAs(TOKEN);
    expect(res.status).toBe(200);
    expect(res.contentType).toContain("text/plain; version=0.0.4");
    const types = Object.fromEntries(s.families.map((f) => [f.name, f.type]));
    expect(types).toMatchObject({
      apiserver_request_total: "COUNTER", apiserver_request_duration_seconds: "HISTOGRAM",
      apiserver_current_inflight_requests: "GAUGE", apiserver_registered_watchers: "GAUGE", apiserver_storage_objects: "GAUGE",
      workqueue_depth: "GAUGE", workqueue_adds_total: "COUNTER", workqueue_retries_total: "COUNTER",
      workqueue_work_duration_seconds: "HISTOGRAM", duraplane_reconcile_dead_letters_total: "COUNTER",
      duraplane_webhook_reports_total: "COUNTER", duraplane_node_heartbeat_age_seconds: "GAUGE",
      scheduler_schedule_attempts_total: "COUNTER", scheduler_pod_scheduling_duration_seconds: "HISTOGRAM",
      kubevirt_vmi_phase_transition_time_from_creation_seconds: "HISTOGRAM",
    });
    // The scrape itself is in flight while it is answered.
    expect(value(s, "apiserver_current_inflight_requests", { request_kind: "readOnly" })).toBeGreaterThanOrEqual(1);
  });

  it("counts each request by verb, resource and code, and times it", async () => {
    const ns = await namespace("metrics");
    const before = await scrape();
    const n = 3;
    for (let i = 0; i < n; i++) expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, pod(`p${i}`))).status).toBe(201);
    expect((await api("GET", `/api/v1/namespaces/${ns}/pods/missing`)).status).toBe(404);
    expect((await api("GET", `/api/v1/namespaces/${ns}/pods`)).status).toBe(200);
    expect((await api("PATCH", `/api/v1/namespaces/${ns}/pods/p0`, { metadata: { labels: { a: "b" } } }, { "content-type": "application/merge-patch+json" })).status).toBe(200);
    const after = await scrape();
    const delta = (labels: Labels): number => value(after, "apiserver_request_total", labels) - value(before, "apiserver_request_total", labels);
    expect(delta(POST_PODS)).toBe(n);
    expect(delta({ verb: "GET", resource: "pods", scope: "resource", code: "404" })).toBe(1);
    expect(delta({ verb: "LIST", resource: "pods", scope: "namespace", code: "200" })).toBe(1);
    expect(delta({ verb: "PATCH", resource: "pods", scope: "resource", code: "200" })).toBe(1);
    const { code: _code, ...durationLabels } = POST_PODS;
    expect(histogramCount(after, "apiserver_request_duration_seconds", durationLabels)
      - histogramCount(before, "apiserver_request_duration_seconds", durationLabels)).toBe(n);
  });

  it("flushes what an isolate counted to the fleet store in the background, without a scrape", async () => {
    const ns = await namespace("metrics");
    const labels = 'verb="POST",dry_run="All",group="",version="v1",resource="pods",subresource="",scope="namespace",component="apiserver",code="201"';
    const stored = async (): Promise<number> =>
      (await fleetMetricsStub(env).snapshot()).counters.find((c) => c.name === "apiserver_request_total" && c.labels === labels)?.value ?? 0;
    const before = await stored();
    expect((await api("POST", `/api/v1/namespaces/${ns}/pods?dryRun=All`, pod("dry"))).status).toBe(201);
    // No scrape here: only the flush armed by the request itself can carry it (within FLUSH_INTERVAL_MS).
    await eventually(async () => (await stored()) === before + 1, 15_000);
  });

  it("flushes what a Durable Object counted, in the background too", async () => {
    const name = `probe-${crypto.randomUUID().slice(0, 8)}`;
    const labels = `name="${name}"`;
    const stored = async (): Promise<number> =>
      (await fleetMetricsStub(env).snapshot()).counters.find((c) => c.name === "workqueue_retries_total" && c.labels === labels)?.value ?? 0;
    // A Reconciler records its runs inside its own Durable Object's context, as this does.
    await runInDurableObject(env.RECONCILERS.getByName(name), () => {
      recordWorkqueueRetry({ controller: name, namespace: "", name: "x" });
    });
    await eventually(async () => (await stored()) === 1, 15_000);
  });

  it("labels a path that names no served kind without its made-up parts", async () => {
    const before = await scrape();
    expect((await api("GET", "/apis/made.up/v1/things-xyz")).status).toBe(404);
    const after = await scrape();
    expect(after.text).not.toContain("things-xyz");
    const labels = { verb: "GET", resource: "", group: "", code: "404" };
    expect(value(after, "apiserver_request_total", labels) - value(before, "apiserver_request_total", labels)).toBe(1);
  });

  it("reports stored objects as the collections hold them", async () => {
    const ns = await namespace("metrics");
    for (const name of ["a", "b"]) await api("POST", `/api/v1/namespaces/${ns}/pods`, pod(name));
    const pods = (await api<{ items: unknown[] }>("GET", "/api/v1/pods")).body.items.length;
    const namespaces = (await api<{ items: unknown[] }>("GET", "/api/v1/namespaces")).body.items.length;
    const s = await scrape();
    expect(value(s, "apiserver_storage_objects", { resource: "pods" })).toBe(pods);
    expect(value(s, "apiserver_storage_objects", { resource: "namespaces" })).toBe(namespaces);
    expect(value(s, "apiserver_storage_objects", { resource: "clusterroles.rbac.authorization.k8s.io" })).toBeGreaterThan(0);
  });

  it("is refused to a user without the right and served to the system:monitoring group", async () => {
    await createToken(env, "metrics-nobody-token", { username: "nobody", groups: ["team-x"] });
    await createToken(env, "metrics-prometheus-token", { username: "prometheus", groups: ["system:monitoring"] });
    const denied = await send(new Request("https://duraplane.test/metrics", { headers: { authorization: "Bearer metrics-nobody-token" } }));
    expect(denied.status).toBe(403);
    const status = (await readResponse<StatusBody>(denied)).body;
    expect(status).toMatchObject({ kind: "Status", code: 403, reason: "Forbidden" });
    const allowed = await scrapeAs("metrics-prometheus-token");
    expect(allowed.status).toBe(200);
    expect(parsePrometheusTextFormat(allowed.text).some((f) => f.name === "apiserver_request_total")).toBe(true);
    const anonymous = await send(new Request("https://duraplane.test/metrics"));
    expect(anonymous.status).toBe(401);
  });

  it("counts host reports accepted and refused by reason, and each node's heartbeat age", async () => {
    const name = `metrics-${crypto.randomUUID().slice(0, 8)}`;
    nodes.push(name);
    const creds = await joinNode(name);
    const before = await scrape();
    const beat = { conditions: [{ type: "Ready", status: "True" as const, reason: "KubeletReady" }], capacity: { cpu: "8", memory: "32Gi", pods: "110" } };
    expect((await postReport(name, creds.signingSecret, { node: beat, items: [] })).status).toBe(200);
    expect((await postReport(name, creds.signingSecret, { node: beat, items: [] }, { secrets: ["d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA=="] })).status).toBe(401);
    expect((await postReport(name, creds.signingSecret, "{not json")).status).toBe(400);
    const after = await scrape();
    const delta = (labels: Labels): number => value(after, "duraplane_webhook_reports_total", labels) - value(before, "duraplane_webhook_reports_total", labels);
    expect(delta({ result: "accepted" })).toBe(1);
    expect(delta({ result: "refused", reason: "Unauthorized" })).toBe(1);
    expect(delta({ result: "refused", reason: "BadRequest" })).toBe(1);
    const age = family(after, "duraplane_node_heartbeat_age_seconds")?.metrics.find((m) => m.labels?.node === name);
    expect(Number(age?.value)).toBeGreaterThanOrEqual(0);
    expect(Number(age?.value)).toBeLessThan(60);
  });

  it("counts the scheduler's attempts, its queue's work and a VMI's phase transitions", async () => {
    const id = crypto.randomUUID().slice(0, 8);
    const node = `metrics-sched-${id}`;
    nodes.push(node);
    await addNode(node, { labels: { suite: id }, cpu: "4", memory: "8Gi" });
    const before = await scrape();
    const ns = await namespace("metrics");
    await api("POST", `/api/v1/namespaces/${ns}/pods`, { ...pod("fits"), spec: { nodeSelector: { suite: id }, containers: [{ name: "c", image: "x" }] } });
    await api("POST", `/apis/kubevirt.io/v1/namespaces/${ns}/virtualmachineinstances`, {
      apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: { name: "vm" },
      spec: { nodeSelector: { suite: id }, domain: { devices: {}, resources: { requests: { cpu: "1", memory: "1Gi" } } } },
    });
    const rise = (a: Scrape, f: (s: Scrape) => number): number => f(a) - f(before);
    const scheduled = (s: Scrape): number => value(s, "scheduler_schedule_attempts_total", { result: "scheduled", profile: "default-scheduler" });
    const bindingTimes = (s: Scrape): number => histogramCount(s, "scheduler_pod_scheduling_duration_seconds");
    const vmiScheduled = (s: Scrape): number => histogramCount(s, "kubevirt_vmi_phase_transition_time_from_creation_seconds", { phase: "Scheduled" });
    const adds = (s: Scrape): number => value(s, "workqueue_adds_total", { name: "scheduler" });
    const runs = (s: Scrape): number => histogramCount(s, "workqueue_work_duration_seconds", { name: "scheduler" });
    let after = before;
    // The scheduler runs on the queue: its pass ends (and is timed) after the binds it counted.
    await eventually(async () => {
      after = await scrape();
      return rise(after, scheduled) >= 2 && rise(after, vmiScheduled) >= 1 && rise(after, runs) >= 1;
    }, 20_000);
    expect(rise(after, bindingTimes)).toBeGreaterThanOrEqual(2);
    expect(rise(after, adds)).toBeGreaterThanOrEqual(1);
    for (const m of family(after, "workqueue_depth")?.metrics ?? []) expect(Number(m.value)).toBeGreaterThanOrEqual(0);
  });

  it("serves every metric the Grafana dashboard queries", async () => {
    const s = await scrape();
    const served = new Set(s.series.map((f) => f.name));
    const exprs = dashboard.panels.flatMap((p) => ("targets" in p ? (p.targets ?? []).map((t) => t.expr) : []));
    expect(exprs.length).toBeGreaterThan(10);
    const names = new Set(exprs.flatMap((e) => [...e.matchAll(/\b((?:apiserver|workqueue|scheduler|kubevirt|duraplane)_[a-z_]+)/g)].map((m) => m[1] ?? "")));
    expect([...names].filter((n) => !served.has(n))).toEqual([]);
  });
});
