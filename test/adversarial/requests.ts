/**
 * @module
 * Turns the suite's request descriptions (arbitraries.ts) into real requests
 * sent through the Worker's fetch, and checks each answer's shape: no 5xx
 * but the documented 503/504, every error a v1 Status with the HTTP code,
 * well-formed watch streams, and nothing a node may not read.
 */
import { stringify as toYaml } from "yaml";
import { send, TOKEN, ensureToken } from "../helpers";
import { type BodySpec, KINDS, type KindInfo, NODE, type RequestSpec, sampleObject } from "./arbitraries";

/** What a rendered request needs from the running suite. */
export interface World {
  ns: string;
  otherNs: string;
  nodeName: string;
  nodeToken: string;
}

/** The kind description of a kind name. */
export function kindInfo(kind: string): KindInfo {
  const k = KINDS.find((i) => i.kind === kind);
  if (!k) throw new Error(`unknown kind ${kind}`);
  return k;
}

const enc = new TextEncoder();

function subst(text: string, w: World): string {
  return text.split(NODE).join(w.nodeName);
}

/** The object a body starts from: the kind's sample, or the subresource's own type. */
function baseObject(spec: RequestSpec, w: World, name: string): Record<string, unknown> {
  if (spec.subresource === "scale") return { apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name }, spec: { replicas: 0 } };
  if (spec.subresource === "binding") return { apiVersion: "v1", kind: "Binding", metadata: { name }, target: { apiVersion: "v1", kind: "Node", name: w.nodeName } };
  return sampleObject(spec.kind, name, {}, spec.scope === "other-ns" ? w.otherNs : w.ns);
}

/** Sets `value` at `path`, replacing whatever is in the way. */
function setPath(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur: Record<string, unknown> = obj;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] ?? "";
    const next = Object.hasOwn(cur, key) ? cur[key] : undefined;
    if (typeof next !== "object" || next === null) define(cur, key, {});
    cur = cur[key] as Record<string, unknown>;
  }
  define(cur, path[path.length - 1] ?? "", value);
}

/** An own property even for `__proto__`, as JSON.parse makes it (assignment would set the prototype). */
function define(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function deepText(depth: number, open: "[" | "{" | "mixed", closed: boolean): string {
  let head = "";
  let tail = "";
  for (let i = 0; i < depth; i++) {
    const arr = open === "[" || (open === "mixed" && i % 2 === 0);
    head += arr ? "[" : '{"a":';
    tail = (arr ? "]" : "}") + tail;
  }
  return closed ? `${head}1${tail}` : head;
}

function serialise(value: unknown, contentType: string | undefined): string {
  return (contentType ?? "").toLowerCase().includes("yaml") ? toYaml(JSON.parse(JSON.stringify(value)) as unknown, { aliasDuplicateObjects: false }) : JSON.stringify(value);
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function field(num: number, bytes: readonly number[]): number[] {
  return [(num << 3) | 2, ...varint(bytes.length), ...bytes];
}

function protobufBody(payload: "garbage" | "namespace" | "wrong-kind" | "truncated", bytes: readonly number[], name: string): Uint8Array {
  const magic = [0x6b, 0x38, 0x73, 0x00];
  const str = (s: string): number[] => [...enc.encode(s)];
  if (payload === "garbage") return new Uint8Array([...magic, ...bytes]);
  const typeMeta = field(1, [...field(1, str("v1")), ...field(2, str(payload === "wrong-kind" ? "Pod" : "Namespace"))]);
  if (payload === "truncated") {
    const whole = [...magic, ...typeMeta, ...field(2, field(1, field(1, str(name))))];
    return new Uint8Array(whole.slice(0, Math.max(5, whole.length - (bytes.length % whole.length))));
  }
  return new Uint8Array([...magic, ...typeMeta, ...field(2, bytes)]);
}

const YAML_BOMBS = {
  aliases: `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n`,
  "anchors-deep": `${"- &a".repeat(1)} [${"[".repeat(200)}${"]".repeat(200)}]\n- *a\n- *a\n`,
  tags: "apiVersion: !!binary aGVsbG8=\nkind: !!set {a, b}\nmetadata: !custom {name: x}\n",
  "multi-doc": "apiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: Namespace\n",
  merge: "base: &b {name: x}\nmetadata:\n  <<: *b\n  <<: {name: y}\napiVersion: v1\nkind: Pod\n",
} as const;

/** The bytes of a body, or undefined for none. */
export function renderBody(spec: RequestSpec, body: BodySpec, w: World): string | Uint8Array | undefined {
  const name = subst(spec.name, w) || "fz-noname";
  const base = (): Record<string, unknown> => baseObject(spec, w, name);
  switch (body.t) {
    case "none": return undefined;
    case "object": {
      const obj = base();
      for (const m of body.mutations) setPath(obj, m.path, m.value);
      return serialise(obj, spec.contentType);
    }
    case "json": return JSON.stringify(body.value);
    case "text": return body.text;
    case "deep": {
      const obj = base();
      setPath(obj, ["spec", "affinity"], "__DEEP__");
      return JSON.stringify(obj).replace('"__DEEP__"', deepText(body.depth, body.open, body.closed));
    }
    case "big": {
      const obj = base();
      if (body.where === "annotation") setPath(obj, ["metadata", "annotations"], { big: "x".repeat(body.bytes) });
      if (body.where === "label") setPath(obj, ["metadata", "labels"], { big: "x".repeat(body.bytes) });
      if (body.where === "many-keys") {
        setPath(obj, ["metadata", "annotations"], Object.fromEntries(Array.from({ length: Math.floor(body.bytes / 24) }, (_, i) => [`k${i}`, "vvvvvvvvvv"])));
      }
      if (body.where === "array") setPath(obj, ["metadata", "finalizers"], Array.from({ length: Math.floor(body.bytes / 16) }, (_, i) => `example.com/f${i}`));
      return serialise(obj, spec.contentType);
    }
    case "oversized": {
      const obj = base();
      setPath(obj, ["metadata", "annotations"], { big: "x".repeat(body.bytes) });
      return JSON.stringify(obj);
    }
    case "duplicateKeys": {
      const obj = base();
      const text = JSON.stringify(obj);
      return `{"kind":"Bogus","metadata":{"name":"other","name":"${name}"},${text.slice(1, -1)},"metadata":{"name":${JSON.stringify(name)},"name":"dup"}}`;
    }
    case "invalidUtf8": {
      const bytes = enc.encode(JSON.stringify(base()));
      const at = body.at % bytes.length;
      return new Uint8Array([...bytes.slice(0, at), 0xff, 0xfe, 0xc3, ...bytes.slice(at)]);
    }
    case "protobuf": return protobufBody(body.payload, body.bytes, name);
    case "yamlBomb": {
      if (body.kind !== "special-numbers") return YAML_BOMBS[body.kind];
      // Numbers JSON cannot carry: YAML's .nan and .inf where integers belong.
      const obj = base();
      setPath(obj, ["spec", "replicas"], "__INF__");
      setPath(obj, ["spec", "terminationGracePeriodSeconds"], "__NAN__");
      setPath(obj, ["metadata", "deletionGracePeriodSeconds"], "__NINF__");
      setPath(obj, ["gracePeriodSeconds"], "__NAN__");
      return toYaml(obj).replaceAll("__INF__", ".inf").replaceAll("__NAN__", ".nan").replaceAll("__NINF__", "-.inf");
    }
    case "jsonPatch": return subst(JSON.stringify(body.ops), w);
    case "patchBomb": {
      const ops: unknown[] = [];
      for (let i = 0; i < body.doublings; i++) {
        ops.push({ op: "copy", from: "/spec", path: `/spec/d${i}` });
        if (body.op === "move-copy") ops.push({ op: "move", from: `/spec/d${i}`, path: `/spec/m${i}` });
      }
      return JSON.stringify(ops);
    }
    case "mergePatch": return subst(JSON.stringify(body.value), w);
    case "deleteOptions": return JSON.stringify(body.value);
  }
}

/** The URL path of a request. */
export function renderPath(spec: RequestSpec, w: World): string {
  const k = kindInfo(spec.kind);
  const name = subst(spec.name, w);
  const seg = spec.encoding === "encoded" ? encodeURIComponent(name) : name;
  const nsPart = (() => {
    if (k.namespaced) {
      if (spec.scope === "ns") return `/namespaces/${w.ns}`;
      if (spec.scope === "other-ns") return `/namespaces/${w.otherNs}`;
      if (spec.scope === "missing-ns") return "/namespaces/fz-missing";
      return "";
    }
    return spec.scope === "missing-ns" ? `/namespaces/${w.ns}` : "";
  })();
  if (spec.verb === "kubevirt") {
    const plural = spec.kind === "VirtualMachineInstance" ? "virtualmachineinstances" : k.plural;
    return `/apis/subresources.kubevirt.io/v1${nsPart}/${plural}/${seg}/${spec.subresource ?? ""}`;
  }
  let path = `${k.prefix}${nsPart}/${k.plural}`;
  if (spec.named) path += `/${seg}`;
  if (spec.subresource) path += `/${spec.subresource}`;
  return path;
}

/** The whole Request. */
export async function renderRequest(spec: RequestSpec, w: World): Promise<Request> {
  await ensureToken();
  const headers: Record<string, string> = {};
  if (spec.actor === "admin") headers.authorization = `Bearer ${TOKEN}`;
  if (spec.actor === "node") headers.authorization = `Bearer ${w.nodeToken}`;
  if (spec.contentType !== undefined) headers["content-type"] = spec.contentType;
  if (spec.accept !== undefined) headers.accept = spec.accept;
  const url = new URL(`https://duraplane.test${renderPath(spec, w)}`);
  for (const [key, value] of spec.query) url.searchParams.append(key, subst(value, w));
  const body = ["GET", "HEAD"].includes(spec.method) ? undefined : renderBody(spec, spec.body, w);
  return new Request(url, { method: spec.method, headers, ...(body !== undefined ? { body } : {}) });
}

/** One answer, read and checked. */
export interface Answer {
  status: number;
  body: unknown;
  /** Watch events, when the answer was a watch stream. */
  events?: WatchEvent[];
}

/** One decoded watch event. */
export interface WatchEvent {
  type: string;
  object: { kind?: string; code?: number; metadata?: { name?: string; namespace?: string; resourceVersion?: string; deletionTimestamp?: string }; spec?: { nodeName?: string }; status?: { nodeName?: string } };
}

/** Reads a watch stream until it ends, `enough` says so, or `ms` pass; then cancels it. */
export async function readWatch(res: Response, ms: number, enough: (events: WatchEvent[]) => boolean = () => false): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  if (!res.body) return events;
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  const deadline = Date.now() + ms;
  try {
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((r) => { timer = setTimeout(() => r("timeout"), left); });
      const next = await Promise.race([reader.read(), timeout]);
      clearTimeout(timer);
      if (next === "timeout" || next.done) break;
      buffered += decoder.decode(next.value, { stream: true });
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line !== "") events.push(JSON.parse(line) as WatchEvent);
      }
      if (enough(events)) break;
    }
    if (buffered.trim() !== "") events.push(JSON.parse(buffered) as WatchEvent);
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return events;
}

/** Sends a described request and reads its answer (watch streams: the first events, for at most 1.5 s). */
export async function sendSpec(spec: RequestSpec, w: World): Promise<Answer> {
  const res = await send(await renderRequest(spec, w));
  // Upstream's RequestInfoFactory makes only a collection GET a watch: a named GET with ?watch=true is a get.
  const isStream = res.status === 200 && spec.method === "GET" && !spec.named && spec.query.some(([k, v]) => k === "watch" && (v === "true" || v === "1"));
  // The first events show the stream's shape; waiting out the timeout would only slow the suite.
  if (isStream) return { status: res.status, body: undefined, events: await readWatch(res, 1500, (events) => events.length > 0) };
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: checked below
  }
  return { status: res.status, body };
}

type Bound = WatchEvent["object"];

function boundTo(obj: Bound & { kind?: string; metadata?: { labels?: Record<string, string> } }): string | undefined {
  if (obj.kind === "Pod") return obj.spec?.nodeName;
  if (obj.kind === "Node") return obj.metadata?.name;
  return obj.status?.nodeName ?? obj.metadata?.labels?.["kubevirt.io/nodeName"];
}

/** Problems with an answer (empty when it is fine). */
export function answerProblems(spec: RequestSpec, a: Answer, w: World): string[] {
  const problems: string[] = [];
  if (a.status >= 500 && a.status !== 503 && a.status !== 504) problems.push(`status ${a.status}`);
  if (a.status >= 400 && spec.method !== "HEAD") {
    const s = a.body as { kind?: unknown; apiVersion?: unknown; code?: unknown } | undefined;
    if (typeof s !== "object" || s === null || s.kind !== "Status" || s.apiVersion !== "v1" || s.code !== a.status) {
      problems.push(`error ${a.status} is not a v1 Status with code ${a.status}: ${JSON.stringify(a.body).slice(0, 300)}`);
    }
  }
  for (const e of a.events ?? []) {
    if (!["ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"].includes(e.type)) problems.push(`watch event type ${e.type}`);
    if (e.type === "ERROR" && (e.object.kind !== "Status" || typeof e.object.code !== "number")) problems.push(`watch ERROR without a Status: ${JSON.stringify(e).slice(0, 300)}`);
  }
  if (spec.actor === "node" && a.status === 200 && spec.method === "GET") {
    // NodeRestriction: whatever a node reads is bound to it (or is its own Node).
    const body = a.body as (Bound & { items?: Bound[]; kind?: string }) | undefined;
    const objects: Bound[] = a.events
      ? a.events.filter((e) => e.type !== "BOOKMARK" && e.type !== "ERROR").map((e) => e.object)
      : body?.items ?? (body ? [body] : []);
    for (const o of objects) {
      if (o.kind === "Table") continue;
      if (boundTo(o) !== w.nodeName) problems.push(`node read ${o.kind ?? "?"} ${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""} not bound to it`);
    }
  }
  return problems;
}
