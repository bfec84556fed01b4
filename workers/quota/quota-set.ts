/**
 * @module
 * One QuotaSet per namespace: the single writer of that namespace's quota
 * usage. It holds the namespace's quotas (pushed by the ResourceQuota write
 * path and the ResourceQuota controller) and every object's charge under
 * each, reserves a charge before the object is written (`charge`: check and
 * record with no await between, so concurrent creates cannot overshoot),
 * and recomputes charges from the stores (`recompute`) to heal what a crash
 * left behind: a reservation whose object was never written, a release that
 * never came.
 */
import { DurableObject } from "cloudflare:workers";
import { costEnv, costSql } from "../cost/wiring";
import type { KubeObject } from "../../shared/k8s/object";
import { addAmounts, formatAmounts, maskAmounts, type Amount, type Amounts } from "../../shared/k8s/quota-amount";
import { listAll } from "../client/list-all";
import { migrate } from "../objects/sql-migrations";
import { ChargeLedger, CHARGES_MIGRATION } from "./charge-ledger";
import type { ReconcileKey } from "../controllers/runtime/keys";
import type { LimitRangeItem } from "../../shared/schemas";
import { aggregateMessage, applyLimitDefaults, limitRangerHandles, limitRangeViolations } from "./limit-ranger";
import type { ChargedObject, QuotaDefinition } from "./policy";
import { policyOf } from "./quota-definition";
import { chargeUnder, checkCharge, type QuotaState } from "./quota-check";
import { namespaceOfKey } from "./charge-key";
import { ORPHAN_GRACE_MS, reconcileCharges } from "./charge-reconcile";
import { recordWorkqueueAdds } from "../metrics/workqueue-metrics";

export { chargeKey } from "./charge-key";
export { ORPHAN_GRACE_MS } from "./charge-reconcile";

const MIGRATIONS = [
  `CREATE TABLE quotas (name TEXT PRIMARY KEY, def TEXT NOT NULL);
   CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
   ${CHARGES_MIGRATION}`,
  "CREATE TABLE limit_ranges (name TEXT PRIMARY KEY, items TEXT NOT NULL);",
  "CREATE TABLE cluster_quotas (name TEXT PRIMARY KEY);",
];

/** What a set spans: one namespace, or the namespaces a ClusterResourceQuota selects. */
type Scope = { namespace: string } | { cluster: string; members: string[] };

/** Charges that moved are published (the quotas' keys enqueued) this soon, once for a burst. */
const STATUS_DELAY_MS = 200;

/** A charge to set: one object's new state (null when gone) under every quota of the set. */
export interface ChargeRequest {
  /** "group/plural/namespace/name" of the object. */
  key: string;
  /** The object's registry key "group/plural". */
  resource: string;
  uid: string;
  /** The object's next state as JSON; null when it is gone. */
  object: string | null;
  /** A create or spec change: constraints and limits apply. Otherwise the charge just follows the object. */
  enforce: boolean;
  /** Check only; record nothing. */
  dryRun: boolean;
  /** A create: LimitRanges default and bound it first. */
  create: boolean;
}

/** The answer: why the charge was refused, if it was; the object as LimitRanger left it, if it changed it. */
export interface ChargeAnswer {
  refused?: string;
  object?: string;
  /** The ClusterResourceQuotas that also span this namespace (a namespace's set only). */
  clusterQuotas?: string[];
  /** Nothing here charges or limits anything: no ResourceQuota, LimitRange or ClusterResourceQuota. */
  inert?: true;
}

/** `status.hard` and `status.used` of one quota. */
export interface QuotaUsage {
  hard: Record<string, string>;
  used: Record<string, string>;
}

/**
 * A quota set: one per namespace (its ResourceQuotas and LimitRanges), and
 * one per ClusterResourceQuota (`cluster:<name>`, spanning its namespaces).
 */
export class QuotaSet extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private ledgerState: ChargeLedger | undefined;
  /** False until the first write: a namespace without quotas, limits or cluster quotas never gets tables. */
  private schemaReady = false;
  private readonly quotas = new Map<string, QuotaDefinition>();
  private readonly limitRanges = new Map<string, LimitRangeItem[]>();
  /** The ClusterResourceQuotas selecting this namespace. */
  private readonly clusterQuotas = new Set<string>();
  /** Objects released (key → when), so a recompute from an older list does not charge them again. */
  private readonly released = new Map<string, number>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, costEnv(env));
    this.sql = costSql(ctx.storage.sql);
    const found = this.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'quotas'").toArray().length > 0;
    if (!found) return;
    this.ensureSchema();
    for (const row of this.sql.exec<{ name: string; def: string }>("SELECT name, def FROM quotas")) {
      this.quotas.set(row.name, JSON.parse(row.def) as QuotaDefinition);
    }
    for (const row of this.sql.exec<{ name: string; items: string }>("SELECT name, items FROM limit_ranges")) {
      this.limitRanges.set(row.name, JSON.parse(row.items) as LimitRangeItem[]);
    }
    for (const row of this.sql.exec<{ name: string }>("SELECT name FROM cluster_quotas")) this.clusterQuotas.add(row.name);
  }

  private ensureSchema(): void {
    if (this.schemaReady) return;
    migrate(this.sql, MIGRATIONS);
    this.schemaReady = true;
  }

  private get ledger(): ChargeLedger {
    this.ensureSchema();
    this.ledgerState ??= new ChargeLedger(this.sql);
    return this.ledgerState;
  }

  /** Records whether ClusterResourceQuota `name` selects this namespace. */
  async setClusterQuota(name: string, member: boolean): Promise<void> {
    if (!member && !this.schemaReady) return;
    this.ensureSchema();
    if (member) {
      this.clusterQuotas.add(name);
      this.sql.exec("INSERT OR REPLACE INTO cluster_quotas (name) VALUES (?)", name);
    } else {
      this.clusterQuotas.delete(name);
      this.sql.exec("DELETE FROM cluster_quotas WHERE name = ?", name);
    }
  }

  /** Adds, changes (items) or removes (null) one LimitRange's items. */
  async syncLimitRange(name: string, items: LimitRangeItem[] | null): Promise<void> {
    if (items === null && !this.schemaReady) return;
    this.ensureSchema();
    if (items === null) {
      this.limitRanges.delete(name);
      this.sql.exec("DELETE FROM limit_ranges WHERE name = ?", name);
      return;
    }
    this.limitRanges.set(name, items);
    this.sql.exec("INSERT OR REPLACE INTO limit_ranges (name, items) VALUES (?, ?)", name, JSON.stringify(items));
  }

  /** LimitRanger on a create: defaults, then bounds. Answers the refusal, or the object it changed. */
  private limitRange(req: ChargeRequest, item: ChargedObject): ChargeAnswer {
    if (!req.create || this.limitRanges.size === 0 || !limitRangerHandles(req.resource)) return {};
    const items = [...this.limitRanges.keys()].sort().flatMap((name) => this.limitRanges.get(name) ?? []);
    const before = JSON.stringify(item.object);
    applyLimitDefaults(req.resource, item.object, items);
    const errs = limitRangeViolations(req.resource, item.object, items);
    if (errs.length > 0) return { refused: aggregateMessage(errs) };
    const after = JSON.stringify(item.object);
    return after === before ? {} : { object: after };
  }

  /** Sets one object's charges: checked and recorded atomically across the set's quotas. */
  async charge(req: ChargeRequest): Promise<ChargeAnswer> {
    const clusters = this.clusterQuotas.size > 0 ? { clusterQuotas: [...this.clusterQuotas].sort() } : {};
    if (this.quotas.size === 0 && this.limitRanges.size === 0) return this.clusterQuotas.size > 0 ? clusters : { inert: true };
    const item: ChargedObject | undefined = req.object === null ? undefined : { resource: req.resource, object: JSON.parse(req.object) as KubeObject };
    const limited = item ? this.limitRange(req, item) : {};
    if (limited.refused !== undefined) return limited;
    const now = Date.now();
    const plan: { quota: string; usage: ReturnType<typeof chargeUnder> }[] = [];
    for (const def of this.quotas.values()) {
      const state = this.state(def);
      if (!state) continue;
      const row = this.ledger.get(def.name, req.key);
      // A row of another uid is an earlier object of this name: a create replaces it; a late release leaves it.
      if (row && row.uid !== req.uid && item === undefined) continue;
      const before = row && row.uid === req.uid ? row.usage : {};
      const after = chargeUnder(state, item);
      if (req.enforce) {
        const refused = checkCharge(state, before, after, item, req.create);
        if (refused !== undefined) return { refused };
      }
      if (!row && Object.keys(after).length === 0) continue;
      plan.push({ quota: def.name, usage: after });
    }
    if (req.dryRun) return { ...limited, ...clusters };
    for (const p of plan) this.ledger.set(p.quota, req.key, req.uid, p.usage, now);
    if (item === undefined) this.released.set(req.key, now);
    if (plan.length > 0) await this.publishSoon();
    return { ...limited, ...clusters };
  }

  /** Adds, changes (def) or removes (null) one quota; a new or changed quota is counted from the stores first. */
  async syncQuota(namespace: string, name: string, def: QuotaDefinition | null): Promise<void> {
    if (def === null && !this.schemaReady) return;
    this.setScope({ namespace });
    await this.sync(name, def, false);
  }

  /** The ClusterResourceQuota form of syncQuota: its one quota and the namespaces it spans now. */
  async syncClusterQuota(name: string, def: QuotaDefinition | null, members: string[]): Promise<void> {
    if (def === null && !this.schemaReady) return;
    const before = this.scope();
    const moved = !before || !("cluster" in before) || before.members.join() !== members.join();
    this.setScope({ cluster: name, members });
    await this.sync(name, def, moved);
  }

  /** The namespaces a cluster set spans. */
  async members(): Promise<string[]> {
    const scope = this.scope();
    return scope && "cluster" in scope ? scope.members : [];
  }

  private async sync(name: string, def: QuotaDefinition | null, force: boolean): Promise<void> {
    if (def === null) {
      if (!this.schemaReady) return;
      this.quotas.delete(name);
      this.sql.exec("DELETE FROM quotas WHERE name = ?", name);
      this.ledger.forget(name);
      return;
    }
    const known = this.quotas.get(name);
    if (!force && known && JSON.stringify(known) === JSON.stringify(def)) return;
    await this.recomputeQuotas([def]);
  }

  private scope(): Scope | undefined {
    if (!this.schemaReady) return undefined;
    const row = this.sql.exec<{ v: string }>("SELECT v FROM meta WHERE k = 'scope'").toArray()[0];
    return row ? (JSON.parse(row.v) as Scope) : undefined;
  }

  private setScope(scope: Scope): void {
    this.ensureSchema();
    this.sql.exec("INSERT OR REPLACE INTO meta (k, v) VALUES ('scope', ?)", JSON.stringify(scope));
  }

  /** Recomputes every quota's charges from the stores (the controller's resync). */
  async recompute(): Promise<void> {
    await this.recomputeQuotas([...this.quotas.values()]);
  }

  /** A cluster set's usage per member namespace. */
  async usageByNamespace(name: string): Promise<{ namespace: string; status: QuotaUsage }[]> {
    const def = this.quotas.get(name);
    if (!def) return [];
    const byNamespace = new Map<string, Amounts>();
    for (const c of this.ledger.all(name)) {
      const ns = namespaceOfKey(c.key);
      byNamespace.set(ns, addAmounts(byNamespace.get(ns) ?? {}, c.usage));
    }
    return (await this.members()).map((namespace) => ({ namespace, status: this.usageOf(def, byNamespace.get(namespace) ?? {}) }));
  }

  /** One quota's `status.hard` (its spec) and `status.used` (every hard name, "0" when unused). */
  async usage(name: string): Promise<QuotaUsage | undefined> {
    const def = this.quotas.get(name);
    return def ? this.usageOf(def, this.ledger.used(name)) : undefined;
  }

  private usageOf(def: QuotaDefinition, usage: Amounts): QuotaUsage {
    const used = maskAmounts(usage, Object.keys(def.hard));
    for (const [k, h] of Object.entries(def.hard)) used[k] ??= { milli: 0, binary: h.binary } satisfies Amount;
    return { hard: formatAmounts(def.hard), used: formatAmounts(used) };
  }

  /** Enqueues every quota's key, so the controller publishes the usage that moved. */
  override async alarm(): Promise<void> {
    const scope = this.scope();
    if (scope === undefined || this.quotas.size === 0) return;
    const keys: ReconcileKey[] = "cluster" in scope
      ? [{ controller: "clusterresourcequota", namespace: "", name: scope.cluster }]
      : [...this.quotas.keys()].map((name) => ({ controller: "resourcequota", namespace: scope.namespace, name }));
    await this.env.RECONCILE_QUEUE.sendBatch(keys.map((body) => ({ body })));
    recordWorkqueueAdds(keys);
  }

  private async publishSoon(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + STATUS_DELAY_MS);
  }

  private state(def: QuotaDefinition): QuotaState | undefined {
    const policy = policyOf(def.annotations);
    return policy ? { def, policy, used: this.ledger.used(def.name) } : undefined;
  }

  /**
   * Lists what the quotas charge, then (with no await) sets each quota's
   * charges to what the list says — except charges changed since the list
   * began (a write in flight knows better) and fresh reservations whose
   * object the list cannot show yet — and activates `defs`.
   */
  private async recomputeQuotas(defs: QuotaDefinition[]): Promise<void> {
    const scope = this.scope();
    const namespaces = scope === undefined ? [] : "cluster" in scope ? scope.members : [scope.namespace];
    const snapshot = Date.now();
    const resources = new Set<string>();
    for (const def of defs) for (const r of policyOf(def.annotations)?.chargedResources(def) ?? []) resources.add(r);
    const listed = new Map<string, ChargedObject[]>();
    for (const resource of resources) {
      const all: ChargedObject[] = [];
      for (const namespace of namespaces) {
        for (const object of await listAll(this.env, { resource, namespace })) all.push({ resource, object });
      }
      listed.set(resource, all);
    }
    for (const def of defs) {
      const state = this.state(def);
      if (!state) continue;
      reconcileCharges(this.ledger, state, listed, { snapshot, released: this.released });
      this.quotas.set(def.name, def);
      this.sql.exec("INSERT OR REPLACE INTO quotas (name, def) VALUES (?, ?)", def.name, JSON.stringify(def));
    }
    for (const [key, at] of this.released) if (at < snapshot - ORPHAN_GRACE_MS) this.released.delete(key);
  }
}

/** The set of ClusterResourceQuota `name` (namespace names cannot contain ":"). */
export function clusterQuotaStub(env: Env, name: string): DurableObjectStub<QuotaSet> {
  return (env.QUOTA_SETS as DurableObjectNamespace<QuotaSet>).getByName(`cluster:${name}`);
}

/** The QuotaSet of a namespace. */
export function quotaSetStub(env: Env, namespace: string): DurableObjectStub<QuotaSet> {
  return (env.QUOTA_SETS as DurableObjectNamespace<QuotaSet>).getByName(namespace);
}

