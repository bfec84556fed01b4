import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../shared/k8s/object";
import type { PolicyRule } from "../../shared/schemas";
import { breakdownRule, reconcileBinding, reconcileRole, uncoveredRules } from "./bootstrap-reconcile";

const role = (rules: PolicyRule[], meta: Partial<KubeObject["metadata"]> = {}): KubeObject => ({
  apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "r", ...meta }, rules,
});

describe("uncoveredRules (upstream's Covers)", () => {
  it("breaks rules down into atoms", () => {
    expect(breakdownRule({ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"], resourceNames: ["a"] })).toEqual([
      { verbs: ["get"], apiGroups: [""], resources: ["pods"], resourceNames: ["a"] },
      { verbs: ["list"], apiGroups: [""], resources: ["pods"], resourceNames: ["a"] },
    ]);
    expect(breakdownRule({ verbs: ["get"], nonResourceURLs: ["/a", "/b"] })).toEqual([
      { verbs: ["get"], nonResourceURLs: ["/a"] }, { verbs: ["get"], nonResourceURLs: ["/b"] },
    ]);
  });

  it.each<[string, PolicyRule[], PolicyRule, boolean]>([
    ["wildcards", [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }], { verbs: ["get"], apiGroups: ["apps"], resources: ["x/y"] }, true],
    ["a */subresource wildcard", [{ verbs: ["get"], apiGroups: [""], resources: ["*/log"] }], { verbs: ["get"], apiGroups: [""], resources: ["pods/log"] }, true],
    ["another subresource", [{ verbs: ["get"], apiGroups: [""], resources: ["*/log"] }], { verbs: ["get"], apiGroups: [""], resources: ["pods/exec"] }, false],
    ["a named rule does not cover all names", [{ verbs: ["get"], apiGroups: [""], resources: ["pods"], resourceNames: ["a"] }],
      { verbs: ["get"], apiGroups: [""], resources: ["pods"] }, false],
    ["a URL prefix", [{ verbs: ["get"], nonResourceURLs: ["/apis/*"] }], { verbs: ["get"], nonResourceURLs: ["/apis/apps"] }, true],
    ["a different verb", [{ verbs: ["get"], nonResourceURLs: ["*"] }], { verbs: ["post"], nonResourceURLs: ["/x"] }, false],
  ])("%s", (_what, owner, wanted, covered) => {
    expect(uncoveredRules(owner, [wanted])).toHaveLength(covered ? 0 : 1);
  });
});

describe("reconcileRole / reconcileBinding", () => {
  it("adds missing atoms and labels, keeps what the administrator added", () => {
    const expected = role([{ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }], { labels: { a: "1" } });
    const existing = role([{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }, { verbs: ["get"], apiGroups: [""], resources: ["extra"] }],
      { labels: { a: "mine" }, resourceVersion: "7" });
    const got = reconcileRole(existing, expected);
    expect(got.op).toBe("update");
    if (got.op !== "update") return;
    expect(got.object.metadata).toEqual({ name: "r", labels: { a: "mine" }, resourceVersion: "7" });
    expect(got.object.rules).toEqual([...(existing.rules as PolicyRule[]), { verbs: ["list"], apiGroups: [""], resources: ["pods"] }]);
    expect(reconcileRole(got.object, expected)).toEqual({ op: "none" });
  });

  it("adds the expected aggregation selectors but leaves an aggregated role's rules alone", () => {
    const expected: KubeObject = { ...role([]), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { v: "true" } }] } };
    const existing: KubeObject = { ...role([{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }]), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { mine: "true" } }] } };
    const got = reconcileRole(existing, expected);
    expect(got.op === "update" && got.object.aggregationRule).toEqual({
      clusterRoleSelectors: [{ matchLabels: { mine: "true" } }, { matchLabels: { v: "true" } }],
    });
    expect(got.op === "update" && got.object.rules).toEqual(existing.rules);
  });

  it('does nothing to an object annotated autoupdate "false"', () => {
    const existing = role([], { annotations: { "rbac.authorization.kubernetes.io/autoupdate": "false" } });
    expect(reconcileRole(existing, role([{ verbs: ["*"], nonResourceURLs: ["*"] }]))).toEqual({ op: "none" });
  });

  it("recreates a binding whose roleRef differs, keeping its subjects", () => {
    const binding = (name: string, subjects: unknown[]): KubeObject => ({
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: "b" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name }, subjects,
    });
    const got = reconcileBinding(binding("view", [{ kind: "User", name: "u" }]), binding("edit", [{ kind: "Group", name: "g" }]));
    expect(got).toEqual({ op: "recreate", object: binding("edit", [{ kind: "User", name: "u" }, { kind: "Group", name: "g" }]) });
  });
});
