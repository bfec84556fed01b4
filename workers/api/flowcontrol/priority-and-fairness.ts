/**
 * @module
 * The API Priority and Fairness filter: classifies the caller, names the
 * flow schema and priority level in upstream's response headers, and holds
 * a non-exempt request until its level has a seat — fairly per user — or
 * answers 429 with Retry-After when the user's queue is full or the wait too
 * long. Long-running requests (watches) hold no seat, as upstream: they are
 * capped per user by the watch hub instead.
 */
import type { Context, Next } from "hono";
import { ApiError } from "../../../shared/k8s/errors";
import { requestInfo } from "../../audit/request-info";
import type { UserInfo } from "../auth";
import { RejectedError } from "./fair-queue";
import { classify, queueOf, totalSeatsOf } from "./levels";
import { yieldToRuntime } from "../../bounded";

/** Seconds a rejected client is told to wait. */
const RETRY_AFTER_SECONDS = 1;

function longRunning(c: Context): boolean {
  const url = new URL(c.req.url);
  return requestInfo(c.req.method, url).verb === "watch" || url.searchParams.get("follow") === "true" || c.req.header("upgrade")?.toLowerCase() === "websocket";
}

/** Hono middleware: see the module comment. */
export async function priorityAndFairness(c: Context<{ Bindings: Env; Variables: { user: UserInfo } }>, next: Next): Promise<Response | void> {
  const user = c.get("user");
  if (!user) return next();
  const schema = classify(user);
  const headers = { "X-Kubernetes-PF-FlowSchema-UID": schema.uid, "X-Kubernetes-PF-PriorityLevel-UID": schema.level.uid };
  const stamp = () => {
    // A WebSocket upgrade's answer carries its socket; it keeps the headers it has.
    if (c.res.status === 101) return;
    let res = c.res;
    try {
      for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
    } catch {
      // Headers of a response passed through from a Durable Object are immutable: copy it once.
      res = new Response(res.body, res);
      for (const [k, v] of Object.entries(headers)) res.headers.set(k, v);
      c.res = res;
    }
  };
  if (schema.level.shares === undefined || longRunning(c)) {
    await next();
    stamp();
    return;
  }
  let release: () => void;
  try {
    const queue = queueOf(schema.level, totalSeatsOf(c.env));
    const queued = !queue.admitsNow(user.username);
    release = await queue.acquire(user.username);
    // A request that waited starts on a later turn of the loop. It was seated the moment another
    // finished, so without the turn a flood's requests run back to back and workerd, which reads
    // its sockets only when no work is ready, reads no other request meanwhile: every other
    // caller's request, even GET /version, waited ~20 ms to be read (bench/fairness; bounded.ts).
    if (queued) await yieldToRuntime();
  } catch (err) {
    if (!(err instanceof RejectedError)) throw err;
    const status = new ApiError(429, "TooManyRequests", "Too many requests, please try again later.", { retryAfterSeconds: RETRY_AFTER_SECONDS });
    return new Response(JSON.stringify(status.toStatus()), {
      status: 429,
      headers: { "content-type": "application/json", "retry-after": String(RETRY_AFTER_SECONDS), ...headers },
    });
  }
  try {
    await next();
  } finally {
    release();
  }
  stamp();
}
