/**
 * @module
 * The tables of one ObjectStore, and how an older store's tables become them.
 *
 * Every create makes a new store, so its schema is on the path of every
 * create: a CPU profile of 600 pod creates put the eight tables of the first
 * schema at 43 % of a create's SQLite time (bench/README.md, profile). The
 * second schema has four tables (four B-trees, where the first had eleven), made in one
 * SQLite call that also records the store's identity:
 *
 * - `object`: the object (one row) and its resourceVersion;
 * - `pending`: a write recorded before its commit (object-store.ts);
 * - `events`: the object's own log, for single-object watches; previous
 *   objects are derived from the event before (event-log.ts, `derived`);
 * - `meta (k, v)`: the schema's version (`schema`), the log's compacted
 *   resourceVersion (`trimmed`), the store's identity (`identity`, JSON) and
 *   the server's facts (`facts`, server-facts.ts).
 *
 * A store of the first schema (numbered migrations in `_migrations`, the
 * identity, log meta and facts in tables of their own, previous objects in
 * `event_prevs`) is upgraded in place on its first use, in one transaction.
 */
import type { ObjectRef } from "./object-ref";
import { migrate } from "./sql-migrations";

/** The version new stores are made at, kept in `meta` under `schema`. */
const OBJECT_SCHEMA_VERSION = 2;

/** The first schema, as its numbered migrations ran (kept to finish a store stopped between them). */
const FIRST_SCHEMA = [
  `CREATE TABLE object (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL, rv INTEGER NOT NULL);
   CREATE TABLE pending (id TEXT PRIMARY KEY, type TEXT NOT NULL, body TEXT NOT NULL, prev_rv INTEGER NOT NULL);
   CREATE TABLE identity (id INTEGER PRIMARY KEY CHECK (id = 1), resource TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL);`,
  `CREATE TABLE events (rv INTEGER PRIMARY KEY, type TEXT NOT NULL, body TEXT NOT NULL, prev TEXT, ts INTEGER NOT NULL);
   CREATE TABLE log_meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
   INSERT INTO log_meta (k, v) VALUES ('trimmed', 0);`,
  "CREATE TABLE server_facts (uid TEXT NOT NULL, k TEXT NOT NULL, v INTEGER NOT NULL, PRIMARY KEY (uid, k));",
  "CREATE TABLE event_prevs (rv INTEGER PRIMARY KEY, prev TEXT NOT NULL);",
] as const;

/**
 * A new store's tables besides `meta`. Each is one B-tree: `pending` holds at
 * most one row (writes are serialised and a left row is recovered before the
 * next), so its id needs no unique index. A store upgraded from the first
 * schema keeps its own three, whose columns are the same.
 */
const DATA_TABLES = `CREATE TABLE object (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL, rv INTEGER NOT NULL);
CREATE TABLE pending (id TEXT NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL, prev_rv INTEGER NOT NULL);
CREATE TABLE events (rv INTEGER PRIMARY KEY, type TEXT NOT NULL, body TEXT NOT NULL, prev TEXT, ts INTEGER NOT NULL)`;

/** `v` has no declared type: it holds integers (version, resourceVersion) and JSON text alike. Small rows: no rowid. */
const META_TABLE = "CREATE TABLE meta (k TEXT PRIMARY KEY, v NOT NULL) WITHOUT ROWID";

/** One call for the whole schema of an empty store; the identity is the script's one binding. */
const CREATE_SCRIPT = [
  DATA_TABLES,
  META_TABLE,
  `INSERT INTO meta (k, v) VALUES ('schema', ${OBJECT_SCHEMA_VERSION}), ('trimmed', 0), ('identity', ?)`,
].join(";\n");

/**
 * The first schema's store in the second's form. Facts move only if they are
 * the current object's (others would be dropped by the next write anyway).
 * The log keeps its events but not their stored previous objects, so it is
 * compacted up to its oldest event unless that one is an ADDED (whose
 * previous object is none): each event served later then has the event before it.
 */
const UPGRADE_SCRIPT = `${META_TABLE};
INSERT INTO meta (k, v) SELECT 'identity', json_object('resource', resource, 'namespace', namespace, 'name', name) FROM identity;
INSERT INTO meta (k, v) VALUES ('trimmed', MAX(
  COALESCE((SELECT v FROM log_meta WHERE k = 'trimmed'), 0),
  COALESCE((SELECT rv FROM events WHERE type != 'ADDED' AND rv = (SELECT MIN(rv) FROM events)), 0)));
INSERT INTO meta (k, v) SELECT 'facts', json_set(json_group_object(k, v), '$.uid', uid) FROM server_facts
  WHERE uid = json_extract((SELECT body FROM object), '$.metadata.uid') GROUP BY uid;
DROP TABLE identity;
DROP TABLE log_meta;
DROP TABLE server_facts;
DROP TABLE event_prevs;
DROP TABLE _migrations;
INSERT INTO meta (k, v) VALUES ('schema', ${OBJECT_SCHEMA_VERSION})`;

/**
 * Whether the store has its tables, upgrading a first-schema store on the
 * way (call under the store's lock, before any other read of its tables).
 */
export function openObjectSchema(sql: SqlStorage, storage: DurableObjectStorage): boolean {
  const tables = new Set(
    sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('object', 'meta')")
      .toArray()
      .map((r) => r.name),
  );
  if (!tables.has("object")) return false;
  if (!tables.has("meta")) {
    storage.transactionSync(() => {
      migrate(sql, FIRST_SCHEMA);
      sql.exec(UPGRADE_SCRIPT);
    });
  }
  return true;
}

/** Makes the tables of an empty store, recording whose store it is. */
export function createObjectSchema(sql: SqlStorage, ref: ObjectRef): void {
  sql.exec(CREATE_SCRIPT, JSON.stringify({ resource: ref.resource, namespace: ref.namespace, name: ref.name }));
}

/** Whose store this is (undefined for a store without tables). */
export function readIdentity(sql: SqlStorage): ObjectRef | undefined {
  const row = sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = 'identity'").toArray()[0];
  return row ? (JSON.parse(row.v) as ObjectRef) : undefined;
}

/** For tests: makes an empty store's tables as the first schema did (an older version's store). */
export function createFirstSchemaForTest(sql: SqlStorage, ref: ObjectRef): void {
  migrate(sql, FIRST_SCHEMA);
  sql.exec("INSERT INTO identity (id, resource, namespace, name) VALUES (1, ?, ?, ?)", ref.resource, ref.namespace, ref.name);
}
