/**
 * The adversarial property suite (issue 8's proof): generated hostile
 * requests across every kind × verb × content type × subresource, sent
 * through the Worker's fetch against real Durable Objects, alone and in
 * random concurrent interleavings with a node's token. After each run: no
 * 5xx but the documented 503/504, every error a v1 Status, every object still
 * readable and writable, a list equal to the set of GETs, and resourceVersions
 * strictly increasing in a watch.
 *
 * CI runs a fixed seed and a bounded count. On failure fast-check prints the
 * seed, the path and the counterexample (a small description of the request,
 * see test/adversarial/arbitraries.ts); replay it with
 * `FUZZ_SEED=<seed> npx vitest run --config vitest.config.ts test/adversarial.test.ts`,
 * explore with another seed or `FUZZ_RUNS=<n>`, and `FUZZ_SHRINK=1` for the
 * smallest counterexample.
 */
import { env } from "cloudflare:test";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, namespace } from "./helpers";
import { joinNode } from "./hosts-helpers";
import { type Actor, extremeRequests, KINDS, MUST_EXIST_NAMESPACES, requestArb, type RequestSpec, sampleObject, SEEDED } from "./adversarial/arbitraries";
import { answerProblems, kindInfo, readWatch, sendSpec, type WatchEvent, type World } from "./adversarial/requests";
import { storeProblems } from "./adversarial/store";
import { send, TOKEN } from "./helpers";

const SEED = env.FUZZ_SEED ? Number(env.FUZZ_SEED) : 20261202;
const SCALE = env.FUZZ_RUNS ? Number(env.FUZZ_RUNS) / 100 : 1;
const runs = (n: number): number => Math.max(1, Math.round(n * SCALE));

/** fast-check's settings: the fixed seed, and (unless asked) no shrinking, which would replay many slow requests. */
function params(numRuns: number): fc.Parameters<unknown> {
  return { seed: SEED, numRuns: runs(numRuns), endOnFailure: !env.FUZZ_SHRINK, verbose: 1 };
}

let w: World;

beforeAll(async () => {
  const node = await joinNode(`fz-node-${crypto.randomUUID().slice(0, 6)}`);
  w = { ns: await namespace("fz"), otherNs: await namespace("fz-other"), nodeName: node.nodeName, nodeToken: node.token };
  for (const k of KINDS) {
    for (const name of SEEDED) {
      const obj = sampleObject(k.kind, name, { seeded: "true" }, w.ns);
      // seed-b's pod and VMI belong to the node, so the node's token has something to read.
      if (name === "seed-b" && k.kind === "Pod") obj.spec = { ...(obj.spec as object), nodeName: w.nodeName };
      if (name === "seed-b" && k.kind === "VirtualMachineInstance") (obj.metadata as { labels: Record<string, string> }).labels["kubevirt.io/nodeName"] = w.nodeName;
      const path = k.namespaced ? `${k.prefix}/namespaces/${w.ns}/${k.plural}` : `${k.prefix}/${k.plural}`;
      const res = await api("POST", path, obj);
      if (res.status !== 201) throw new Error(`seeding ${k.kind} ${name}: ${res.status} ${JSON.stringify(res.body)}`);
    }
  }
}, 60_000);

/** How often each actor × verb got each status: printed with FUZZ_STATS=1, to see what the runs reached. */
const seen = new Map<string, number>();
const examples = new Map<string, string>();

afterAll(() => {
  if (env.FUZZ_STATS) console.log([...seen].sort().map(([k, n]) => `${k}: ${n} ${examples.get(k) ?? ""}`).join("\n"));
});

/** A request unanswered after this long is a wedged server, reported as a problem rather than a test timeout. */
const ANSWER_WITHIN_MS = 20_000;

/** Sends one request and returns every problem with its answer. */
async function runOne(spec: RequestSpec): Promise<string[]> {
  const what = `${spec.method} ${spec.kind}${spec.subresource ? `/${spec.subresource}` : ""}`;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<"hung">((r) => { timer = setTimeout(() => r("hung"), ANSWER_WITHIN_MS); });
  const answer = await Promise.race([sendSpec(spec, w), hung]).finally(() => clearTimeout(timer));
  if (answer === "hung") return [`${what}: no answer within ${ANSWER_WITHIN_MS} ms`];
  const key = `${spec.actor} ${spec.verb}${spec.subresource ? `/${spec.subresource}` : ""} → ${answer.status}`;
  seen.set(key, (seen.get(key) ?? 0) + 1);
  if (env.FUZZ_STATS && !examples.has(key)) examples.set(key, JSON.stringify((answer.body as { message?: unknown } | undefined)?.message ?? "").slice(0, 160));
  return answerProblems(spec, answer, w).map((p) => `${what}: ${p}`);
}

describe("adversarial requests", () => {
  it("every kind × verb × content type × subresource: no 5xx, errors are Status, objects stay usable", async () => {
    const actors: fc.Arbitrary<Actor> = fc.constantFrom("admin", "admin", "admin", "admin", "node", "anonymous");
    await fc.assert(fc.asyncProperty(requestArb(actors), async (spec) => {
      const problems = await runOne(spec);
      problems.push(...await storeProblems(w, [kindInfo(spec.kind)], [spec.name.replace("$NODE", w.nodeName), ...SEEDED]));
      expect(problems).toEqual([]);
    }), params(100));
  }, 120_000);

  const extremes = extremeRequests();
  it("the extremes of issue 8's defects (patch bombs, depth, size, grace, built-in namespaces)", async () => {
    // Each one, in order: a fixed list needs no seed, and a failure names the request.
    const problems: string[] = [];
    for (const spec of extremes) {
      const found = await runOne(spec);
      found.push(...await storeProblems(w, [kindInfo(spec.kind)], [...SEEDED]));
      for (const ns of MUST_EXIST_NAMESPACES) {
        const got = await api<{ metadata: { deletionTimestamp?: string } }>("GET", `/api/v1/namespaces/${ns}`);
        if (got.status !== 200 || got.body.metadata.deletionTimestamp) found.push(`namespace ${ns}: ${got.status} ${JSON.stringify(got.body.metadata)}`);
      }
      problems.push(...found.map((p) => `${JSON.stringify(spec)}: ${p}`));
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it("random concurrent interleavings of admin, node and anonymous requests", async () => {
    const actors: fc.Arbitrary<Actor> = fc.constantFrom("admin", "node", "node", "anonymous");
    await fc.assert(fc.asyncProperty(fc.array(requestArb(actors), { minLength: 2, maxLength: 6 }), async (specs) => {
      const problems = (await Promise.all(specs.map(runOne))).flat();
      const kinds = [...new Set(specs.map((s) => s.kind))].map(kindInfo);
      problems.push(...await storeProblems(w, kinds, [...SEEDED]));
      expect(problems).toEqual([]);
    }), params(20));
  }, 120_000);
});

/** A write the watch property interleaves: valid ones that make events, and a hostile one now and then. */
type Step =
  | { op: "create"; name: string }
  | { op: "label"; name: string; value: string }
  | { op: "status"; name: string; phase: string }
  | { op: "delete"; name: string }
  | { op: "hostile"; spec: RequestSpec };

const POOL = ["w-a", "w-b", "w-c", "w-d"];

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant("create" as const), name: fc.constantFrom(...POOL) }),
  fc.record({ op: fc.constant("label" as const), name: fc.constantFrom(...POOL), value: fc.stringMatching(/^[a-z0-9]{1,8}$/) }),
  fc.record({ op: fc.constant("status" as const), name: fc.constantFrom(...POOL), phase: fc.constantFrom("Pending", "Running", "Bogus") }),
  fc.record({ op: fc.constant("delete" as const), name: fc.constantFrom(...POOL) }),
  requestArb(fc.constantFrom("admin", "node")).filter((s) => s.kind === "Pod").map((spec) => ({ op: "hostile" as const, spec })),
);

describe("resourceVersions and lists", () => {
  it("a watch sees strictly increasing resourceVersions that replay to the list, and the list equals the GETs", async () => {
    const ns = await namespace("fz-watch");
    const ww: World = { ...w, ns };
    const pods = `/api/v1/namespaces/${ns}/pods`;
    await fc.assert(fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 8 }), async (steps) => {
      const before = await api<{ metadata: { resourceVersion: string }; items: { metadata: { name: string; resourceVersion: string } }[] }>("GET", pods);
      const state = new Map(before.body.items.map((i) => [i.metadata.name, i.metadata.resourceVersion]));
      const watch = await send(new Request(`https://duraplane.test${pods}?watch=true&allowWatchBookmarks=true&timeoutSeconds=5&resourceVersion=${before.body.metadata.resourceVersion}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      }));
      expect(watch.status).toBe(200);
      const problems: string[] = [];
      for (const step of steps) {
        if (step.op === "hostile") {
          problems.push(...await runOne({ ...step.spec, scope: "ns" }).then((p) => p, (e: unknown) => [String(e)]));
          continue;
        }
        const path = `${pods}/${step.name}`;
        const res = step.op === "create" ? await api("POST", pods, sampleObject("Pod", step.name))
          : step.op === "label" ? await api("PATCH", path, { metadata: { labels: { l: step.value } } }, { "content-type": "application/merge-patch+json" })
          : step.op === "status" ? await api("PATCH", `${path}/status`, { status: { phase: step.phase } }, { "content-type": "application/merge-patch+json" })
          : await api("DELETE", `${path}?gracePeriodSeconds=0`);
        if (res.status >= 500) problems.push(`${step.op} ${step.name}: ${res.status}`);
      }
      const after = await api<{ metadata: { resourceVersion: string }; items: { metadata: { name: string; resourceVersion: string } }[] }>("GET", pods);
      const end = Number(after.body.metadata.resourceVersion);
      const rvOf = (e: WatchEvent): number => Number(e.object.metadata?.resourceVersion ?? "0");
      const start = Number(before.body.metadata.resourceVersion);
      const events = end === start ? [] : await readWatch(watch, 4000, (evs) => evs.some((e) => rvOf(e) >= end));
      if (end === start) await watch.body?.cancel();
      let last = start;
      for (const e of events) {
        if (e.type === "ERROR") {
          problems.push(`watch ERROR ${JSON.stringify(e.object)}`);
          continue;
        }
        const rv = rvOf(e);
        if (e.type === "BOOKMARK" ? rv < last : rv <= last) problems.push(`watch ${e.type} at ${rv} after ${last}`);
        last = Math.max(last, rv);
        if (e.type === "BOOKMARK" || rv > end) continue;
        const name = e.object.metadata?.name ?? "";
        if (e.type === "DELETED") state.delete(name);
        else state.set(name, String(rv));
      }
      // Replaying the watch from the first list reaches the second list.
      const listed = new Map(after.body.items.map((i) => [i.metadata.name, i.metadata.resourceVersion]));
      if (last < end) problems.push(`watch ended at ${last} before the list's ${end}`);
      else expect(Object.fromEntries(state)).toEqual(Object.fromEntries(listed));
      // The list equals the set of GETs.
      for (const name of new Set([...POOL, ...listed.keys()])) {
        const got = await api<{ metadata: { resourceVersion: string } }>("GET", `${pods}/${name}`);
        const rv = listed.get(name);
        if (rv === undefined ? got.status !== 404 && Number(got.body.metadata.resourceVersion) <= end : got.status !== 200 || Number(got.body.metadata.resourceVersion) < Number(rv)) {
          problems.push(`GET ${name}: ${got.status} ${got.status === 200 ? got.body.metadata.resourceVersion : ""}, list says ${rv ?? "absent"} at ${end}`);
        }
      }
      expect(problems).toEqual([]);
    }), params(12));
  }, 120_000);
});

describe("after the runs", () => {
  it("every object of every kind is readable, writable and listed", async () => {
    expect(await storeProblems(w, KINDS)).toEqual([]);
  }, 60_000);
});
