/**
 * @module
 * The size and shape limits every write passes, with their upstream
 * counterparts (docs/api-server.md lists them), and cheap, non-recursive
 * ways to check them: the checks run on hostile input, so none of them may
 * itself recurse as deep as the input nests or walk more than it has to.
 */
import { badRequest, requestEntityTooLarge, type ApiError } from "./errors";

/**
 * The largest object the store accepts: its JSON, in UTF-8 bytes. etcd's
 * default `--max-request-bytes` (1.5 MiB), which bounds what kube-apiserver can
 * store; a Durable Object SQLite row holds at most 2 MB, so one object and a
 * little bookkeeping always fit in one row.
 */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;

/**
 * The deepest nesting of objects and arrays accepted in a request body, a
 * patch result or a stored object (the top-level object is level 1).
 * Upstream's JSON and YAML decoders stop at 10,000 levels; ours stop far
 * earlier because validation, patching and RPC serialisation recurse once
 * per level: 100 levels is several times what any Kubernetes object needs
 * (a Pod's affinity terms nest 9 deep) and far from the stack's limit.
 */
export const MAX_NESTING_DEPTH = 100;

/**
 * kube-apiserver's `JSONPatchMaxCopyBytes` (3 MiB): the total size that the
 * `copy` operations of one JSON patch may add to the document.
 */
export const MAX_JSON_PATCH_COPY_BYTES = 3 * 1024 * 1024;

/** etcd's answer to a request over its limit; kube-apiserver passes it on (we answer it with 413). */
export function objectTooLarge(): ApiError {
  return requestEntityTooLarge("etcdserver: request is too large");
}

/** 400 for input nested deeper than {@link MAX_NESTING_DEPTH}. */
export function nestedTooDeeply(what: string): ApiError {
  return badRequest(
    `${what} is nested too deeply: more than ${MAX_NESTING_DEPTH} levels of objects and arrays (exceeded max depth)`,
  );
}

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * True when JSON text nests objects and arrays deeper than `limit`, found by
 * counting brackets outside strings (one pass, no parse). Malformed text is
 * left for the parser to report.
 */
export function jsonTextTooDeep(text: string, limit = MAX_NESTING_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return false;
}

/**
 * True when a decoded value nests objects and arrays deeper than `limit`.
 * Iterative: a value built by a YAML parser or by a patch may be as deep as
 * it likes without overflowing the stack here.
 */
export function valueTooDeep(value: unknown, limit = MAX_NESTING_DEPTH): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const v = top.value;
    if (typeof v !== "object" || v === null) continue;
    const depth = top.depth + 1;
    if (depth > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === "object" && child !== null) stack.push({ value: child, depth });
    }
  }
  return false;
}

/**
 * The size of `value`'s JSON in bytes (strings counted as UTF-8 without
 * escapes, so a close lower bound), walking no further than needed: once the
 * count passes `budget` it stops and returns a number above `budget`.
 * Iterative, so any depth is safe.
 */
export function jsonSizeWithin(value: unknown, budget: number): number {
  let size = 0;
  const stack: unknown[] = [value];
  for (let v = stack.pop(); ; v = stack.pop()) {
    if (typeof v === "string") size += utf8Length(v) + 2;
    else if (typeof v === "number" || typeof v === "boolean") size += String(v).length;
    else if (v === null) size += 4;
    else if (Array.isArray(v)) {
      size += 2 + Math.max(0, v.length - 1);
      for (const child of v) stack.push(child);
    } else if (typeof v === "object") {
      const entries = Object.entries(v);
      size += 2 + Math.max(0, entries.length - 1);
      for (const [k, child] of entries) {
        size += utf8Length(k) + 3;
        stack.push(child);
      }
    }
    if (size > budget) return size;
    if (stack.length === 0) return size;
  }
}

/** The number of bytes `text` takes as UTF-8 (lone surrogates count as the 3 bytes of U+FFFD). */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a surrogate pair: 4 bytes for 2 code units
      i++;
    } else bytes += 2;
  }
  return bytes;
}
