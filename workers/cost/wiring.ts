/**
 * @module
 * Where the cost counters are wired in: the Worker's handlers and each
 * Durable Object's constructor pass their env and SQLite through these,
 * which hand them back untouched unless this is a cost build.
 */
import { HOSTS_API_PREFIX, WEBHOOK_PREFIX } from "../../shared/hosts/constants";
import { count } from "./counters";
import { COST_ENABLED } from "./flag";
import { countedEnv, countedSql, countJson } from "./instrument";

/** `env`, counted in a cost build. */
export function costEnv(env: Env): Env {
  if (!COST_ENABLED) return env;
  countJson();
  return countedEnv(env);
}

/** A Durable Object's SQLite, counted in a cost build. */
export function costSql(sql: SqlStorage): SqlStorage {
  return COST_ENABLED ? countedSql(sql) : sql;
}

/**
 * Counts a request reaching the Worker by class (`worker.requests.api`,
 * `.watch`, `.webhook` for host reports and heartbeats, `.hosts` for the host
 * API), leaving out the cost routes'
 * own requests so that reading the counters does not change them.
 */
export function costRequest(req: Request): void {
  if (!COST_ENABLED) return;
  const url = new URL(req.url);
  if (url.pathname.startsWith("/debug/cost")) return;
  const path = url.pathname;
  const kind = path.startsWith(WEBHOOK_PREFIX) ? "webhook"
    : path.startsWith(HOSTS_API_PREFIX) ? "hosts"
    : url.searchParams.get("watch") === "true" ? "watch" : "api";
  count("worker.requests");
  count(`worker.requests.${kind}`);
}

/** Counts one event of `name` (a request reaching the Worker, a queue batch) in a cost build. */
export function costEvent(name: string, n = 1): void {
  if (COST_ENABLED) count(name, n);
}
