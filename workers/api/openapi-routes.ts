/**
 * @module
 * `/openapi/v3` (index) and `/openapi/v3/<api/v1 | apis/g/v>` built once per
 * isolate from the zod schemas. `/openapi/v2` is 404, which kubectl accepts
 * once v3 is served.
 */
import { Hono } from "hono";
import { buildOpenApiGroupVersion } from "../../shared/schemas/openapi";
import { KINDS, groupVersions } from "../registry";
import { pathNotFound } from "./resource-path";

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

let documents: Map<string, string> | undefined;

function docs(): Map<string, string> {
  if (documents) return documents;
  const map = new Map<string, string>();
  for (const gv of groupVersions()) {
    const kinds = KINDS.filter((k) => k.group === gv.group && k.version === gv.version);
    map.set(gvPath(gv.group, gv.version), JSON.stringify(buildOpenApiGroupVersion(kinds)));
  }
  documents = map;
  return map;
}

let indexDoc: Record<string, { serverRelativeURL: string }> | undefined;

/** `/openapi/v3`: each group-version's URL with a content hash, which lets kubectl cache it. */
async function index(): Promise<Record<string, { serverRelativeURL: string }>> {
  if (indexDoc) return indexDoc;
  const out: Record<string, { serverRelativeURL: string }> = {};
  for (const [path, doc] of docs()) {
    const digest = await crypto.subtle.digest("SHA-512", new TextEncoder().encode(doc));
    const hash = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 128);
    out[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash.toUpperCase()}` };
  }
  indexDoc = out;
  return out;
}

/** The OpenAPI routes. */
export const openapi = new Hono<{ Bindings: Env }>()
  .get("/openapi/v3", async (c) => c.json({ paths: await index() }))
  .get("/openapi/v3/*", (c) => {
    const doc = docs().get(c.req.path.slice("/openapi/v3/".length));
    if (!doc) throw pathNotFound();
    return new Response(doc, { headers: { "content-type": "application/json" } });
  });
