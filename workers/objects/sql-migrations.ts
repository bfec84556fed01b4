/**
 * @module
 * Numbered schema migrations for a Durable Object's SQLite. Each entry runs
 * once, in order, recorded in `_migrations`; an applied entry is never edited
 * (add a new one instead). We use raw SQL here rather than drizzle because
 * these tables sit on the write path of every request and the statements are
 * few and fixed.
 */

/**
 * Creates the whole schema of a database known to be empty in one call: the
 * migrations table, every migration, and their ids. A new Durable Object
 * (every create makes one) then pays one SQLite call for its tables instead
 * of two per migration. Only for a database with no tables: use
 * {@link migrate} when the schema may already exist.
 */
export function createSchema(sql: SqlStorage, migrations: readonly string[]): void {
  const ids = migrations.map((_, i) => `(${i + 1})`).join(", ");
  const script = [
    "CREATE TABLE _migrations (id INTEGER PRIMARY KEY)",
    ...migrations.map((m) => m.trim().replace(/;\s*$/, "")),
    ...(migrations.length > 0 ? [`INSERT INTO _migrations (id) VALUES ${ids}`] : []),
  ].join(";\n");
  sql.exec(script);
}

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
