/**
 * @module
 * Host reports answered by the signed webhook, counted by result: accepted
 * (200, also a replayed webhook-id answered again) or refused, by the
 * refusal's Status reason (Unauthorized for a bad signature or a stale
 * timestamp, BadRequest for a malformed body, Conflict while the same id is
 * being applied, RequestEntityTooLarge, InternalError). No upstream
 * counterpart, hence the duraplane_ prefix.
 */
import type { MiddlewareHandler } from "hono";
import { ApiError } from "../../shared/k8s/errors";
import { addCounter } from "./accumulator";
import { WEBHOOK_REPORTS } from "./definitions";
import { armFlush } from "./flush";

/** Hono middleware for the reports route: counts its answer. */
export const reportMetrics: MiddlewareHandler = async (c, next) => {
  await next();
  const status = c.res.status;
  if (status < 400) addCounter(WEBHOOK_REPORTS, [["result", "accepted"], ["reason", ""]]);
  else {
    // c.error is what the handler threw, before app.onError rendered it as the Status answered.
    const reason = c.error instanceof ApiError ? c.error.reason : status >= 500 ? "InternalError" : "Unknown";
    addCounter(WEBHOOK_REPORTS, [["result", "refused"], ["reason", reason]]);
  }
  armFlush();
};
