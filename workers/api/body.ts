/**
 * @module
 * Reading request bodies: a hard size limit (413 before anything is parsed),
 * then JSON or YAML by Content-Type, with a 400 a person can act on. Nothing
 * nested deeper than MAX_NESTING_DEPTH gets past here (400), so the
 * recursive code behind (validation, patches, RPC) never sees it.
 */
import { parse as parseYaml } from "yaml";
import { badRequest, requestEntityTooLarge, unsupportedMediaType } from "../../shared/k8s/errors";
import { jsonTextTooDeep, nestedTooDeeply, valueTooDeep } from "../../shared/k8s/limits";
import type { Json } from "../../shared/k8s/object";
import { decodeKubernetesProtobuf, PROTOBUF_CONTENT_TYPE } from "../../shared/k8s/protobuf/decode";

/** Upstream's limit for a request body (apiserver MaxRequestBodyBytes is 3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Reads the body as text, refusing anything over the limit without buffering it all. */
export async function readBodyText(req: Request, limit = MAX_BODY_BYTES): Promise<string> {
  const bytes = await readBodyBytes(req, limit);
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw badRequest("the request body is not valid UTF-8");
  }
}

/**
 * Reads the raw body bytes (of a client's request, or of a response a host sent through its
 * tunnel), refusing anything over the limit without buffering it all: `overLimit` is what is thrown.
 */
export async function readBodyBytes(req: Request | Response, limit = MAX_BODY_BYTES, overLimit = () => tooLarge(limit)): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > limit) throw overLimit();
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw overLimit();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes;
}

function tooLarge(limit: number) {
  return requestEntityTooLarge(`Request entity too large: limit is ${limit}`);
}

/** The media type of a Content-Type header, lower case and without parameters. */
export function mediaType(header: string | null): string {
  return (header ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/**
 * Parses JSON text from a client, refusing (400) text nested too deeply
 * before parsing it. `what` names it in errors ("the request body", "the patch").
 */
export function parseJsonText(text: string, what = "the request body"): Json {
  if (jsonTextTooDeep(text)) throw nestedTooDeeply(what);
  try {
    return JSON.parse(text) as Json;
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw badRequest(`${what} is not valid JSON: ${detail}`);
  }
}

function parseYamlDoc(text: string): Json {
  let doc: Json;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 }) as Json;
  } catch (err) {
    // The yaml package recurses per level; deep enough input overflows its stack before our check can run.
    if (err instanceof Error && err.message.includes("Maximum call stack size exceeded")) {
      throw nestedTooDeeply("the request body");
    }
    const detail = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw badRequest(`the request body is not valid YAML: ${detail}`);
  }
  // YAML has no brackets to count (indentation nests too), so the parsed value is walked instead.
  if (valueTooDeep(doc)) throw nestedTooDeeply("the request body");
  return doc;
}

const JSON_TYPES = new Set(["application/json", "", "*/*", "text/plain", "application/octet-stream"]);
const YAML_TYPES = new Set(["application/yaml", "application/x-yaml", "text/yaml"]);

/** Parses a create/update body (JSON, or YAML when declared). */
export async function readObjectBody(req: Request): Promise<Json> {
  const type = mediaType(req.headers.get("content-type"));
  if (type === PROTOBUF_CONTENT_TYPE) {
    // kubectl's typed clients (`kubectl create namespace`) send protobuf and never retry with JSON.
    return decodeKubernetesProtobuf(await readBodyBytes(req));
  }
  if (!JSON_TYPES.has(type) && !YAML_TYPES.has(type)) {
    throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
  }
  const text = await readBodyText(req);
  if (text.trim() === "") throw badRequest("the request body is empty");
  return YAML_TYPES.has(type) ? parseYamlDoc(text) : parseJsonText(text);
}

/** Parses a body that may be JSON or YAML (apply patches, raw clients without a type). */
export function parseJsonOrYaml(text: string): Json {
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) return parseJsonText(text);
  return parseYamlDoc(text);
}
