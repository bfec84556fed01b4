/**
 * @module
 * Numbered schema migrations for a Durable Object's SQLite. Each entry runs
 * once, in order, recorded in `_migrations`; an applied entry is never edited
 * (add a new one instead). We use raw SQL here rather than drizzle because
 * these tables sit on the write path of every request and the statements are
 * few and fixed.
 */

/** Applies the migrations not yet applied. Call inside `blockConcurrencyWhile`. */
export function migrate(sql: SqlStorage, migrations: readonly string[]): void {
  sql.exec("CREATE TABLE IF NOT EXISTS _migrations (id INTEGER PRIMARY KEY)");
  const row = sql.exec<{ n: number | null }>("SELECT MAX(id) AS n FROM _migrations").one();
  const applied = row.n ?? 0;
  for (let id = applied + 1; id <= migrations.length; id++) {
    const statement = migrations[id - 1];
    if (statement === undefined) break;
    sql.exec(statement);
    sql.exec("INSERT INTO _migrations (id) VALUES (?)", id);
  }
}
