/**
 * @module
 * The store invariants the adversarial suite checks after each run: every
 * object a list shows is readable (GET) and writable (a trivial label patch),
 * a list equals the set of GETs, and nothing a GET finds is missing from a
 * list taken before it (unless it was written after that list).
 */
import { api } from "../helpers";
import type { KindInfo } from "./arbitraries";
import type { World } from "./requests";

interface Item {
  metadata: { name?: string; namespace?: string; resourceVersion?: string; deletionTimestamp?: string };
}

interface List {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: Item[];
}

function collectionPath(k: KindInfo, w: World): string {
  return k.namespaced ? `${k.prefix}/namespaces/${w.ns}/${k.plural}` : `${k.prefix}/${k.plural}`;
}

function objectPath(k: KindInfo, w: World, name: string): string {
  return `${collectionPath(k, w)}/${encodeURIComponent(name)}`;
}

/** Every item of a kind (in the suite's namespace), following continue tokens, and the first page's resourceVersion. */
export async function listAll(k: KindInfo, w: World, problems: string[]): Promise<{ rv: number; items: Map<string, Item> }> {
  const items = new Map<string, Item>();
  let token = "";
  let rv = 0;
  for (let page = 0; page < 50; page++) {
    const res = await api<List>("GET", `${collectionPath(k, w)}?limit=200${token ? `&continue=${encodeURIComponent(token)}` : ""}`);
    if (res.status !== 200) {
      problems.push(`list ${k.plural}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      break;
    }
    if (page === 0) rv = Number(res.body.metadata?.resourceVersion ?? "0");
    for (const i of res.body.items ?? []) items.set(i.metadata.name ?? "", i);
    token = res.body.metadata?.continue ?? "";
    if (!token) break;
  }
  return { rv, items };
}

const VALID_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

let counter = 0;

/** How many listed objects of one kind a full check reads and patches. */
const MAX_CHECKED = 25;

/**
 * Problems with the stored objects of `kinds`: `names` (default: every listed
 * object) must be readable and writable, and agree with the list.
 */
/**
 * Whether the node lifecycle controller evicted pod `name` (its TaintManagerEviction Event): a request
 * that deletes or taints the fuzz's Node legitimately takes the pods bound to it, between a GET and a PATCH.
 */
async function evicted(w: World, k: KindInfo, name: string): Promise<boolean> {
  if (k.kind !== "Pod") return false;
  // The Event is written right after the delete, in the same reconcile.
  for (let attempt = 0; attempt < 10; attempt++) {
    const events = await api<{ items?: { reason?: string }[] }>("GET", `/api/v1/namespaces/${w.ns}/events?fieldSelector=involvedObject.name%3D${name}`);
    if ((events.body.items ?? []).some((e) => e.reason === "TaintManagerEviction")) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

export async function storeProblems(w: World, kinds: readonly KindInfo[], names?: readonly string[]): Promise<string[]> {
  const problems: string[] = [];
  for (const k of kinds) {
    const { rv, items } = await listAll(k, w, problems);
    // Without names: every listed object, up to a bound (the runs leave many behind; each costs two requests).
    const check = (names ?? [...items.keys()].slice(0, MAX_CHECKED)).filter((n) => VALID_NAME.test(n));
    for (const name of new Set(check)) {
      const listed = items.get(name);
      const got = await api<Item>("GET", objectPath(k, w, name));
      const where = `${k.plural} ${name}`;
      if (got.status >= 500) problems.push(`GET ${where}: ${got.status} ${JSON.stringify(got.body).slice(0, 200)}`);
      if (listed && got.status === 404 && !listed.metadata.deletionTimestamp) {
        // A controller may have deleted it since the list: then a new list no longer has it.
        const again = await listAll(k, w, problems);
        if (again.items.has(name)) problems.push(`GET ${where}: 404 but listed at ${rv} and ${again.rv}`);
      }
      if (listed && got.status === 200 && Number(got.body.metadata.resourceVersion) < Number(listed.metadata.resourceVersion)) {
        problems.push(`GET ${where}: resourceVersion ${got.body.metadata.resourceVersion ?? ""} older than the list's ${listed.metadata.resourceVersion ?? ""}`);
      }
      if (!listed && got.status === 200 && Number(got.body.metadata.resourceVersion) <= rv) {
        problems.push(`GET ${where}: found at ${got.body.metadata.resourceVersion ?? ""} but missing from the list at ${rv}`);
      }
      if (got.status !== 200) continue;
      const patched = await api("PATCH", objectPath(k, w, name), { metadata: { labels: { "fuzz-check": String(++counter) } } }, {
        "content-type": "application/merge-patch+json",
      });
      const gone = patched.status === 404 && (got.body.metadata.deletionTimestamp !== undefined || await evicted(w, k, name));
      if (patched.status !== 200 && !gone) problems.push(`label patch ${where}: ${patched.status} ${JSON.stringify(patched.body).slice(0, 300)}`);
    }
  }
  return problems;
}
