/**
 * @module
 * The parts of rbac.authorization.k8s.io/v1 objects the authorizer reads —
 * rules, role references and subjects — read defensively from stored
 * objects (they were validated on write, but a bad one must deny, not throw),
 * and the attributes a request is decided on (upstream's authorizer.Attributes).
 */
import type { KubeObject } from "../../shared/k8s/object";

/** One rule of a Role or ClusterRole (rbacv1.PolicyRule). */
export interface PolicyRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

/** A binding's roleRef. */
export interface RoleRef {
  kind: "Role" | "ClusterRole";
  name: string;
}

/** A binding's subject (rbacv1.Subject). */
export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

/** What a request asks to do, as the authorizer sees it (authorizer.AttributesRecord). */
export type Attributes =
  | {
      resourceRequest: true;
      verb: string;
      apiGroup: string;
      resource: string;
      subresource: string;
      namespace: string;
      name: string;
    }
  | { resourceRequest: false; verb: string; path: string };

/** The RBAC API group. */
export const RBAC_GROUP = "rbac.authorization.k8s.io";

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The rules of a stored Role or ClusterRole. */
export function rulesOf(role: KubeObject | Record<string, unknown>): PolicyRule[] {
  const raw = (role as Record<string, unknown>).rules;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((r) => {
    const rule = record(r);
    if (!rule) return [];
    return [{
      verbs: strings(rule.verbs), apiGroups: strings(rule.apiGroups), resources: strings(rule.resources),
      resourceNames: strings(rule.resourceNames), nonResourceURLs: strings(rule.nonResourceURLs),
    }];
  });
}

/** The roleRef of a stored binding; undefined when malformed. */
export function roleRefOf(binding: KubeObject | Record<string, unknown>): RoleRef | undefined {
  const ref = record((binding as Record<string, unknown>).roleRef);
  const kind = ref?.kind;
  const name = ref?.name;
  if ((kind !== "Role" && kind !== "ClusterRole") || typeof name !== "string") return undefined;
  return { kind, name };
}

/** The subjects of a stored binding. */
export function subjectsOf(binding: KubeObject | Record<string, unknown>): Subject[] {
  const raw = (binding as Record<string, unknown>).subjects;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((s) => {
    const subject = record(s);
    if (!subject || typeof subject.kind !== "string" || typeof subject.name !== "string") return [];
    return [{ kind: subject.kind, name: subject.name, ...(typeof subject.namespace === "string" ? { namespace: subject.namespace } : {}) }];
  });
}

/** "pods" or "pods/log": how a rule names a resource with its subresource. */
export function combinedResource(resource: string, subresource: string): string {
  return subresource === "" ? resource : `${resource}/${subresource}`;
}
