import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../../shared/k8s/object";
import type { PolicyRule } from "../../../shared/schemas";
import { aggregateClusterRoles } from "./aggregate-rules";

const r = (resource: string, verbs = ["get"]): PolicyRule => ({ verbs, apiGroups: [""], resources: [resource] });

function role(name: string, opts: { labels?: Record<string, string>; rules?: PolicyRule[]; from?: string[] } = {}): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole",
    metadata: { name, ...(opts.labels ? { labels: opts.labels } : {}) },
    ...(opts.rules ? { rules: opts.rules } : {}),
    ...(opts.from ? { aggregationRule: { clusterRoleSelectors: opts.from.map((l) => ({ matchLabels: { [l]: "true" } })) } } : {}),
  };
}

describe("aggregateClusterRoles", () => {
  it("unions the matched roles' rules by selector, then by name, each rule once", () => {
    const roles = [
      role("agg", { from: ["x", "y"] }),
      role("b-x", { labels: { x: "true" }, rules: [r("b"), r("shared")] }),
      role("a-x", { labels: { x: "true" }, rules: [r("a")] }),
      role("c-y", { labels: { y: "true" }, rules: [r("shared"), r("c")] }),
      role("other", { labels: { x: "false" }, rules: [r("no")] }),
    ];
    expect(aggregateClusterRoles(roles)).toEqual(new Map([["agg", [r("a"), r("b"), r("shared"), r("c")]]]));
  });

  it("treats an empty list like a missing one when deduplicating", () => {
    const roles = [
      role("agg", { from: ["x"] }),
      role("a", { labels: { x: "true" }, rules: [{ verbs: ["get"], apiGroups: [""], resources: ["p"], resourceNames: [] }] }),
      role("b", { labels: { x: "true" }, rules: [{ verbs: ["get"], apiGroups: [""], resources: ["p"] }] }),
    ];
    expect(aggregateClusterRoles(roles).get("agg")).toHaveLength(1);
  });

  it("follows chains (view into edit into admin) to a fixed point in one pass, and skips the role itself", () => {
    const roles = [
      role("admin", { from: ["to-admin"] }),
      role("edit", { labels: { "to-admin": "true" }, from: ["to-edit"] }),
      role("view", { labels: { "to-edit": "true", "to-view": "true" }, from: ["to-view"] }),
      role("base-view", { labels: { "to-view": "true" }, rules: [r("pods")] }),
      role("base-edit", { labels: { "to-edit": "true" }, rules: [r("pods", ["create"])] }),
    ];
    const writes = aggregateClusterRoles(roles);
    expect(writes.get("view")).toEqual([r("pods")]);
    expect(writes.get("edit")).toEqual([r("pods", ["create"]), r("pods")]);
    expect(writes.get("admin")).toEqual([r("pods", ["create"]), r("pods")]);
  });

  it("writes nothing at equilibrium, and empties a role whose sources are gone", () => {
    const settled = [role("agg", { from: ["x"], rules: [r("a")] }), role("a", { labels: { x: "true" }, rules: [r("a")] })];
    expect(aggregateClusterRoles(settled).size).toBe(0);
    expect(aggregateClusterRoles([role("agg", { from: ["x"], rules: [r("a")] })])).toEqual(new Map([["agg", []]]));
  });

  it("ignores an invalid selector rather than failing", () => {
    const bad: KubeObject = {
      ...role("agg"), aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: "x", operator: "Near" }] }] },
    };
    expect(aggregateClusterRoles([bad, role("a", { labels: { x: "true" }, rules: [r("a")] })]).size).toBe(0);
  });
});
