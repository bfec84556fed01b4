/**
 * @module
 * `POST /debug/bench-floor/{key}`: writes the request body into the
 * BenchFloor Durable Object named `key`. Off unless BENCH_FLOOR_ENABLED is
 * "true" (then it is a 404 Status like any unknown path); when on it still
 * sits behind the API's bearer-token authentication.
 */
import { Hono } from "hono";
import { pathNotFound } from "../api/resource-path";

/** The floor route, mounted at `/` by the API app. */
export const benchFloor = new Hono<{ Bindings: Env }>();

benchFloor.post("/debug/bench-floor/:key", async (c) => {
  // Generated types pin the var to its wrangler.toml literal ("false"); it is
  // overridden at run time (`wrangler dev --var`), so compare it as a string.
  const enabled: string = c.env.BENCH_FLOOR_ENABLED;
  if (enabled !== "true") throw pathNotFound();
  const body = await c.req.text();
  const stored = await c.env.BENCH_FLOOR.getByName(c.req.param("key")).write(body);
  return c.json({ stored }, 201);
});
