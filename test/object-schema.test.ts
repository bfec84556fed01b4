/**
 * An object store's tables (workers/objects/object-schema.ts): a new store
 * makes four; a store an older version made (the first schema: eight tables,
 * previous objects stored) is upgraded on first use and keeps its object,
 * identity, facts, pending write and log; and the log's derived previous
 * objects survive a trim (a label-selected watch from just after it still
 * sees an object leave its selector as DELETED).
 */
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { objectStub } from "../workers/objects/client";
import { createFirstSchemaForTest } from "../workers/objects/object-schema";
import type { ObjectStore } from "../workers/objects/object-store";
import { readFacts, writeFacts } from "../workers/objects/server-facts";
import { EventLog } from "../workers/watch/event-log";
import { api, namespace, pod } from "./helpers";
import { WatchClient } from "./watch-client";

const MERGE = { "content-type": "application/merge-patch+json" };

async function tables(ref: { resource: string; namespace: string; name: string }): Promise<string[]> {
  return runInDurableObject(objectStub(env, ref), (_s: ObjectStore, state) =>
    state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%' ORDER BY name")
      .toArray()
      .map((r) => r.name),
  );
}

describe("object store schema", () => {
  it("makes a new store with four tables and its identity", async () => {
    const ns = await namespace();
    expect((await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("new"))).status).toBe(201);
    const ref = { resource: "/pods", namespace: ns, name: "new" };
    expect(await tables(ref)).toEqual(["events", "meta", "object", "pending"]);
    const meta = await runInDurableObject(objectStub(env, ref), (_s: ObjectStore, state) =>
      state.storage.sql.exec<{ k: string; v: string | number }>("SELECT k, v FROM meta ORDER BY k").toArray(),
    );
    expect(meta).toEqual([
      { k: "identity", v: JSON.stringify(ref) },
      { k: "schema", v: 2 },
      { k: "trimmed", v: 0 },
    ]);
  });

  it("upgrades a store of the first schema in place: object, identity, facts, its pending write and its log", async () => {
    const ns = await namespace();
    const created = await api<KubeObject>("POST", `/api/v1/namespaces/${ns}/pods`, pod("old"));
    const patched = await api<KubeObject>("PATCH", `/api/v1/namespaces/${ns}/pods/old`, { metadata: { labels: { v: "1" } } }, MERGE);
    const uid = created.body.metadata.uid ?? "";
    const [rv1, rv2] = [Number(created.body.metadata.resourceVersion), Number(patched.body.metadata.resourceVersion)];
    const ref = { resource: "/pods", namespace: ns, name: "old" };
    // The same store as an older version would have left it: eight tables, the MODIFIED's previous object in
    // event_prevs, facts for this uid and an earlier one, and a write recorded but never committed (a crash).
    await runInDurableObject(objectStub(env, ref), (store: ObjectStore, state) => {
      const sql = state.storage.sql;
      const object = sql.exec<{ body: string }>("SELECT body FROM object").one().body;
      const events = sql.exec<{ rv: number; type: string; body: string }>("SELECT rv, type, body FROM events ORDER BY rv").toArray();
      sql.exec("DROP TABLE object; DROP TABLE pending; DROP TABLE events; DROP TABLE meta");
      createFirstSchemaForTest(sql, ref);
      sql.exec("INSERT INTO object (id, body, rv) VALUES (1, ?, ?)", object, rv2);
      for (const e of events) sql.exec("INSERT INTO events (rv, type, body, prev, ts) VALUES (?, ?, ?, NULL, 0)", e.rv, e.type, e.body);
      sql.exec("INSERT INTO event_prevs (rv, prev) VALUES (?, ?)", rv2, events[0]?.body ?? "");
      sql.exec("INSERT INTO server_facts (uid, k, v) VALUES (?, 'observedSequence', 7), ('earlier', 'observedSequence', 99)", uid);
      const pending = JSON.parse(object) as KubeObject;
      pending.metadata.labels = { v: "pending" };
      pending.metadata.resourceVersion = "p-1";
      sql.exec("INSERT INTO pending (id, type, body, prev_rv) VALUES ('p-1', 'MODIFIED', ?, ?)", JSON.stringify(pending), rv2);
      // As a fresh start of the store finds it.
      store["schemaReady"] = false;
      store["noPending"] = false;
    });
    // The first read upgrades the store, and recovery (which needs the identity) commits the pending write.
    const got = await api<KubeObject>("GET", `/api/v1/namespaces/${ns}/pods/old`);
    expect(got.status).toBe(200);
    expect(got.body.metadata.labels).toEqual({ v: "pending" });
    expect(await tables(ref)).toEqual(["events", "meta", "object", "pending"]);
    const after = await runInDurableObject(objectStub(env, ref), (_s: ObjectStore, state) => ({
      facts: readFacts(state.storage.sql, uid),
      earlier: readFacts(state.storage.sql, "earlier"),
      identity: state.storage.sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = 'identity'").one().v,
      trimmed: state.storage.sql.exec<{ v: number }>("SELECT v FROM meta WHERE k = 'trimmed'").one().v,
      log: state.storage.sql.exec<{ rv: number; type: string }>("SELECT rv, type FROM events ORDER BY rv").toArray(),
    }));
    expect(after.facts).toEqual({ observedSequence: 7 });
    expect(after.earlier).toEqual({});
    expect(JSON.parse(after.identity)).toEqual(ref);
    // The oldest event is an ADDED: nothing needed compacting.
    expect(after.trimmed).toBe(0);
    expect(after.log.map((e) => e.type)).toEqual(["ADDED", "MODIFIED", "MODIFIED"]);
    // The log serves the old events with their previous objects derived: a watch from the create selecting v=1
    // sees the patch bring the pod into the selector (ADDED: its previous object had no label) and the
    // pending write take it out (a DELETED of the patched state).
    const w = await WatchClient.open("http", `/api/v1/namespaces/${ns}/pods?watch=true&fieldSelector=metadata.name%3Dold&labelSelector=v%3D1&resourceVersion=${rv1}`);
    const evs = await w.take(2);
    expect(evs.map((e) => `${e.type}:${JSON.stringify(e.object.metadata.labels)}`)).toEqual(['ADDED:{"v":"1"}', 'DELETED:{"v":"1"}']);
    await w.close();
    // Facts keep working after the upgrade: a new one merges with the moved one; another uid's replaces both.
    await runInDurableObject(objectStub(env, ref), async (store: ObjectStore, state) => {
      expect(await store.fact("observedSequence")).toBe(7);
      writeFacts(state.storage.sql, uid, { heartbeatSeenAt: 5 });
      expect(readFacts(state.storage.sql, uid)).toEqual({ observedSequence: 7, heartbeatSeenAt: 5 });
      writeFacts(state.storage.sql, "next", { observedSequence: 1 });
      expect(readFacts(state.storage.sql, uid)).toEqual({});
      expect(readFacts(state.storage.sql, "next")).toEqual({ observedSequence: 1 });
    });
  });

  it("compacts an upgraded log up to its oldest event when that event's previous object was stored", async () => {
    const ns = await namespace();
    const created = await api<KubeObject>("POST", `/api/v1/namespaces/${ns}/pods`, pod("src"));
    const ref = { resource: "/pods", namespace: ns, name: "trimmed" };
    await runInDurableObject(objectStub(env, ref), (_s: ObjectStore, state) => {
      const sql = state.storage.sql;
      createFirstSchemaForTest(sql, ref);
      const body = JSON.stringify({ ...created.body, metadata: { ...created.body.metadata, name: "trimmed", resourceVersion: "5" } });
      sql.exec("INSERT INTO object (id, body, rv) VALUES (1, ?, 5)", body);
      // Events up to rv 3 were trimmed; the oldest kept is a MODIFIED whose prev was in event_prevs.
      sql.exec("UPDATE log_meta SET v = 3 WHERE k = 'trimmed'");
      sql.exec("INSERT INTO events (rv, type, body, prev, ts) VALUES (4, 'MODIFIED', ?, NULL, 0), (5, 'MODIFIED', ?, NULL, 0)", body, body);
      sql.exec("INSERT INTO event_prevs (rv, prev) VALUES (4, ?), (5, ?)", body, body);
    });
    expect((await api("GET", `/api/v1/namespaces/${ns}/pods/trimmed`)).status).toBe(200);
    const trimmed = await runInDurableObject(objectStub(env, ref), (_s: ObjectStore, state) =>
      state.storage.sql.exec<{ v: number }>("SELECT v FROM meta WHERE k = 'trimmed'").one().v,
    );
    expect(trimmed).toBe(4);
    // A watch from rv 3 would need rv 4's previous object: 410, the client relists.
    const w = await WatchClient.open("http", `/api/v1/namespaces/${ns}/pods?watch=true&fieldSelector=metadata.name%3Dtrimmed&resourceVersion=3`);
    const [ev] = await w.take(1);
    expect(ev?.type).toBe("ERROR");
    expect(ev?.object).toMatchObject({ code: 410 });
    await w.close();
  });

  it("keeps the previous object of the first event served after a trim", async () => {
    const ns = await namespace();
    await api("POST", `/api/v1/namespaces/${ns}/pods`, pod("web"));
    const rvs: number[] = [];
    for (const v of ["a", "b", "c"]) {
      const res = await api<KubeObject>("PATCH", `/api/v1/namespaces/${ns}/pods/web`, { metadata: { labels: { v } } }, MERGE);
      rvs.push(Number(res.body.metadata.resourceVersion));
    }
    const ref = { resource: "/pods", namespace: ns, name: "web" };
    // Trim to the newest two events with the store's own log component (as its commits do, sooner).
    await runInDurableObject(objectStub(env, ref), (_s: ObjectStore, state) => {
      new EventLog(state.storage.sql, { meta: { table: "meta", key: "trimmed" }, retainEvents: 2, retainMs: 0, prevs: "derived" }).trim(Date.now() + 1);
    });
    // Compacted at rv(a): a watch from there gets b and c; b's previous object (labels v=a) comes from the kept event.
    const w = await WatchClient.open("http", `/api/v1/namespaces/${ns}/pods?watch=true&fieldSelector=metadata.name%3Dweb&labelSelector=v%3Da&resourceVersion=${rvs[0]}`);
    const [ev] = await w.take(1);
    expect(ev?.type).toBe("DELETED");
    expect(ev?.object.metadata.labels).toEqual({ v: "a" });
    expect(ev?.object.metadata.resourceVersion).toBe(String(rvs[1]));
    expect(await w.next(200)).toBeUndefined();
    await w.close();
    const gone = await WatchClient.open("http", `/api/v1/namespaces/${ns}/pods?watch=true&fieldSelector=metadata.name%3Dweb&resourceVersion=${(rvs[0] ?? 1) - 1}`);
    expect((await gone.take(1))[0]?.type).toBe("ERROR");
    await gone.close();
  });
});
