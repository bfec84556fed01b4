/**
 * @module
 * Authorization as the API front asks for it: the isolate's RBAC snapshot
 * (rbac-snapshot.ts), and decisions remembered per snapshot — a caller
 * repeating a request pays one map lookup. A new snapshot voids them all.
 */
import { ADMIN_GROUP } from "../../shared/hosts/constants";
import { LruCache } from "../api/lru-cache";
import { authorize, type Decision, type Requester } from "./authorizer";
import type { Attributes } from "./policy";
import { rbacSnapshot } from "./rbac-snapshot";

const MASTERS: Decision = { allowed: true, reason: `allowed for members of ${ADMIN_GROUP}` };

/** Decisions remembered per isolate (least recently used out first). */
const CAPACITY = 4096;
const remembered = new LruCache<string, Decision>(CAPACITY);
let rememberedFor = -1;

/** Decides `attrs` for `user`; `background` takes work that may finish after the response. */
export async function decide(env: Env, user: Requester, attrs: Attributes, background: (p: Promise<unknown>) => void): Promise<Decision> {
  // system:masters needs no snapshot: the admin's requests never touch the RBAC stores.
  if (user.groups.includes(ADMIN_GROUP)) return MASTERS;
  const snapshot = await rbacSnapshot(env, background);
  if (snapshot.version !== rememberedFor) {
    remembered.clear();
    rememberedFor = snapshot.version;
  }
  const key = JSON.stringify([user.username, user.groups, attrs]);
  const now = Date.now();
  const known = remembered.get(key, now);
  if (known) return known;
  const decision = authorize(snapshot, user, attrs);
  remembered.set(key, decision, Number.MAX_SAFE_INTEGER);
  return decision;
}
