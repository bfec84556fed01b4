/**
 * @module
 * Lists every object of a resource (all namespaces unless one is given),
 * page by page with `limit`/`continue`, so one page never has to hold a
 * whole large collection; the pages share one snapshot (collection-list.ts).
 */
import type { KubeObject } from "../../shared/k8s/object";
import { listObjects } from "../objects/client";

const PAGE = 500;

/** What to list. */
export interface ListAllOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** Every matching object, parsed. */
export async function listAll(env: Env, resource: string, opts: ListAllOptions = {}): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  let token: string | undefined;
  do {
    const page = await listObjects(env, { resource, ...opts, limit: PAGE, ...(token ? { continue: token } : {}) });
    for (const item of page.items) out.push(JSON.parse(item) as KubeObject);
    token = page.continue;
  } while (token);
  return out;
}
