import { env, runInDurableObject } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { api } from "../../test/helpers";
import { objectStoreName } from "../objects/object-ref";
import type { ObjectStore } from "../objects/object-store";
import { reset, snapshot } from "./counters";
import { countedEnv, countedSql } from "./instrument";

beforeEach(() => reset());

describe("the cost counters' wrappers", () => {
  it("count Durable Object calls by class and method, and the calls still work", async () => {
    const counted = countedEnv(env);
    const ref = { resource: "/pods", namespace: "cost-test", name: "absent" };
    const stub = counted.OBJECTS.getByName(objectStoreName(ref));
    await expect(stub.get(ref)).resolves.toMatchObject({ ok: false });
    const { counts } = snapshot();
    expect(counts["do.calls"]).toBe(1);
    expect(counts["do.calls.ObjectStore.get"]).toBe(1);
    expect(counts["rpc.bytes.sent"]).toBeGreaterThan(0);
    expect(counts["rpc.bytes.received"]).toBeGreaterThan(0);
  });

  it("count D1 queries, also inside a batch", async () => {
    const counted = countedEnv(env);
    const one = await counted.DB.prepare("SELECT ? AS v").bind(7).first<{ v: number }>();
    expect(one?.v).toBe(7);
    const results = await counted.DB.batch([counted.DB.prepare("SELECT 1 AS a"), counted.DB.prepare("SELECT 2 AS a")]);
    expect(results).toHaveLength(2);
    const { counts } = snapshot();
    expect(counts["d1.queries"]).toBe(3);
    expect(counts["d1.batches"]).toBe(1);
  });

  it("count a Durable Object's SQL statements", async () => {
    const stub = env.OBJECTS.getByName("cost-test-sql");
    await runInDurableObject(stub, (_obj: ObjectStore, state) => {
      const sql = countedSql(state.storage.sql);
      expect(sql.exec("SELECT 1 AS one").one().one).toBe(1);
    });
    expect(snapshot().counts["sql.statements"]).toBe(1);
  });
});

describe("GET /debug/cost", () => {
  it("is a 404 Status in a build without the cost flag, and counts nothing", async () => {
    const res = await api("GET", "/debug/cost");
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ kind: "Status", code: 404 });
    expect(snapshot().counts).toEqual({});
  });
});
