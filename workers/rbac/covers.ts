/**
 * @module
 * Escalation prevention's test (upstream's validation.Covers): a set of
 * rules a caller holds covers another set when every atomic permission of
 * the other — one verb on one group's resource (and name), or one verb on one
 * non-resource URL — is allowed by some rule the caller holds. `*` is read
 * literally on the servant side: a role granting verb `*` is covered only by
 * a rule granting `*`, so no one makes a wildcard out of a list.
 */
import type { PolicyRule } from "./policy";

const ALL = "*";
/**
 * A rule whose permissions multiply past this (verbs × groups × resources ×
 * names) is reported uncovered whole instead of checked: hostile input must
 * not make one write cost seconds of CPU. No real role comes near it.
 */
const MAX_ATOMS = 20_000;

/** One permission: the unit the comparison works in. */
interface Atom {
  verb: string;
  group?: string;
  resource?: string;
  name?: string;
  url?: string;
}

function atomsOf(rule: PolicyRule): Atom[] {
  const atoms: Atom[] = [];
  for (const verb of rule.verbs) {
    for (const url of rule.nonResourceURLs) atoms.push({ verb, url });
    for (const group of rule.apiGroups) {
      for (const resource of rule.resources) {
        if (rule.resourceNames.length === 0) atoms.push({ verb, group, resource });
        for (const name of rule.resourceNames) atoms.push({ verb, group, resource, name });
      }
    }
  }
  return atoms;
}

function resourceCovered(owner: readonly string[], resource: string): boolean {
  if (owner.includes(ALL) || owner.includes(resource)) return true;
  const slash = resource.indexOf("/");
  return slash > 0 && owner.includes(`*${resource.slice(slash)}`);
}

function urlCovered(owner: readonly string[], url: string): boolean {
  return owner.some((u) => u === ALL || u === url || (u.endsWith(ALL) && url.startsWith(u.slice(0, -1))));
}

function atomCovered(rule: PolicyRule, atom: Atom): boolean {
  if (!rule.verbs.includes(ALL) && !rule.verbs.includes(atom.verb)) return false;
  if (atom.url !== undefined) return urlCovered(rule.nonResourceURLs, atom.url);
  if (!rule.apiGroups.includes(ALL) && !rule.apiGroups.includes(atom.group ?? "")) return false;
  if (!resourceCovered(rule.resources, atom.resource ?? "")) return false;
  return rule.resourceNames.length === 0 || (atom.name !== undefined && rule.resourceNames.includes(atom.name));
}

/** Whether one owner rule covers a whole servant rule (checked before exploding it: cheap, and most grants pass here). */
function wholeRuleCovered(o: PolicyRule, r: PolicyRule): boolean {
  const has = (set: readonly string[], xs: readonly string[]) => set.includes(ALL) || xs.every((x) => set.includes(x));
  if (!has(o.verbs, r.verbs)) return false;
  if (r.nonResourceURLs.some((u) => !urlCovered(o.nonResourceURLs, u))) return false;
  if (r.resources.length === 0 || r.apiGroups.length === 0) return true;
  if (!has(o.apiGroups, r.apiGroups) || r.resources.some((x) => !resourceCovered(o.resources, x))) return false;
  return o.resourceNames.length === 0 || (r.resourceNames.length > 0 && r.resourceNames.every((n) => o.resourceNames.includes(n)));
}

/** The rules of `servant` no rule of `owner` covers, one atomic permission each (empty: covered). */
export function uncovered(owner: readonly PolicyRule[], servant: readonly PolicyRule[]): PolicyRule[] {
  const missing: PolicyRule[] = [];
  for (const rule of servant) {
    if (owner.some((o) => wholeRuleCovered(o, rule))) continue;
    const count = rule.verbs.length * (rule.nonResourceURLs.length + rule.apiGroups.length * rule.resources.length * Math.max(1, rule.resourceNames.length));
    if (count > MAX_ATOMS) {
      missing.push(rule);
      continue;
    }
    for (const atom of atomsOf(rule)) {
      if (owner.some((o) => atomCovered(o, atom))) continue;
      missing.push(atom.url !== undefined
        ? { verbs: [atom.verb], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [atom.url] }
        : { verbs: [atom.verb], apiGroups: [atom.group ?? ""], resources: [atom.resource ?? ""], resourceNames: atom.name !== undefined ? [atom.name] : [], nonResourceURLs: [] });
    }
  }
  return missing;
}

/** Upstream's compact rendering of a rule in escalation errors: `{APIGroups:["apps"], Resources:["pods"], Verbs:["get"]}`. */
export function describeRule(rule: PolicyRule): string {
  const q = (xs: readonly string[]) => xs.map((x) => JSON.stringify(x)).join(" ");
  const parts: string[] = [];
  if (rule.apiGroups.length > 0) parts.push(`APIGroups:[${q(rule.apiGroups)}]`);
  if (rule.resources.length > 0) parts.push(`Resources:[${q(rule.resources)}]`);
  if (rule.resourceNames.length > 0) parts.push(`ResourceNames:[${q(rule.resourceNames)}]`);
  if (rule.nonResourceURLs.length > 0) parts.push(`NonResourceURLs:[${q(rule.nonResourceURLs)}]`);
  parts.push(`Verbs:[${q(rule.verbs)}]`);
  return `{${parts.join(", ")}}`;
}
