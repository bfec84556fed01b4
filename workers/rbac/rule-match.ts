/**
 * @module
 * Whether one PolicyRule allows a request, with upstream's matching rules
 * (pkg/apis/rbac/v1/evaluation_helpers.go): `*` matches any verb, group or
 * resource; a resource rule may name `resource/subresource` or
 * `*` then `/subresource` (that subresource of every resource); `resourceNames` narrows a
 * rule to those names (so it never allows a create or a list, which carry no
 * name); a nonResourceURL rule matches its path exactly or, ending in `*`,
 * by prefix. Resource rules never match non-resource requests and back.
 */
import { type Attributes, combinedResource, type PolicyRule } from "./policy";

const ALL = "*";

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  return rule.verbs.some((v) => v === ALL || v === verb);
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  return rule.apiGroups.some((g) => g === ALL || g === group);
}

export function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = combinedResource(resource, subresource);
  return rule.resources.some((r) =>
    r === ALL || r === combined || (subresource !== "" && r === `*/${subresource}`));
}

export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  return rule.resourceNames.length === 0 || rule.resourceNames.includes(name);
}

export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  return rule.nonResourceURLs.some((u) => u === ALL || u === path || (u.endsWith(ALL) && path.startsWith(u.slice(0, -1))));
}

/** Whether `rule` allows the request `attrs`. */
export function ruleAllows(rule: PolicyRule, attrs: Attributes): boolean {
  if (!verbMatches(rule, attrs.verb)) return false;
  if (!attrs.resourceRequest) return nonResourceURLMatches(rule, attrs.path);
  return apiGroupMatches(rule, attrs.apiGroup)
    && resourceMatches(rule, attrs.resource, attrs.subresource)
    && resourceNameMatches(rule, attrs.name);
}
