import { describe, expect, it } from "vitest";
import type { KubeObject } from "../object";
import { clusterRoleBindingPrinter, roleBindingPrinter, rolePrinter, subjectsStrings } from "./rbac";

const NOW = new Date("2025-01-01T00:10:00Z");

describe("rolePrinter", () => {
  it("has Name and a Created At date, as upstream's roleColumnDefinitions", () => {
    expect(rolePrinter.columns.map((c) => [c.name, c.type, c.priority])).toEqual([["Name", "string", 0], ["Created At", "date", 0]]);
  });

  it.each<[unknown, string]>([
    ["2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z"],
    ["2025-01-01T01:00:00+01:00", "2025-01-01T00:00:00Z"],
    [undefined, "0001-01-01T00:00:00Z"],
  ])("prints creationTimestamp %j as RFC 3339 UTC", (stamp, want) => {
    const role: KubeObject = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "r", creationTimestamp: stamp as string } };
    expect(rolePrinter.cells(role, NOW)).toEqual(["r", want]);
  });
});

describe("roleBindingPrinter / clusterRoleBindingPrinter", () => {
  it("have Name, Role, Age and the wide subject columns", () => {
    for (const [printer, what] of [[roleBindingPrinter, "roleBinding"], [clusterRoleBindingPrinter, "clusterRoleBinding"]] as const) {
      expect(printer.columns.map((c) => [c.name, c.priority])).toEqual([
        ["Name", 0], ["Role", 0], ["Age", 0], ["Users", 1], ["Groups", 1], ["ServiceAccounts", 1],
      ]);
      expect(printer.columns[3]?.description).toBe(`Users in the ${what}`);
    }
  });

  it("prints Kind/name of the roleRef and the subjects by kind", () => {
    const binding: KubeObject = {
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding",
      metadata: { name: "rb", creationTimestamp: "2025-01-01T00:00:00Z" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" },
      subjects: [
        { kind: "User", name: "alice" }, { kind: "User", name: "bob" }, { kind: "Group", name: "team-a" },
        { kind: "ServiceAccount", name: "ci", namespace: "x" }, { kind: "Robot", name: "r2" },
      ],
    };
    expect(roleBindingPrinter.cells(binding, NOW)).toEqual(["rb", "ClusterRole/edit", "10m", "alice, bob", "team-a", "x/ci"]);
  });

  it("copes with a binding without roleRef or subjects", () => {
    const bare: KubeObject = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: "b" } };
    expect(clusterRoleBindingPrinter.cells(bare, NOW)).toEqual(["b", "/", "<unknown>", "", "", ""]);
    expect(subjectsStrings("not a list")).toEqual(["", "", ""]);
  });
});
