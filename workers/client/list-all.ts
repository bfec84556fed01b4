/**
 * @module
 * Lists every object a list request matches, page by page with
 * `limit`/`continue`, so one page never has to hold a whole large
 * collection; the pages share one snapshot (collection-list.ts).
 */
import type { KubeObject } from "../../shared/k8s/object";
import type { ListRequest, ListResult } from "../objects/collection-list";
import { listObjects } from "../objects/client";

/** Objects per page. */
const PAGE = 500;

/**
 * The pages of `req`, in order. Its `limit` is replaced by the page size; its
 * `continue`, if any, starts the first page.
 */
export async function* listPages(env: Env, req: ListRequest): AsyncGenerator<ListResult> {
  let token: string | undefined;
  do {
    const page = await listObjects(env, { ...req, limit: PAGE, ...(token ? { continue: token } : {}) });
    yield page;
    token = page.continue;
  } while (token);
}

/** Every object `req` matches, parsed (see {@link listPages}). */
export async function listAll(env: Env, req: ListRequest): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for await (const page of listPages(env, req)) {
    for (const item of page.items) out.push(JSON.parse(item) as KubeObject);
  }
  return out;
}
