/**
 * @kubernetes/client-node informers (ListWatch, as makeInformer builds them)
 * against the local server while concurrent writers create, patch and delete
 * pods and VMIs, with a server restart in the middle. Judged from three
 * records: the writers' acknowledged writes (ground truth), every raw watch
 * stream the informers opened, and the events the informers delivered.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  CoreV1Api, CustomObjectsApi, KubeConfig, ListWatch,
  type KubernetesListObject, type KubernetesObject,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Ack, type Retry, runWriter, seeded, type Target, type Unexpected } from "./random-writers.ts";
import { api, type ServerRef } from "./rest.ts";
import { type LocalServer, startServer, stopServer } from "./server.ts";
import { RecordingWatch, streamViolations } from "./watch-recorder.ts";

const NS = "e2e-informer";
const WRITERS = 4;
const OPS = 60;
const SEED = Number(process.env.INFORMER_SEED ?? Math.floor(Math.random() * 1e9));

const podsPath = `/api/v1/namespaces/${NS}/pods`;
const vmisPath = `/apis/kubevirt.io/v1/namespaces/${NS}/virtualmachineinstances`;
const targets: Target[] = [
  {
    resource: "pods", path: podsPath,
    body: (name, labels) => ({ apiVersion: "v1", kind: "Pod", metadata: { name, labels }, spec: { containers: [{ name: "c", image: "busybox" }] } }),
  },
  {
    resource: "vmis", path: vmisPath,
    body: (name, labels) => ({
      apiVersion: "kubevirt.io/v1", kind: "VirtualMachineInstance", metadata: { name, labels },
      spec: { domain: { devices: {}, resources: { requests: { memory: "64Mi" } } } },
    }),
  },
];

/** What one informer did: its lists, the events it delivered and its errors. */
interface Observed {
  target: Target;
  informer: ListWatch<KubernetesObject>;
  watch: RecordingWatch;
  lists: { rv: string; items: string[]; at: number }[];
  delivered: { verb: string; name: string; rv: number; at: number }[];
  errors: { error: string; at: number }[];
}

let server: LocalServer | undefined;
let stopping = false;
const observed: Observed[] = [];
const t0 = Date.now();
const now = (): number => Date.now() - t0;
const acks: Ack[] = [];
const retries: Retry[] = [];
const unexpected: Unexpected[] = [];
const window = { down: 0, up: 0 };
/** Milestones of the run, so a run that times out still says where it stood. */
const progress: { phase: string; at: number }[] = [];
const reached = (phase: string): void => void progress.push({ phase, at: now() });
let evidencePath: string | undefined;

/** Writes everything observed to the state folder (also when the test failed). */
function writeEvidence(state: string): string {
  const evidence = {
    seed: SEED, window, progress, acks, retries, unexpected,
    informers: observed.map((o) => ({ resource: o.target.resource, lists: o.lists, errors: o.errors, delivered: o.delivered, streams: o.watch.streams })),
  };
  const path = join(state, "informer-evidence.json");
  writeFileSync(path, JSON.stringify(evidence, null, 1));
  return path;
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Stops a server this file started. startServer's "exited early" promise
 * rejects on any exit, so its listener is dropped first or a deliberate stop
 * would surface as an unhandled rejection.
 */
async function stop(s: LocalServer): Promise<void> {
  s.process.removeAllListeners("exit");
  await stopServer(s);
}

function asList(value: unknown): KubernetesListObject<KubernetesObject> {
  if (typeof value !== "object" || value === null || !("items" in value) || !Array.isArray(value.items)) {
    throw new Error(`not a list: ${JSON.stringify(value).slice(0, 300)}`);
  }
  return value as KubernetesListObject<KubernetesObject>;
}

function observe(kc: KubeConfig, target: Target, list: () => Promise<unknown>): Observed {
  const watch = new RecordingWatch(kc, t0);
  const o: Observed = {
    target, watch, lists: [], delivered: [], errors: [],
    informer: new ListWatch<KubernetesObject>(target.path, watch, async () => {
      const l = asList(await list());
      o.lists.push({ rv: l.metadata?.resourceVersion ?? "", items: l.items.map((i) => `${i.metadata?.name ?? ""}@${i.metadata?.resourceVersion ?? ""}`), at: now() });
      return l;
    }, false),
  };
  for (const verb of ["add", "update", "delete"] as const) {
    o.informer.on(verb, (obj) => o.delivered.push({ verb, name: obj.metadata?.name ?? "", rv: Number(obj.metadata?.resourceVersion), at: now() }));
  }
  // client-node 1.4 ends the list/watch loop on any error but a 410; its
  // documented recovery is for the caller to start() again after a delay.
  o.informer.on("error", (err: unknown) => {
    o.errors.push({ error: err instanceof Error ? err.message : String(err), at: now() });
    if (stopping) return;
    setTimeout(() => {
      if (!stopping) void o.informer.start().catch((e: unknown) => o.errors.push({ error: `start: ${String(e)}`, at: now() }));
    }, 500);
  });
  observed.push(o);
  return o;
}

/** Names and resourceVersions of a collection, sorted. */
async function serverState(ref: ServerRef, path: string): Promise<string[]> {
  const res = await api<{ items?: KubernetesObject[] }>(ref, "GET", path);
  if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status}`);
  return (res.body.items ?? []).map((i) => `${i.metadata?.name ?? ""}@${i.metadata?.resourceVersion ?? ""}`).sort();
}

function cacheState(o: Observed): string[] {
  return o.informer.list(NS).map((i) => `${i.metadata?.name ?? ""}@${i.metadata?.resourceVersion ?? ""}`).sort();
}

beforeAll(async () => {
  server = await startServer();
}, 120_000);

afterAll(async () => {
  stopping = true;
  if (!evidencePath && server) {
    console.log(`informer run did not finish: seed ${SEED}, ${acks.length} acknowledged writes, progress ${JSON.stringify(progress)}; evidence ${writeEvidence(server.state)}`);
  }
  await Promise.all(observed.map((o) => o.informer.stop()));
  if (server) await stop(server);
});

describe("client-node informers across concurrent writes and a server restart", () => {
  it("cache equals the final list; streams are ordered, complete and duplicate-free", async () => {
    if (!server) throw new Error("no server");
    const first = server;
    const ref: ServerRef = { url: first.url, token: first.token };
    const created = await api(ref, "POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } });
    expect(created.status).toBe(201);
    // One object per kind first, so the informers' lists carry a real resourceVersion.
    for (const t of targets) expect((await api(ref, "POST", t.path, t.body("seed", {}))).status).toBe(201);

    const kc = new KubeConfig();
    kc.loadFromFile(first.kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const [pods, vmis] = targets;
    if (!pods || !vmis) throw new Error("targets");
    const informers = [
      observe(kc, pods, () => core.listNamespacedPod({ namespace: NS })),
      observe(kc, vmis, () => custom.listNamespacedCustomObject({ group: "kubevirt.io", version: "v1", namespace: NS, plural: "virtualmachineinstances" })),
    ];
    await Promise.all(informers.map((o) => o.informer.start()));
    reached("informers started");
    // start() resolves once the first watch has its response headers: the server holds the watcher.
    for (const o of informers) expect(o.watch.streams.length).toBe(1);

    const random = seeded(SEED);
    const writers = Array.from({ length: WRITERS }, (_, id) =>
      runWriter({ server: ref, id, targets, names: 3, ops: OPS, random: seeded(Math.floor(random() * 1e9)), acks, retries, unexpected, t0, retryFor: 60_000 }));
    const restart = (async () => {
      while (acks.length < (WRITERS * OPS) / 2) await sleep(20);
      window.down = now();
      await stop(first);
      reached("server stopped");
      server = await startServer({ port: first.port, state: first.state });
      window.up = now();
      reached("server restarted");
    })();
    await Promise.all([...writers.map((w, i) => w.then(() => reached(`writer ${i} done`))), restart]);

    // Settle: each informer's cache converges on the server's list.
    const deadline = Date.now() + 15_000;
    const finals = new Map<Observed, string[]>();
    for (const o of informers) {
      for (;;) {
        const want = await serverState(ref, o.target.path);
        finals.set(o, want);
        if (JSON.stringify(cacheState(o)) === JSON.stringify(want) || Date.now() > deadline) break;
        await sleep(200);
      }
    }
    reached("settled");
    evidencePath = writeEvidence(first.state);
    console.log(`seed ${SEED}; ${acks.length} acknowledged writes, ${retries.length} retried attempts; restart ${window.down}–${window.up} ms; evidence ${evidencePath}`);

    for (const o of informers) {
      const r = o.target.resource;
      const streams = o.watch.streams;
      expect(cacheState(o), `${r}: informer cache vs server list`).toEqual(finals.get(o));
      expect(streams.flatMap(streamViolations), `${r}: per-stream order and duplicates`).toEqual([]);
      // The event log outlives the restart, so resuming needs no relist (no 410).
      expect(o.lists.length, `${r}: lists (a relist means a resume failed)`).toBe(1);
      expect(streams.flatMap((s) => s.events.filter((e) => e.type === "ERROR")), `${r}: ERROR events`).toEqual([]);
      // The informer did reconnect by itself (the server may accept before startServer sees it ready).
      const resumed = streams.filter((s) => s.openedAt > window.down && s.events.length > 0);
      expect(resumed.length, `${r}: streams with events after the restart`).toBeGreaterThan(0);

      // Union of all streams: every acknowledged write after the list exactly once, with its type.
      const listRv = Number(o.lists[0]?.rv);
      const seen = new Map<string, { type: string; count: number }>();
      for (const ev of streams.flatMap((s) => s.events)) {
        if (ev.type === "BOOKMARK" || ev.type === "ERROR") continue;
        const k = `${ev.name}@${ev.rv}`;
        seen.set(k, { type: ev.type, count: (seen.get(k)?.count ?? 0) + 1 });
      }
      const mine = acks.filter((a) => a.resource === r && a.rv > listRv);
      const wrong = mine.map((a) => ({ a, s: seen.get(`${a.name}@${a.rv}`) }))
        .filter(({ a, s }) => s?.count !== 1 || s.type !== a.type)
        .map(({ a, s }) => `${a.type} ${a.name}@${a.rv} (writer ${a.writer}, t=${a.at}) seen ${s ? `${s.count}× as ${s.type}` : "never"}`);
      expect(wrong, `${r}: acknowledged writes vs watch events`).toEqual([]);
      const dups = [...seen].filter(([, s]) => s.count > 1).map(([k, s]) => `${k} ×${s.count}`);
      expect(dups, `${r}: events delivered on more than one stream`).toEqual([]);
      // Events no write acknowledged can only come from attempts cut off by the restart.
      const acked = new Set(mine.map((a) => `${a.name}@${a.rv}`));
      const extra = [...seen.keys()].filter((k) => !acked.has(k));
      expect(extra.length, `${r}: unacknowledged events ${extra.join(", ")}`).toBeLessThanOrEqual(retries.filter((x) => x.what.includes(`${r}/`)).length);

      // The informer's own view: each acknowledged write was delivered at that RV or later.
      const missed = mine.filter((a) => !o.delivered.some((d) => d.name === a.name && d.rv >= a.rv))
        .map((a) => `${a.type} ${a.name}@${a.rv}`);
      expect(missed, `${r}: writes the informer never caught up with`).toEqual([]);
    }
    // A write the server could not finish was answered 503/504 with a Status and Retry-After: no 500, no 501.
    expect(unexpected, "answers other than 2xx/4xx/503/504-with-Status").toEqual([]);
    // Every retry belongs to the restart window (plus a little for sockets that died with the server).
    expect(retries.filter((x) => x.at < window.down || x.at > window.up + 3000)).toEqual([]);
  }, 150_000);
});
