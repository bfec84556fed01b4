import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { migrate } from "./sql-migrations";

const MIGRATIONS = [
  `CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT NOT NULL);
   CREATE TABLE b (k TEXT PRIMARY KEY);
   INSERT INTO b (k) VALUES ('x');`,
  "CREATE TABLE c (id INTEGER PRIMARY KEY);",
  `CREATE TABLE d (id INTEGER PRIMARY KEY)`,
];

/** The schema and the recorded migrations of a fresh Durable Object's database after `build`. */
async function schemaAfter(build: (sql: SqlStorage) => void): Promise<{ tables: unknown[]; ids: unknown[]; rows: unknown[] }> {
  const stub = env.OBJECTS.getByName(`sql-migrations-${crypto.randomUUID()}`);
  return runInDurableObject(stub, (_obj, state) => {
    build(state.storage.sql);
    return {
      tables: state.storage.sql.exec("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf%' ESCAPE '\\' ORDER BY name").toArray(),
      ids: state.storage.sql.exec("SELECT id FROM _migrations ORDER BY id").toArray(),
      rows: state.storage.sql.exec("SELECT k FROM b").toArray(),
    };
  });
}

describe("migrate", () => {
  it("applies each migration once, in order, and finishes a store stopped part of the way", async () => {
    const all = await schemaAfter((sql) => migrate(sql, MIGRATIONS));
    const again = await schemaAfter((sql) => {
      migrate(sql, MIGRATIONS);
      migrate(sql, MIGRATIONS);
    });
    const stepwise = await schemaAfter((sql) => {
      migrate(sql, MIGRATIONS.slice(0, 1));
      migrate(sql, MIGRATIONS);
    });
    expect(again).toEqual(all);
    expect(stepwise).toEqual(all);
    expect(all.ids).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    expect(all.rows).toEqual([{ k: "x" }]);
    expect(all.tables.map((t) => (t as { name: string }).name)).toEqual(["_migrations", "a", "b", "c", "d"]);
  });
});
