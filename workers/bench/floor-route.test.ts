/**
 * The benchmark floor route: off by default (404 Status), behind the bearer
 * token when on, and a single row in a fresh BenchFloor per key.
 */
import { createExecutionContext, env, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../index";
import { ensureToken, TOKEN } from "../../test/helpers";

/** The Worker's env with the floor switched on, as `wrangler dev --var BENCH_FLOOR_ENABLED:true` does. */
const enabledEnv = { ...env, BENCH_FLOOR_ENABLED: "true" } as unknown as Env;

async function post(target: Env, key: string, body: string, token: string | null = TOKEN): Promise<Response> {
  await ensureToken();
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`https://duraplane.test/debug/bench-floor/${key}`, { method: "POST", headers, body }),
    target,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

describe("POST /debug/bench-floor/{key}", () => {
  it("is a 404 Status unless BENCH_FLOOR_ENABLED is true", async () => {
    const res = await post(env, "off", "{}");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: "the server could not find the requested resource",
      reason: "NotFound",
      code: 404,
    });
  });

  it("requires the bearer token when enabled", async () => {
    const none = await post(enabledEnv, "anon", "{}", null);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ kind: "Status", code: 401, reason: "Unauthorized" });
    const wrong = await post(enabledEnv, "anon", "{}", "nope");
    expect(wrong.status).toBe(401);
  });

  it("stores the body as the only row of the key's own object", async () => {
    const first = '{"kind":"Pod","metadata":{"name":"a"}}';
    const res = await post(enabledEnv, "k1", first);
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ stored: first.length });
    const again = await post(enabledEnv, "k1", "{}");
    expect(again.status).toBe(201);
    await post(enabledEnv, "k2", first);
    const rows = (key: string) =>
      runInDurableObject(env.BENCH_FLOOR.getByName(key), (_instance, state) =>
        state.storage.sql.exec<{ id: number; body: string }>("SELECT id, body FROM object").toArray(),
      );
    expect(await rows("k1")).toEqual([{ id: 1, body: "{}" }]);
    expect(await rows("k2")).toEqual([{ id: 1, body: first }]);
  });

  it("answers only POST", async () => {
    await ensureToken();
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request("https://duraplane.test/debug/bench-floor/k1", { headers: { authorization: `Bearer ${TOKEN}` } }),
      enabledEnv,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(404);
  });
});
