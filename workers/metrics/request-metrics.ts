/**
 * @module
 * The API front's request metrics, as kube-apiserver's: a middleware first
 * in the chain counts every request by its labels and response code
 * (apiserver_request_total), times it to its response's headers
 * (apiserver_request_duration_seconds; a watch's stream and a stream's
 * bytes come after) and holds the in-flight gauge while it runs. All in
 * memory; flush.ts sends it later, off the request's path.
 */
import type { MiddlewareHandler } from "hono";
import { addCounter, addGauge, observe } from "./accumulator";
import { CURRENT_INFLIGHT, REQUEST_DURATION, REQUEST_TOTAL } from "./definitions";
import { armFlush } from "./flush";
import { requestLabels } from "./request-labels";

/** Hono middleware: counts, times and holds in flight every request it wraps. */
export const requestMetrics: MiddlewareHandler = async (c, next) => {
  const started = Date.now();
  const { labels, inflightKind } = requestLabels(c.req.method, new URL(c.req.url), c.req.header("content-type"));
  const inflight = inflightKind ? ([["request_kind", inflightKind]] as const) : undefined;
  if (inflight) addGauge(CURRENT_INFLIGHT, inflight, 1);
  try {
    await next();
  } finally {
    if (inflight) addGauge(CURRENT_INFLIGHT, inflight, -1);
    // Errors are rendered as Status responses by app.onError before they reach here.
    addCounter(REQUEST_TOTAL, [...labels, ["code", String(c.res.status)]]);
    observe(REQUEST_DURATION, labels, (Date.now() - started) / 1000);
    armFlush();
  }
};
