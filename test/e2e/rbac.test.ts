/**
 * RBAC objects through the real kubectl 1.32: its typed `create role|
 * clusterrole|rolebinding|clusterrolebinding` commands (protobuf bodies),
 * `get -o wide` tables, the default roles and `describe`. Authorization is
 * not enforced yet, so the admin's kubeconfig does everything.
 */
import { describe, expect, inject, it } from "vitest";
import { kubectl as run, kubectlOk, until } from "./kubectl.ts";

const server = inject("server");
const ok = kubectlOk(() => server.kubeconfig);
const NS = "rbac-e2e";

/** The rows of a `kubectl get` table, split on runs of spaces. */
function rows(out: string): string[][] {
  return out.trim().split("\n").map((line) => line.trim().split(/\s{2,}/));
}

describe("kubectl and RBAC objects", () => {
  it("creates roles and bindings with kubectl's typed commands and lists them -o wide", () => {
    ok("create", "namespace", NS);
    expect(ok("create", "role", "pod-reader", "--verb=get,list", "--resource=pods", "-n", NS))
      .toBe("role.rbac.authorization.k8s.io/pod-reader created\n");
    expect(ok("create", "clusterrole", "vm-starter", "--verb=update", "--resource=virtualmachines/start.subresources.kubevirt.io"))
      .toBe("clusterrole.rbac.authorization.k8s.io/vm-starter created\n");
    expect(ok("create", "rolebinding", "rb", "--clusterrole=view", "--user=alice", "-n", NS))
      .toBe("rolebinding.rbac.authorization.k8s.io/rb created\n");
    expect(ok("create", "rolebinding", "readers", "--role=pod-reader", "--group=team-a", `--serviceaccount=${NS}:ci`, "-n", NS))
      .toBe("rolebinding.rbac.authorization.k8s.io/readers created\n");
    expect(ok("create", "clusterrolebinding", "starters", "--clusterrole=vm-starter", "--user=bob"))
      .toBe("clusterrolebinding.rbac.authorization.k8s.io/starters created\n");

    const out = ok("get", "roles,rolebindings", "-n", NS, "-o", "wide");
    const table = rows(out);
    expect(table[0]).toEqual(["NAME", "CREATED AT"]);
    expect(table[1]?.[0]).toBe("role.rbac.authorization.k8s.io/pod-reader");
    expect(table[1]?.[1]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(out).toMatch(/NAME\s+ROLE\s+AGE\s+USERS\s+GROUPS\s+SERVICEACCOUNTS/);
    expect(out).toMatch(/rolebinding\.rbac\.authorization\.k8s\.io\/rb\s+ClusterRole\/view\s+\S+\s+alice\s*\n/);
    expect(out).toMatch(new RegExp(`rolebinding\\.rbac\\.authorization\\.k8s\\.io/readers\\s+Role/pod-reader\\s+\\S+\\s+team-a\\s+${NS}/ci`));

    const role = JSON.parse(ok("get", "role", "pod-reader", "-n", NS, "-o", "json")) as { rules: unknown };
    expect(role.rules).toEqual([{ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }]);
    const starters = JSON.parse(ok("get", "clusterrolebinding", "starters", "-o", "json")) as { roleRef: unknown; subjects: unknown };
    expect(starters.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "vm-starter" });
    expect(starters.subjects).toEqual([{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "bob" }]);
  });

  it("discovers the kinds (no short names) and explains them from OpenAPI", () => {
    const out = ok("api-resources", "--api-group=rbac.authorization.k8s.io");
    expect(out).toMatch(/^clusterrolebindings\s+rbac\.authorization\.k8s\.io\/v1\s+false\s+ClusterRoleBinding$/m);
    expect(out).toMatch(/^clusterroles\s+rbac\.authorization\.k8s\.io\/v1\s+false\s+ClusterRole$/m);
    expect(out).toMatch(/^rolebindings\s+rbac\.authorization\.k8s\.io\/v1\s+true\s+RoleBinding$/m);
    expect(out).toMatch(/^roles\s+rbac\.authorization\.k8s\.io\/v1\s+true\s+Role$/m);
    const explained = ok("explain", "rolebinding.roleRef");
    expect(explained).toContain("KIND:       RoleBinding");
    expect(explained).toContain("apiGroup");
  });

  it("prints upstream's validation errors and refuses a roleRef change", () => {
    const bad = run(server.kubeconfig, ["create", "clusterrolebinding", "bad", "--clusterrole=view", "--serviceaccount=nonamespace"]);
    expect(bad.code).not.toBe(0);
    const patch = run(server.kubeconfig, ["patch", "rolebinding", "rb", "-n", NS, "--type=merge", "-p", '{"roleRef":{"name":"edit"}}']);
    expect(patch.code).toBe(1);
    expect(patch.stderr).toContain('The RoleBinding "rb" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef');
  });

  it("lists the default ClusterRoles and describes the aggregated view", async () => {
    const names = rows(ok("get", "clusterroles")).slice(1).map((r) => r[0]);
    for (const name of ["admin", "edit", "view", "cluster-admin", "system:basic-user", "system:discovery", "kubevirt.io:view"]) {
      expect(names).toContain(name);
    }
    expect(rows(ok("get", "clusterrolebindings", "cluster-admin")).at(1)?.slice(0, 2)).toEqual(["cluster-admin", "ClusterRole/cluster-admin"]);
    await until("view to be aggregated", () => ok("describe", "clusterrole", "view").includes("virtualmachines.kubevirt.io"));
    const described = ok("describe", "clusterrole", "view");
    expect(described).toMatch(/^Name:\s+view$/m);
    expect(described).toContain("rbac.authorization.k8s.io/aggregate-to-edit=true");
    expect(described).toMatch(/^\s+pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    expect(described).toMatch(/^\s+virtualmachines\.kubevirt\.io\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
  });

  it("a ClusterRole labelled aggregate-to-edit reaches edit and admin within seconds", async () => {
    // Nodes are cluster-scoped: no default namespace role grants them.
    const nodes = /^\s+nodes\s+\[\]\s+\[\]\s+\[get\]$/m;
    expect(ok("describe", "clusterrole", "edit")).not.toMatch(nodes);
    ok("create", "clusterrole", "node-getter", "--verb=get", "--resource=nodes");
    ok("label", "clusterrole", "node-getter", "rbac.authorization.k8s.io/aggregate-to-edit=true");
    const start = Date.now();
    await until("edit to include nodes", () => nodes.test(ok("describe", "clusterrole", "edit")), 10_000);
    await until("admin to include nodes", () => nodes.test(ok("describe", "clusterrole", "admin")), 10_000);
    expect(Date.now() - start).toBeLessThan(10_000);
    expect(ok("describe", "clusterrole", "view")).not.toMatch(nodes);
  });
});
