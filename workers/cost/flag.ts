/**
 * @module
 * Whether this build counts what requests cost (`bench/cost`). A build made
 * with `npm start -- --cost` defines `__DURAPLANE_COST__` as true (esbuild
 * `--define`); every other build — `npm start`, `wrangler deploy`, the tests —
 * leaves it undefined, so the counters are never wired in: the only trace
 * left is one boolean test where a Durable Object or a request starts.
 */
declare const __DURAPLANE_COST__: boolean | undefined;

/** True only in a cost build. */
export const COST_ENABLED: boolean = typeof __DURAPLANE_COST__ === "boolean" && __DURAPLANE_COST__;
