/**
 * @module
 * Delivers observations through the node's signed webhook (Standard
 * Webhooks): keeps the latest pending observation per object, sends them in
 * batches, and retries a batch with exponential backoff and jitter on network
 * errors, 5xx, 429 and friends — under the same webhook-id (the server applies
 * an id at most once) but a fresh timestamp and signature each time, so a
 * retry after minutes is still within the server's freshness window.
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md
 */
import { randomUUID } from "node:crypto";
import { MAX_REPORT_BYTES } from "../shared/hosts/constants.ts";
import type { ItemResult, NodeReport, ReportItem, ReportItemResult, UsageReport } from "../shared/hosts/report.ts";
import { signedHeaders } from "../shared/hosts/signature.ts";
import { Backoff, type BackoffOptions, sleep } from "./backoff.ts";
import { describeError, type HttpResponse, parseJson } from "./http.ts";
import { errorMessage, type Logger } from "./log.ts";
import { isRecord, num, str } from "./objects.ts";
import { withQueuedMigration } from "./migration-report.ts";

/** Everything the reporter needs from outside. */
export interface ReporterOptions {
  /** POSTs one signed report body to the webhook. */
  post(body: string, headers: Record<string, string>): Promise<HttpResponse>;
  /** The current signing secrets, asked before every attempt so a rotation applies at once. */
  secrets(): readonly string[];
  log: Logger;
  /** Observations made within this window go out together. */
  flushDelayMs?: number;
  backoff?: BackoffOptions;
  /** At most this many items per report (the schema's limit). */
  maxItems?: number;
  /** Stay below the webhook's body limit. */
  maxBytes?: number;
  /** Tells the caller what became of each item. */
  onItemResult?(item: ReportItem, result: ReportItemResult): void;
}

interface Batch {
  id: string;
  node?: NodeReport;
  usage?: UsageReport;
  items: ReportItem[];
  body: string;
}

type Attempt = { ok: true } | { ok: false; retry: boolean; why: string; retryAfterMs?: number };

/** Statuses after which the same report may succeed: overload, restarts, a busy receipt, a not yet known secret. */
const RETRYABLE = new Set([401, 403, 408, 409, 425, 429]);

function retryAfterMs(res: HttpResponse): number | undefined {
  const header = res.headers["retry-after"];
  const seconds = Number(Array.isArray(header) ? header[0] : header);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

const ITEM_RESULTS: ReadonlySet<string> = new Set<ItemResult>(["Applied", "Stale", "Refused", "NotFound", "Invalid"]);

function isItemResult(value: string | undefined): value is ItemResult {
  return value !== undefined && ITEM_RESULTS.has(value);
}

/** One entry of a HostReportResult's items, narrowed. */
function itemResult(raw: unknown): ReportItemResult | undefined {
  if (!isRecord(raw)) return undefined;
  const result = str(raw.result);
  if (!isItemResult(result)) return undefined;
  return {
    kind: str(raw.kind) ?? "", namespace: str(raw.namespace) ?? "", name: str(raw.name) ?? "",
    result, code: num(raw.code) ?? 0, message: str(raw.message), resourceVersion: str(raw.resourceVersion),
  };
}

/** Batches, signs and delivers host reports. */
export class Reporter {
  private readonly pending = new Map<string, ReportItem>();
  private node: NodeReport | undefined;
  private usage: UsageReport | undefined;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private paused = false;
  private closing = false;
  private waits = new AbortController();
  private failing = false;
  private readonly backoff: Backoff;

  constructor(private readonly options: ReporterOptions) {
    this.backoff = new Backoff(options.backoff ?? { initialMs: 250, maxMs: 30_000 });
  }

  /** Queues an observation; it replaces a queued older one of the same object (by uid and sequence). */
  enqueue(item: ReportItem): void {
    const queued = this.pending.get(item.uid);
    if (queued && queued.sequence >= item.sequence) return;
    // A queued migration report rides along with a newer status report of the same VMI (migration.ts).
    if (queued) item = withQueuedMigration(queued, item);
    this.pending.delete(item.uid);
    this.pending.set(item.uid, item);
    this.kick();
  }

  /** Queues a heartbeat and the usage sampled with it (the newest replace any queued ones). */
  heartbeat(node: NodeReport, usage?: UsageReport): void {
    this.node = node;
    this.usage = usage;
    this.kick();
  }

  /** Number of observations waiting to be sent. */
  get backlog(): number {
    return this.pending.size;
  }

  /**
   * Stops sending (the host went silent); what is queued stays queued. Resolves once no report is
   * in flight, so nothing reaches the server after the host is silent.
   */
  async pause(): Promise<void> {
    this.paused = true;
    this.abortWaits();
    await this.draining;
  }

  /** Sends again. */
  resume(): void {
    this.paused = false;
    this.kick();
  }

  /**
   * Sends what is queued with one try per batch, for at most `timeoutMs`
   * (a shutdown must not hang on an unreachable server), then stops.
   */
  async close(timeoutMs = 5000): Promise<void> {
    this.closing = true;
    clearTimeout(this.timer);
    this.abortWaits();
    const flush = async (): Promise<void> => {
      await this.draining;
      while (!this.paused && this.hasPending()) {
        const outcome = await this.attempt(this.take());
        if (!outcome.ok) return;
      }
    };
    const deadline = new AbortController();
    await Promise.race([flush(), sleep(timeoutMs, deadline.signal)]);
    deadline.abort();
  }

  /** Resolves once nothing is queued or in flight (tests). */
  async settled(): Promise<void> {
    while (this.timer || this.draining) {
      await this.draining;
      if (this.timer) await sleep(this.options.flushDelayMs ?? 100);
    }
  }

  private hasPending(): boolean {
    return this.node !== undefined || this.pending.size > 0;
  }

  private abortWaits(): void {
    this.waits.abort();
    this.waits = new AbortController();
  }

  private kick(): void {
    if (this.paused || this.closing || this.timer || this.draining) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.draining = this.drain()
        .catch((err: unknown) => this.options.log.error("reporter failed", { error: errorMessage(err) }))
        .finally(() => {
          this.draining = undefined;
          if (this.hasPending()) this.kick();
        });
    }, this.options.flushDelayMs ?? 100);
  }

  private async drain(): Promise<void> {
    while (!this.paused && !this.closing && this.hasPending()) {
      if (!(await this.deliver(this.take()))) return;
    }
  }

  /** Takes the heartbeat and as many items as fit in one report. */
  private take(): Batch {
    const { maxItems = 500, maxBytes = MAX_REPORT_BYTES - 64 * 1024 } = this.options;
    const node = this.node;
    const usage = this.usage;
    this.node = undefined;
    this.usage = undefined;
    const items: ReportItem[] = [];
    let bytes = JSON.stringify(node ?? {}).length + JSON.stringify(usage ?? {}).length + 32;
    for (const [uid, item] of this.pending) {
      const size = JSON.stringify(item).length + 1;
      if (items.length >= maxItems || (items.length > 0 && bytes + size > maxBytes)) break;
      items.push(item);
      bytes += size;
      this.pending.delete(uid);
    }
    const body = JSON.stringify({ ...(node ? { node } : {}), items, ...(usage ? { usage } : {}) });
    return { id: `msg_${randomUUID()}`, node, ...(usage ? { usage } : {}), items, body };
  }

  /** Puts a batch back unless newer observations replaced its contents meanwhile. */
  private requeue(batch: Batch): void {
    if (this.node === undefined) {
      this.node = batch.node;
      this.usage = batch.usage;
    }
    for (const item of batch.items) {
      const queued = this.pending.get(item.uid);
      if (!queued || queued.sequence < item.sequence) this.pending.set(item.uid, item);
    }
  }

  /** Sends one batch until it is answered; false when sending stopped and the batch went back to the queue. */
  private async deliver(batch: Batch): Promise<boolean> {
    const { log } = this.options;
    for (;;) {
      const outcome = await this.attempt(batch);
      if (outcome.ok) {
        this.backoff.reset();
        if (this.failing) log.info("webhook reachable again", { id: batch.id });
        this.failing = false;
        return true;
      }
      if (!outcome.retry) {
        log.error("report refused, dropped", { id: batch.id, items: batch.items.length, error: outcome.why });
        return true;
      }
      if (this.paused || this.closing) {
        this.requeue(batch);
        return false;
      }
      const wait = Math.max(this.backoff.next(), outcome.retryAfterMs ?? 0);
      this.failing = true;
      log.warn("report not delivered, retrying", { id: batch.id, attempt: this.backoff.attempts, retryInMs: wait, error: outcome.why });
      await sleep(wait, this.waits.signal);
    }
  }

  private async attempt(batch: Batch): Promise<Attempt> {
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = { ...(await signedHeaders(this.options.secrets(), batch.id, timestamp, batch.body)), "content-type": "application/json" };
    let res: HttpResponse;
    try {
      res = await this.options.post(batch.body, headers);
    } catch (err) {
      return { ok: false, retry: true, why: errorMessage(err) };
    }
    if (res.status >= 200 && res.status < 300) {
      this.handleResult(batch, parseJson(res.text));
      return { ok: true };
    }
    return { ok: false, retry: res.status >= 500 || RETRYABLE.has(res.status), why: describeError(res), retryAfterMs: retryAfterMs(res) };
  }

  /** Stale, NotFound and Refused items are simply done; Invalid ones are worth a line in the log. */
  private handleResult(batch: Batch, body: unknown): void {
    const { log, onItemResult } = this.options;
    if (!isRecord(body) || !Array.isArray(body.items)) {
      log.warn("webhook answer is not a HostReportResult", { id: batch.id });
      return;
    }
    const node = isRecord(body.node) ? body.node : undefined;
    if (node && node.result !== "Applied") log.warn("heartbeat not applied", { result: str(node.result), message: str(node.message) });
    let applied = 0;
    body.items.forEach((raw: unknown, i) => {
      const item = batch.items[i];
      const r = itemResult(raw);
      if (!item || !r) return;
      if (r.result === "Applied") applied++;
      else if (r.result === "Invalid") log.warn("report item invalid", { object: `${item.namespace}/${item.name}`, kind: item.kind, message: r.message });
      else log.info("report item dropped", { object: `${item.namespace}/${item.name}`, kind: item.kind, result: r.result });
      onItemResult?.(item, r);
    });
    if (batch.items.length > 0) {
      log.info("reported", { id: batch.id, items: batch.items.length, applied, replayed: body.replayed === true || undefined });
    }
  }
}
