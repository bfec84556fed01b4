/**
 * @module
 * `GET /debug/cost`: the cost counters since the last reset, and
 * `POST /debug/cost/reset`. Only in a cost build (`npm start -- --cost`);
 * otherwise a 404 Status like any unknown path. Behind the API's bearer-token
 * authentication like everything else.
 */
import { Hono } from "hono";
import { pathNotFound } from "../api/resource-path";
import { reset, snapshot } from "./counters";
import { COST_ENABLED } from "./flag";

/** The cost routes, mounted at `/` by the API app. */
export const costRoutes = new Hono<{ Bindings: Env }>();

costRoutes.get("/debug/cost", (c) => {
  if (!COST_ENABLED) throw pathNotFound();
  return c.json(snapshot());
});

costRoutes.post("/debug/cost/reset", (c) => {
  if (!COST_ENABLED) throw pathNotFound();
  reset();
  return c.json(snapshot());
});
