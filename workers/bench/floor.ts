/**
 * @module
 * The write floor for `bench/writes`: the cheapest durable write the platform
 * offers for a create — one new Durable Object, one SQLite statement — so the
 * benchmark can show how far the real create path sits above it.
 */
import { DurableObject } from "cloudflare:workers";
import { costEnv, costSql } from "../cost/wiring";

/**
 * One instance per benchmark key, as there is one ObjectStore per Kubernetes
 * object; the single write is what an ObjectStore's first commit cannot avoid.
 */
export class BenchFloor extends DurableObject<Env> {
  private schemaReady = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, costEnv(env));
  }

  /** Stores `body` as this object's only row; returns the bytes stored. */
  async write(body: string): Promise<number> {
    const sql = costSql(this.ctx.storage.sql);
    // Created lazily, like ObjectStore's schema, so the floor pays the same
    // first-write table creation a brand-new object does.
    if (!this.schemaReady) {
      sql.exec("CREATE TABLE IF NOT EXISTS object (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL)");
      this.schemaReady = true;
    }
    sql.exec("INSERT OR REPLACE INTO object (id, body) VALUES (1, ?)", body);
    return body.length;
  }
}
