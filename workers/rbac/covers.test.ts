import { describe, expect, it } from "vitest";
import { describeRule, uncovered } from "./covers";
import type { PolicyRule } from "./policy";

const rule = (r: Partial<PolicyRule> & { verbs: string[] }): PolicyRule =>
  ({ apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [], ...r });

describe("escalation coverage", () => {
  const owner = [
    rule({ apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list"] }),
    rule({ apiGroups: ["apps"], resources: ["*"], verbs: ["*"] }),
    rule({ apiGroups: [""], resources: ["configmaps"], resourceNames: ["a", "b"], verbs: ["get"] }),
    rule({ apiGroups: ["kubevirt.io"], resources: ["*/status"], verbs: ["get"] }),
    rule({ nonResourceURLs: ["/healthz", "/logs/*"], verbs: ["get"] }),
  ];

  it.each([
    [rule({ apiGroups: [""], resources: ["pods"], verbs: ["get"] }), true],
    [rule({ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }), true],
    [rule({ apiGroups: [""], resources: ["pods"], verbs: ["delete"] }), false],
    [rule({ apiGroups: [""], resources: ["pods"], verbs: ["*"] }), false], // a wildcard is covered only by a wildcard
    [rule({ apiGroups: [""], resources: ["pods/exec"], verbs: ["get"] }), false],
    [rule({ apiGroups: ["apps"], resources: ["replicasets", "replicasets/scale"], verbs: ["update", "patch"] }), true],
    [rule({ apiGroups: ["apps", ""], resources: ["replicasets"], verbs: ["get"] }), false],
    [rule({ apiGroups: [""], resources: ["configmaps"], resourceNames: ["a"], verbs: ["get"] }), true],
    [rule({ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }), false], // all names ⊄ two names
    [rule({ apiGroups: ["kubevirt.io"], resources: ["virtualmachines/status"], verbs: ["get"] }), true],
    [rule({ apiGroups: ["kubevirt.io"], resources: ["virtualmachines"], verbs: ["get"] }), false],
    [rule({ nonResourceURLs: ["/logs/kube.log"], verbs: ["get"] }), true],
    [rule({ nonResourceURLs: ["/logs/*"], verbs: ["get"] }), true],
    [rule({ nonResourceURLs: ["/metrics"], verbs: ["get"] }), false],
    [rule({ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }), false],
  ])("%j covered: %s", (servant, covered) => {
    expect(uncovered(owner, [servant]).length === 0).toBe(covered);
  });

  it("names each missing permission on its own, as upstream's message lists them", () => {
    const missing = uncovered(owner, [rule({ apiGroups: [""], resources: ["pods", "secrets"], verbs: ["get", "delete"] })]);
    expect(missing.map(describeRule)).toEqual([
      '{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}',
      '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}',
      '{APIGroups:[""], Resources:["secrets"], Verbs:["delete"]}',
    ]);
  });

  it("refuses a rule too large to check instead of spending seconds on it", () => {
    const many = Array.from({ length: 200 }, (_, i) => `r${i}`);
    const huge = rule({ apiGroups: ["apps"], resources: many, verbs: many });
    expect(uncovered(owner, [huge])).toEqual([]); // one owner rule (apps, *, *) covers it whole
    const elsewhere = { ...huge, apiGroups: ["batch"] };
    expect(uncovered(owner, [elsewhere])).toEqual([elsewhere]);
  });
});
