/**
 * @module
 * The RBAC objects an isolate decides with, indexed by subject — what
 * upstream's RBAC authorizer reads from its informers. Kept current from the
 * four collections' event logs (client/list-cache.ts): a snapshot younger
 * than FRESH_MS is used as is; an older one is used while a refresh runs in
 * the background (no Durable Object round trip on the request path once
 * warm); one older than STALE_MS, or marked stale by a write to an RBAC
 * object in this isolate, is refreshed before the request is decided. So a
 * RoleBinding change anywhere takes effect within about a second, and at
 * once in the isolate that made it.
 */
import { cachedListAll } from "../client/list-cache";
import type { KubeObject } from "../../shared/k8s/object";
import { type PolicyRule, RBAC_GROUP, type RoleRef, roleRefOf, rulesOf, type Subject, subjectsOf } from "./policy";

/** Younger than this, a snapshot is used without a look at the stores. */
const FRESH_MS = 250;
/** Older than this, a snapshot is refreshed before it is used. */
const STALE_MS = 1000;

/** The registry keys of the four RBAC kinds. */
export const RBAC_RESOURCES = {
  roles: `${RBAC_GROUP}/roles`,
  clusterRoles: `${RBAC_GROUP}/clusterroles`,
  roleBindings: `${RBAC_GROUP}/rolebindings`,
  clusterRoleBindings: `${RBAC_GROUP}/clusterrolebindings`,
} as const;

/** A binding, as the authorizer needs it. */
export interface BindingRef {
  kind: "RoleBinding" | "ClusterRoleBinding";
  name: string;
  namespace: string;
  roleRef: RoleRef;
  subject: Subject;
}

/** The indexed RBAC state of one moment. */
export interface RbacSnapshot {
  /** Bumped on every rebuild: decisions cached against an older one are void. */
  version: number;
  clusterRoles: ReadonlyMap<string, PolicyRule[]>;
  /** Roles by "namespace/name". */
  roles: ReadonlyMap<string, PolicyRule[]>;
  /** ClusterRoleBindings by subject key (subjectKey). */
  clusterBindings: ReadonlyMap<string, BindingRef[]>;
  /** RoleBindings by namespace, then subject key. */
  namespaceBindings: ReadonlyMap<string, ReadonlyMap<string, BindingRef[]>>;
}

/** The username a ServiceAccount authenticates as. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** How a subject is indexed: groups apart from users; a ServiceAccount by the username it authenticates as. */
export function subjectKey(subject: Subject, bindingNamespace: string): string | undefined {
  switch (subject.kind) {
    case "User":
      return `u:${subject.name}`;
    case "Group":
      return `g:${subject.name}`;
    case "ServiceAccount":
      return `u:${serviceAccountUsername(subject.namespace ?? bindingNamespace, subject.name)}`;
    default:
      return undefined;
  }
}

/** The keys a caller is found under. */
export function userKeys(user: { username: string; groups: readonly string[] }): string[] {
  return [`u:${user.username}`, ...user.groups.map((g) => `g:${g}`)];
}

function index(bindings: readonly KubeObject[], kind: BindingRef["kind"], into: (namespace: string) => Map<string, BindingRef[]>): void {
  for (const b of bindings) {
    const roleRef = roleRefOf(b);
    if (!roleRef) continue;
    const namespace = b.metadata.namespace ?? "";
    const byKey = into(namespace);
    for (const subject of subjectsOf(b)) {
      const key = subjectKey(subject, namespace);
      if (key === undefined) continue;
      const ref: BindingRef = { kind, name: b.metadata.name ?? "", namespace, roleRef, subject };
      const list = byKey.get(key);
      if (list) list.push(ref);
      else byKey.set(key, [ref]);
    }
  }
}

let version = 0;

/** Builds a snapshot from the four kinds' objects. */
export function buildSnapshot(objects: {
  roles: readonly KubeObject[]; clusterRoles: readonly KubeObject[]; roleBindings: readonly KubeObject[]; clusterRoleBindings: readonly KubeObject[];
}): RbacSnapshot {
  const clusterRoles = new Map(objects.clusterRoles.map((r) => [r.metadata.name ?? "", rulesOf(r)]));
  const roles = new Map(objects.roles.map((r) => [`${r.metadata.namespace ?? ""}/${r.metadata.name ?? ""}`, rulesOf(r)]));
  const clusterBindings = new Map<string, BindingRef[]>();
  index(objects.clusterRoleBindings.filter((b) => roleRefOf(b)?.kind === "ClusterRole"), "ClusterRoleBinding", () => clusterBindings);
  const namespaceBindings = new Map<string, Map<string, BindingRef[]>>();
  index(objects.roleBindings, "RoleBinding", (ns) => {
    let m = namespaceBindings.get(ns);
    if (!m) namespaceBindings.set(ns, (m = new Map()));
    return m;
  });
  version += 1;
  return { version, clusterRoles, roles, clusterBindings, namespaceBindings };
}

async function load(env: Env): Promise<RbacSnapshot> {
  const [roles, clusterRoles, roleBindings, clusterRoleBindings] = await Promise.all([
    cachedListAll(env, { resource: RBAC_RESOURCES.roles }),
    cachedListAll(env, { resource: RBAC_RESOURCES.clusterRoles }),
    cachedListAll(env, { resource: RBAC_RESOURCES.roleBindings }),
    cachedListAll(env, { resource: RBAC_RESOURCES.clusterRoleBindings }),
  ]);
  return buildSnapshot({ roles, clusterRoles, roleBindings, clusterRoleBindings });
}

/** Writes to RBAC objects seen in this isolate; a snapshot loaded before the latest one is stale. */
let writes = 0;
let current: { snapshot: RbacSnapshot; at: number; writes: number } | undefined;
/** When the background refresh in flight started (0: none); one older than BACKGROUND_LOST_MS is taken for lost. */
let backgroundSince = 0;
const BACKGROUND_LOST_MS = 10_000;

/**
 * Loads a snapshot in the caller's own request and keeps it unless a newer
 * one came first. A load another request started is never awaited: workerd
 * drops the pending I/O of a cancelled request, so its promise would never
 * settle and every request waiting on it would hang for good (a denied
 * request once got no answer in 30 s in the e2e suite).
 */
function loadOwn(env: Env): Promise<RbacSnapshot> {
  const started = { at: Date.now(), writes };
  return load(env).then((snapshot) => {
    if (!current || current.writes < started.writes || (current.writes === started.writes && current.at <= started.at)) current = { snapshot, ...started };
    return snapshot;
  });
}

/**
 * The snapshot to decide a request with. `background` receives a refresh the
 * request need not wait for (the Worker's waitUntil), so it outlives the response.
 */
export async function rbacSnapshot(env: Env, background: (p: Promise<unknown>) => void): Promise<RbacSnapshot> {
  if (current && current.writes === writes) {
    const now = Date.now();
    const age = now - current.at;
    if (age < FRESH_MS) return current.snapshot;
    if (age < STALE_MS) {
      if (backgroundSince === 0 || now - backgroundSince > BACKGROUND_LOST_MS) {
        backgroundSince = now;
        background(loadOwn(env).catch(() => undefined).finally(() => {
          backgroundSince = 0;
        }));
      }
      return current.snapshot;
    }
  }
  return loadOwn(env);
}

/** A write to an RBAC object in this isolate: the next decision reads the stores first. */
export function markRbacStale(): void {
  writes += 1;
}
