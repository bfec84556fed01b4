/**
 * What a stranger's request costs: a repeated bad token is answered from the
 * cache (no D1 read), caches evict their least recently used entries rather
 * than emptying, a source that keeps failing is answered 429 with
 * Retry-After, and refusals of unauthenticated callers are audited at a
 * bounded rate with a note of what was left out.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createToken } from "../workers/api/auth";
import { FAILED_AUTH_LIMIT, FAILED_AUTH_WINDOW_MS } from "../workers/api/auth-limits";
import { LruCache } from "../workers/api/lru-cache";
import { omittedNote, REFUSED_AUDIT_LIMIT, RefusalSampler } from "../workers/audit/refusal-sampler";
import { api, readResponse, send, TOKEN, type ApiResponse, type StatusBody } from "./helpers";

/** A request to the Worker with this bearer token (or none) from this client address. */
async function asSource(source: string, token: string | undefined, path = "/api/v1/namespaces"): Promise<ApiResponse<StatusBody & { details?: { retryAfterSeconds?: number } }>> {
  const headers: Record<string, string> = { "cf-connecting-ip": source };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return readResponse(await send(new Request(`https://duraplane.test${path}`, { headers })));
}

const unique = (prefix: string): string => `${prefix}-${crypto.randomUUID()}`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// First in the file: the refusal sampler's window is per isolate, and the other tests refuse requests too.
describe("audit of refused unauthenticated requests", () => {
  it("writes at most REFUSED_AUDIT_LIMIT rows per window for a flood of bad tokens", async () => {
    const ns = unique("flood").slice(0, 40);
    const flood = REFUSED_AUDIT_LIMIT + 15;
    for (let i = 0; i < flood; i++) {
      // A fresh source each time: this is about the audit log, not the per-source limit.
      expect((await asSource(`192.0.2.${i}`, unique("bad"), `/api/v1/namespaces/${ns}/pods`)).status).toBe(401);
    }
    const rows = await api<{ items: unknown[] }>("GET", `/apis/audit.duraplane.io/v1/events?namespace=${ns}&limit=1000`);
    expect(rows.status).toBe(200);
    expect(rows.body.items.length).toBeGreaterThan(0);
    expect(rows.body.items.length).toBeLessThanOrEqual(REFUSED_AUDIT_LIMIT);
  });

  it("says how many were left out with the next row it records (a later window)", () => {
    const sampler = new RefusalSampler(2, 1000);
    expect([0, 1, 2, 3, 4].map((t) => sampler.admit(t).record)).toEqual([true, true, false, false, false]);
    const next = sampler.admit(1000);
    expect(next).toEqual({ record: true, omitted: { count: 3, since: 2 } });
    expect(sampler.admit(1001)).toEqual({ record: true });
    expect(omittedNote({ count: 3, since: 0 })).toBe("(3 more unauthenticated requests refused since 1970-01-01T00:00:00.000Z were not recorded)");
  });
});

describe("token lookups", () => {
  it("answers a repeated bad token from the cache, without reading D1 again", async () => {
    const token = unique("late");
    const source = "198.51.100.10";
    expect((await asSource(source, token)).status).toBe(401);
    // The token becomes valid in D1 (as if created by another isolate). Had the second request read
    // D1, it would succeed; the cached "unknown" answer refuses it until the cache entry expires.
    await createToken(env, token, { username: "late", groups: ["system:masters"] });
    expect((await asSource(source, token)).status).toBe(401);
    await sleep(5200);
    expect((await asSource(source, token)).status).toBe(200);
  });

  it("evicts the least recently used entry, keeping recent ones (never the whole cache)", () => {
    const cache = new LruCache<string, number>(3);
    cache.set("a", 1, 100);
    cache.set("b", 2, 100);
    cache.set("c", 3, 100);
    expect(cache.get("a", 0)).toBe(1); // a is now the most recent
    cache.set("d", 4, 100);
    expect(cache.size).toBe(3);
    expect(cache.get("b", 0)).toBeUndefined();
    expect([cache.get("a", 0), cache.get("c", 0), cache.get("d", 0)]).toEqual([1, 3, 4]);
    expect(cache.get("a", 100)).toBeUndefined(); // expired
  });
});

describe("failed authentication per source", () => {
  it(`answers 429 with Retry-After after ${FAILED_AUTH_LIMIT} failures, to that source only`, async () => {
    const source = "203.0.113.7";
    // The admin's token is cached as known before the source is blocked.
    expect((await api("GET", "/api/v1/namespaces/default")).status).toBe(200);
    for (let i = 0; i < FAILED_AUTH_LIMIT; i++) expect((await asSource(source, unique("bad"))).status).toBe(401);

    const limited = await asSource(source, unique("bad"));
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ kind: "Status", code: 429, reason: "TooManyRequests" });
    const after = Number(limited.headers.get("retry-after"));
    expect(after).toBeGreaterThanOrEqual(1);
    expect(after).toBeLessThanOrEqual(FAILED_AUTH_WINDOW_MS / 1000);
    expect(limited.body.details?.retryAfterSeconds).toBe(after);
    // No token costs no lookup: refused as unauthenticated, not counted or limited.
    expect((await asSource(source, undefined)).status).toBe(401);

    // Another source is unaffected, and a token this isolate knows to be good still works from the blocked one.
    expect((await asSource("203.0.113.8", unique("bad"))).status).toBe(401);
    expect((await asSource(source, TOKEN)).status).toBe(200);
  });
});
