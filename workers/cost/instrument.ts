/**
 * @module
 * Counting wrappers for a cost build: around the Worker's bindings (Durable
 * Object calls and the bytes their arguments and answers would take as JSON,
 * D1 queries, queue sends), a Durable Object's SQLite (statements), and the
 * global JSON (parses and stringifies with their sizes). They are installed
 * only when COST_ENABLED (flag.ts); a normal build never runs this code.
 *
 * What they cannot see, and bench/README.md says: JSON parsed or made inside
 * the runtime (`Request.json()`, structured clone of RPC arguments) and the
 * exact bytes RPC copies (estimated as the JSON size of the values).
 */
import { count } from "./counters";

const rawStringify = JSON.stringify;
const rawParse = JSON.parse;
let jsonCounted = false;

/** The JSON size of a value crossing RPC, 0 for what JSON cannot carry (streams, stubs). */
function bytesOf(value: unknown): number {
  try {
    return rawStringify(value)?.length ?? 0;
  } catch {
    return 0;
  }
}

/** Counts every JSON.parse and JSON.stringify of the isolate (once per isolate). */
export function countJson(): void {
  if (jsonCounted) return;
  jsonCounted = true;
  JSON.parse = function parse(text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown): unknown {
    count("json.parse");
    count("json.parse.bytes", typeof text === "string" ? text.length : 0);
    return rawParse(text, reviver);
  } as typeof JSON.parse;
  JSON.stringify = function stringify(value: unknown, replacer?: unknown, space?: string | number): string {
    const out = rawStringify(value, replacer as Parameters<typeof rawStringify>[1], space) as string | undefined;
    count("json.stringify");
    count("json.stringify.bytes", out?.length ?? 0);
    return out as string;
  } as typeof JSON.stringify;
}

type AnyFunction = (...args: unknown[]) => unknown;
// Calls go through Reflect.apply, never `v.apply`/`v.call`: a stub's method is an RPC property whose
// every member is remote, so `method.apply` would be a call of a remote method named "apply".

function isFunction(v: unknown): v is AnyFunction {
  return typeof v === "function";
}

/** A stub whose every method call is counted under `label`. */
function countedStub<T extends object>(stub: T, label: string): T {
  return new Proxy(stub, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop);
      if (typeof prop !== "string" || prop === "then" || !isFunction(v)) return v;
      return (...args: unknown[]) => {
        count("do.calls");
        count(`do.calls.${label}.${prop}`);
        count("rpc.bytes.sent", bytesOf(args));
        const result = Reflect.apply(v, target, args);
        return Promise.resolve(result).then((answer) => {
          count("rpc.bytes.received", bytesOf(answer));
          return answer;
        });
      };
    },
  });
}

/** Calls the wrapped method with the given arguments. */
type Call = (args: unknown[]) => unknown;

/**
 * `target` with the named methods replaced by `wrappers` (each given the
 * real call); its other methods are bound to it, so host objects that check
 * their receiver keep working.
 */
function wrapMethods<T extends object>(target: T, wrappers: Record<string, (call: Call, args: unknown[]) => unknown>): T {
  return new Proxy(target, {
    get(t, prop) {
      const v: unknown = Reflect.get(t, prop);
      if (!isFunction(v)) return v;
      const wrapper = typeof prop === "string" ? wrappers[prop] : undefined;
      const call: Call = (args) => Reflect.apply(v, t, args);
      return wrapper ? (...args: unknown[]) => wrapper(call, args) : v.bind(t);
    },
  });
}

/** A wrapper that counts `n(args)` under `name`, then makes the call. */
function counting(name: string, n: (args: unknown[]) => number = () => 1): (call: Call, args: unknown[]) => unknown {
  return (call, args) => {
    count(name, n(args));
    return call(args);
  };
}

function countedNamespace<T extends object>(ns: T, label: string): T {
  const stubOf = (call: Call, args: unknown[]) => countedStub(call(args) as object, label);
  return wrapMethods(ns, { get: stubOf, getByName: stubOf });
}

const statementTargets = new WeakMap<object, object>();

function countedStatement<T extends object>(stmt: T): T {
  const query = counting("d1.queries");
  const proxy = wrapMethods(stmt, {
    bind: (call, args) => countedStatement(call(args) as object),
    first: query, run: query, all: query, raw: query,
  });
  statementTargets.set(proxy, stmt);
  return proxy;
}

function countedD1(db: D1Database): D1Database {
  return wrapMethods(db, {
    prepare: (call, args) => countedStatement(call(args) as object),
    batch: (call, [statements]) => {
      const list = Array.isArray(statements) ? (statements as object[]) : [];
      count("d1.batches");
      count("d1.queries", list.length);
      // The runtime reads the statements' internals: hand it the real ones.
      return call([list.map((st) => statementTargets.get(st) ?? st)]);
    },
    exec: counting("d1.queries"),
  });
}

function countedQueue(queue: Queue): Queue {
  return wrapMethods(queue, {
    send: counting("queue.sends"),
    sendBatch: counting("queue.sends", ([messages]) => (Array.isArray(messages) ? messages.length : 0)),
  });
}

/** `env` with its D1, queue and Durable Object bindings counted. */
export function countedEnv(env: Env): Env {
  return {
    ...env,
    DB: countedD1(env.DB),
    RECONCILE_QUEUE: countedQueue(env.RECONCILE_QUEUE),
    OBJECTS: countedNamespace(env.OBJECTS, "ObjectStore"),
    COLLECTIONS: countedNamespace(env.COLLECTIONS, "CollectionStore"),
    RECONCILERS: countedNamespace(env.RECONCILERS, "Reconciler"),
    BENCH_FLOOR: countedNamespace(env.BENCH_FLOOR, "BenchFloor"),
    QUOTA_SETS: countedNamespace(env.QUOTA_SETS, "QuotaSet"),
    USAGE: countedNamespace(env.USAGE, "UsageStore"),
  };
}

/** A Durable Object's SQLite with every statement counted. */
export function countedSql(sql: SqlStorage): SqlStorage {
  return wrapMethods(sql, { exec: counting("sql.statements") });
}
