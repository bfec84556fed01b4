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

function countedNamespace<T extends object>(ns: T, label: string): T {
  return new Proxy(ns, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop);
      if (!isFunction(v)) return v;
      if (prop === "get" || prop === "getByName") {
        return (...args: unknown[]) => countedStub(Reflect.apply(v, target, args) as object, label);
      }
      return v.bind(target);
    },
  });
}

const statementTargets = new WeakMap<object, object>();

function countedStatement<T extends object>(stmt: T): T {
  const proxy = new Proxy(stmt, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop);
      if (!isFunction(v)) return v;
      if (prop === "bind") return (...args: unknown[]) => countedStatement(Reflect.apply(v, target, args) as object);
      if (prop === "first" || prop === "run" || prop === "all" || prop === "raw") {
        return (...args: unknown[]) => {
          count("d1.queries");
          return Reflect.apply(v, target, args);
        };
      }
      return v.bind(target);
    },
  });
  statementTargets.set(proxy, stmt);
  return proxy;
}

function countedD1(db: D1Database): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop);
      if (!isFunction(v)) return v;
      if (prop === "prepare") return (query: unknown) => countedStatement(Reflect.apply(v, target, [query]) as object);
      if (prop === "batch") {
        return (statements: object[]) => {
          count("d1.batches");
          count("d1.queries", statements.length);
          // The runtime reads the statements' internals: hand it the real ones.
          return Reflect.apply(v, target, [statements.map((s) => statementTargets.get(s) ?? s)]);
        };
      }
      if (prop === "exec") {
        return (...args: unknown[]) => {
          count("d1.queries");
          return Reflect.apply(v, target, args);
        };
      }
      return v.bind(target);
    },
  });
}

function countedQueue(queue: Queue): Queue {
  return new Proxy(queue, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop);
      if (!isFunction(v)) return v;
      if (prop === "send") {
        return (...args: unknown[]) => {
          count("queue.sends");
          return Reflect.apply(v, target, args);
        };
      }
      if (prop === "sendBatch") {
        return (messages: unknown[], ...rest: unknown[]) => {
          count("queue.sends", Array.isArray(messages) ? messages.length : 0);
          return Reflect.apply(v, target, [messages, ...rest]);
        };
      }
      return v.bind(target);
    },
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
  };
}

/** A Durable Object's SQLite with every statement counted. */
export function countedSql(sql: SqlStorage): SqlStorage {
  return new Proxy(sql, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop);
      if (!isFunction(v)) return v;
      if (prop === "exec") {
        return (...args: unknown[]) => {
          count("sql.statements");
          return Reflect.apply(v, target, args);
        };
      }
      return v.bind(target);
    },
  });
}
