/**
 * @module
 * List, then watch from the list's resourceVersion, resuming after a
 * disconnect from the last resourceVersion seen (events and BOOKMARKs carry
 * it) with backoff, and listing afresh when the server says that version is
 * too old (an ERROR event with a 410 Status, or HTTP 410) — client-go's
 * Reflector (`ListAndWatch`, `watchHandler`), in small.
 * @see https://github.com/kubernetes/client-go/blob/master/tools/cache/reflector.go
 */
import { Backoff, type BackoffOptions, sleep } from "./backoff.ts";
import { describeError, type HttpClient, parseJson } from "./http.ts";
import { errorMessage, type Logger } from "./log.ts";
import { lines } from "./ndjson.ts";
import { isRecord, num, str } from "./objects.ts";

/** The changes a watch delivers (BOOKMARK and ERROR are handled here). */
export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

/** Receives the watched set. */
export interface WatchHandler<T> {
  /** The complete set as listed: anything not in it is gone. */
  replace(items: T[]): void;
  /** One change, in resourceVersion order. */
  apply(type: WatchEventType, item: T): void;
}

/** What to watch and how. */
export interface ListWatchOptions<T> {
  /** For logs, e.g. "pods". */
  name: string;
  http: HttpClient;
  /** Collection path, e.g. /api/v1/pods. */
  path: string;
  /** Selectors, e.g. { fieldSelector: "spec.nodeName=n1" }. */
  query: Record<string, string>;
  /** Narrows an item of the list or an event's object; undefined skips it. */
  parse(value: unknown): T | undefined;
  resourceVersionOf(item: T): string | undefined;
  handler: WatchHandler<T>;
  log: Logger;
  backoff?: BackoffOptions;
  /** A stream silent this long is presumed dead (the server sends a BOOKMARK at least every 30 s). */
  idleTimeoutMs?: number;
  /** Items per list page. */
  pageSize?: number;
}

/** Raised when the server no longer has the requested resourceVersion. */
class Expired extends Error {}

/** A list+watch loop; `start` lists afresh, `stop` ends the stream. */
export class ListWatch<T> {
  private rv: string | undefined;
  private controller: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private readonly backoff: Backoff;

  constructor(private readonly options: ListWatchOptions<T>) {
    this.backoff = new Backoff(options.backoff ?? { initialMs: 500, maxMs: 30_000 });
  }

  /** The last resourceVersion seen. */
  get resourceVersion(): string | undefined {
    return this.rv;
  }

  /** Starts listing and watching (a running loop is left alone). */
  start(): void {
    if (this.loop) return;
    const controller = new AbortController();
    this.controller = controller;
    this.rv = undefined;
    this.loop = this.run(controller.signal).catch((err: unknown) => {
      this.options.log.error("watch loop ended", { watch: this.options.name, error: errorMessage(err) });
    });
  }

  /** Ends the stream and the loop. */
  async stop(): Promise<void> {
    this.controller?.abort();
    await this.loop;
    this.loop = undefined;
    this.controller = undefined;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { log, name } = this.options;
    while (!signal.aborted) {
      try {
        if (this.rv === undefined) {
          const listed = await this.list(signal);
          this.rv = listed.resourceVersion;
          log.info("listed", { watch: name, items: listed.items.length, resourceVersion: this.rv });
          this.deliver(() => this.options.handler.replace(listed.items));
        }
        const started = Date.now();
        const seen = await this.watch(this.rv, signal);
        // A stream that ended normally after doing work is simply renewed; one
        // that ends at once every time (a flapping proxy) is paced like an error.
        if (seen > 0 || Date.now() - started > 1000) this.backoff.reset();
        else await sleep(this.backoff.next(), signal);
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof Expired) {
          log.info("resourceVersion expired, relisting", { watch: name, resourceVersion: this.rv });
          this.rv = undefined;
          continue;
        }
        const wait = this.backoff.next();
        log.warn("watch interrupted", { watch: name, error: errorMessage(err), resourceVersion: this.rv, retryInMs: wait });
        await sleep(wait, signal);
      }
    }
  }

  private deliver(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.options.log.error("watch handler failed", { watch: this.options.name, error: errorMessage(err) });
    }
  }

  /** Lists every page; a continue token that expired mid-way restarts the list. */
  private async list(signal: AbortSignal): Promise<{ items: T[]; resourceVersion: string }> {
    const { http, path, query, parse, pageSize = 500 } = this.options;
    let items: T[] = [];
    let cont: string | undefined;
    for (;;) {
      const q = new URLSearchParams({ ...query, limit: String(pageSize), ...(cont ? { continue: cont } : {}) });
      const res = await http.request("GET", `${path}?${q}`, { signal });
      if (res.status === 410 && cont) {
        items = [];
        cont = undefined;
        continue;
      }
      if (res.status !== 200) throw new Error(`list ${path}: ${describeError(res)}`);
      const body = parseJson(res.text);
      if (!isRecord(body) || !isRecord(body.metadata) || !Array.isArray(body.items)) throw new Error(`list ${path}: not a list`);
      for (const raw of body.items) {
        const item = parse(raw);
        if (item) items.push(item);
      }
      cont = str(body.metadata.continue) || undefined;
      if (!cont) return { items, resourceVersion: str(body.metadata.resourceVersion) ?? "" };
    }
  }

  /** Follows one watch stream; returns how many events it carried, throws Expired or the failure. */
  private async watch(rv: string, signal: AbortSignal): Promise<number> {
    const { http, path, query, parse, resourceVersionOf, handler, idleTimeoutMs = 90_000 } = this.options;
    const q = new URLSearchParams({
      ...query, watch: "true", resourceVersion: rv, allowWatchBookmarks: "true",
      // Like client-go, renew the stream every 5–10 minutes so no connection lives forever.
      timeoutSeconds: String(300 + Math.floor(Math.random() * 300)),
    });
    const res = await http.stream(`${path}?${q}`, { signal });
    if (res.statusCode === 410) {
      res.resume();
      throw new Expired();
    }
    if (res.statusCode !== 200) {
      res.setEncoding("utf8");
      let text = "";
      for await (const chunk of res) text += String(chunk);
      throw new Error(`watch ${path}: ${describeError({ status: res.statusCode ?? 0, headers: res.headers, text })}`);
    }
    res.setEncoding("utf8");
    const idle = setTimeout(() => res.destroy(new Error(`no data for ${idleTimeoutMs} ms`)), idleTimeoutMs);
    let seen = 0;
    try {
      for await (const line of lines(res)) {
        idle.refresh();
        const event = parseJson(line);
        if (!isRecord(event) || !isRecord(event.object)) throw new Error(`watch ${path}: undecodable event`);
        const { type, object } = event;
        if (type === "ERROR") {
          if (num(object.code) === 410) throw new Expired();
          throw new Error(`watch ${path}: ${str(object.message) ?? "error event"}`);
        }
        const eventRV = isRecord(object.metadata) ? str(object.metadata.resourceVersion) : undefined;
        if (type === "BOOKMARK") {
          if (eventRV) this.rv = eventRV;
          continue;
        }
        if (type !== "ADDED" && type !== "MODIFIED" && type !== "DELETED") continue;
        const item = parse(object);
        seen++;
        if (item) {
          this.rv = resourceVersionOf(item) ?? eventRV ?? this.rv;
          this.deliver(() => handler.apply(type, item));
        } else if (eventRV) {
          this.rv = eventRV;
        }
      }
    } finally {
      clearTimeout(idle);
      res.destroy();
    }
    return seen;
  }
}
