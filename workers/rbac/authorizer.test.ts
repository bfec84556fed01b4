import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../shared/k8s/object";
import { authorize, rulesFor } from "./authorizer";
import { forbiddenRequest } from "./forbidden";
import type { Attributes, PolicyRule } from "./policy";
import { buildSnapshot } from "./rbac-snapshot";

type Rule = Partial<PolicyRule> & { verbs: string[] };

function role(kind: "Role" | "ClusterRole", name: string, rules: Rule[], namespace?: string): KubeObject {
  return { apiVersion: "rbac.authorization.k8s.io/v1", kind, metadata: { name, ...(namespace ? { namespace } : {}) }, rules } as unknown as KubeObject;
}

function binding(kind: "RoleBinding" | "ClusterRoleBinding", name: string, roleRef: { kind: string; name: string }, subjects: object[], namespace?: string): KubeObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1", kind, metadata: { name, ...(namespace ? { namespace } : {}) },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef }, subjects,
  } as unknown as KubeObject;
}

const snapshot = buildSnapshot({
  clusterRoles: [
    role("ClusterRole", "view", [
      { apiGroups: [""], resources: ["pods", "pods/log", "events"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["kubevirt.io"], resources: ["*"], verbs: ["get", "list", "watch"] },
    ]),
    role("ClusterRole", "vm-operator", [{ apiGroups: ["subresources.kubevirt.io"], resources: ["virtualmachines/start", "virtualmachines/stop"], verbs: ["update"] }]),
    role("ClusterRole", "status-everywhere", [{ apiGroups: ["*"], resources: ["*/status"], verbs: ["get"] }]),
    role("ClusterRole", "metrics", [{ nonResourceURLs: ["/metrics", "/debug/*"], verbs: ["get"] }]),
    role("ClusterRole", "node-reader", [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list"] }]),
  ],
  roles: [
    role("Role", "one-pod", [{ apiGroups: [""], resources: ["pods"], resourceNames: ["web"], verbs: ["get", "delete", "watch"] }], "a"),
    role("Role", "editor", [{ apiGroups: ["", "apps"], resources: ["pods", "replicasets", "replicasets/scale"], verbs: ["*"] }], "a"),
  ],
  roleBindings: [
    binding("RoleBinding", "alice-view", { kind: "ClusterRole", name: "view" }, [{ kind: "User", name: "alice" }], "a"),
    binding("RoleBinding", "team-edit", { kind: "Role", name: "editor" }, [{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "team-a" }], "a"),
    binding("RoleBinding", "bob-one", { kind: "Role", name: "one-pod" }, [{ kind: "User", name: "bob" }], "a"),
    binding("RoleBinding", "ci-view", { kind: "ClusterRole", name: "view" }, [{ kind: "ServiceAccount", name: "ci" }], "a"),
    binding("RoleBinding", "b-ops", { kind: "ClusterRole", name: "vm-operator" }, [{ kind: "ServiceAccount", name: "ops", namespace: "tools" }], "b"),
    binding("RoleBinding", "dangling", { kind: "Role", name: "gone" }, [{ kind: "User", name: "carol" }], "a"),
    // A RoleBinding's Role is looked up in the binding's own namespace: this one names a Role of "a" from "b".
    binding("RoleBinding", "cross", { kind: "Role", name: "editor" }, [{ kind: "User", name: "dave" }], "b"),
  ],
  clusterRoleBindings: [
    binding("ClusterRoleBinding", "monitoring", { kind: "ClusterRole", name: "metrics" }, [{ kind: "Group", name: "system:monitoring" }]),
    binding("ClusterRoleBinding", "statuses", { kind: "ClusterRole", name: "status-everywhere" }, [{ kind: "User", name: "erin" }]),
    binding("ClusterRoleBinding", "nodes", { kind: "ClusterRole", name: "node-reader" }, [{ kind: "Group", name: "system:authenticated" }]),
    // A ClusterRoleBinding may only reference a ClusterRole; one that names a Role grants nothing.
    binding("ClusterRoleBinding", "wrong-kind", { kind: "Role", name: "editor" }, [{ kind: "User", name: "frank" }]),
  ],
});

const res = (verb: string, apiGroup: string, resource: string, namespace = "", name = "", subresource = ""): Attributes =>
  ({ resourceRequest: true, verb, apiGroup, resource, subresource, namespace, name });
const path = (verb: string, p: string): Attributes => ({ resourceRequest: false, verb, path: p });
const authed = (username: string, ...groups: string[]) => ({ username, groups: [...groups, "system:authenticated"] });

// [who, attributes, allowed]
const table: [ReturnType<typeof authed>, Attributes, boolean][] = [
  [authed("alice"), res("list", "", "pods", "a"), true],
  [authed("alice"), res("get", "", "pods", "a", "web", "log"), true],
  [authed("alice"), res("create", "", "pods", "a", "", "exec"), false],
  [authed("alice"), res("list", "", "pods", "b"), false],
  [authed("alice"), res("list", "", "pods"), false], // all namespaces needs a cluster-wide grant
  [authed("alice"), res("delete", "", "pods", "a", "web"), false],
  [authed("alice"), res("watch", "kubevirt.io", "virtualmachineinstances", "a"), true],
  [authed("alice"), res("get", "kubevirt.io", "virtualmachines", "a", "vm", "status"), true], // "*" covers subresources
  [authed("alice"), res("list", "", "nodes"), true], // through system:authenticated
  [authed("alice"), res("delete", "", "nodes", "", "n1"), false],
  [authed("x", "team-a"), res("delete", "apps", "replicasets", "a", "rs"), true],
  [authed("x", "team-a"), res("update", "apps", "replicasets", "a", "rs", "scale"), true],
  [authed("x", "team-a"), res("update", "apps", "replicasets", "a", "rs", "status"), false],
  [authed("x", "team-a"), res("create", "kubevirt.io", "virtualmachines", "a"), false],
  [authed("x", "team-b"), res("get", "", "pods", "a", "web"), false],
  [authed("bob"), res("get", "", "pods", "a", "web"), true],
  [authed("bob"), res("watch", "", "pods", "a", "web"), true],
  [authed("bob"), res("get", "", "pods", "a", "db"), false],
  [authed("bob"), res("list", "", "pods", "a"), false], // resourceNames never allow an unnamed request
  [authed("system:serviceaccount:a:ci", "system:serviceaccounts", "system:serviceaccounts:a"), res("list", "", "pods", "a"), true],
  [authed("system:serviceaccount:b:ci", "system:serviceaccounts", "system:serviceaccounts:b"), res("list", "", "pods", "a"), false],
  [authed("system:serviceaccount:tools:ops"), res("update", "subresources.kubevirt.io", "virtualmachines", "b", "vm", "start"), true],
  [authed("system:serviceaccount:tools:ops"), res("update", "subresources.kubevirt.io", "virtualmachines", "b", "vm", "restart"), false],
  [authed("system:serviceaccount:tools:ops"), res("update", "subresources.kubevirt.io", "virtualmachines", "a", "vm", "start"), false],
  [authed("erin"), res("get", "apps", "replicasets", "z", "rs", "status"), true],
  [authed("erin"), res("get", "apps", "replicasets", "z", "rs"), false],
  [authed("m", "system:monitoring"), path("get", "/metrics"), true],
  [authed("m", "system:monitoring"), path("get", "/debug/pprof/heap"), true],
  [authed("m", "system:monitoring"), path("post", "/metrics"), false],
  [authed("m", "system:monitoring"), path("get", "/metricsx"), false],
  [authed("m", "system:monitoring"), res("get", "", "metrics"), false], // URL rules never grant resources
  [authed("alice"), path("get", "/metrics"), false],
  [authed("carol"), res("get", "", "pods", "a", "web"), false],
  [authed("dave"), res("get", "", "pods", "b", "web"), false],
  [authed("frank"), res("get", "", "pods", "a", "web"), false],
  [{ username: "root", groups: ["system:masters"] }, res("delete", "anything.io", "whatever", "z", "n"), true],
  [{ username: "root", groups: ["system:masters"] }, path("delete", "/anything"), true],
];

describe("RBAC authorizer", () => {
  it.each(table.map(([who, attrs, allowed]) => ({ who, attrs, allowed, label: `${who.username} ${JSON.stringify(attrs)} → ${allowed}` })))("$label", ({ who, attrs, allowed }) => {
    expect(authorize(snapshot, who, attrs).allowed).toBe(allowed);
  });

  it("says which binding allowed a request, and names a missing role as upstream does", () => {
    expect(authorize(snapshot, authed("alice"), res("list", "", "pods", "a")).reason)
      .toBe('RBAC: allowed by RoleBinding "alice-view" of ClusterRole "view" in namespace "a" to User "alice"');
    expect(authorize(snapshot, authed("carol"), res("get", "", "pods", "a", "web")).reason)
      .toBe('RBAC: [role.rbac.authorization.k8s.io "gone" not found]');
    expect(authorize(snapshot, authed("alice"), res("delete", "", "pods", "a", "web")).reason).toBe("");
  });

  it("words a denial as upstream's Forbidden", () => {
    expect(forbiddenRequest("x", res("list", "", "pods", "b"), "").message)
      .toBe('pods is forbidden: User "x" cannot list resource "pods" in API group "" in the namespace "b"');
    expect(forbiddenRequest("x", res("delete", "apps", "replicasets", "b", "web"), "").message)
      .toBe('replicasets.apps "web" is forbidden: User "x" cannot delete resource "replicasets" in API group "apps" in the namespace "b"');
    expect(forbiddenRequest("x", res("get", "", "nodes", "", "", ""), "").message)
      .toBe('nodes is forbidden: User "x" cannot get resource "nodes" in API group "" at the cluster scope');
    expect(forbiddenRequest("x", res("get", "", "pods", "a", "web", "log"), "").message)
      .toBe('pods "web" is forbidden: User "x" cannot get resource "pods/log" in API group "" in the namespace "a"');
    expect(forbiddenRequest("x", path("get", "/metrics"), "").message).toBe('forbidden: User "x" cannot get path "/metrics"');
    expect(forbiddenRequest("x", res("get", "", "pods", "a", "web"), "").toStatus().details).toEqual({ name: "web", kind: "pods" });
  });

  it("lists the rules that apply in a namespace, each role once", () => {
    const { rules, incomplete } = rulesFor(snapshot, authed("x", "team-a"), "a");
    expect(incomplete).toBe(false);
    expect(rules.map((r) => r.resources)).toEqual([["nodes"], ["pods", "replicasets", "replicasets/scale"]]);
    expect(rulesFor(snapshot, authed("carol"), "a").incomplete).toBe(true);
    expect(rulesFor(snapshot, authed("alice"), "").rules.map((r) => r.resources)).toEqual([["nodes"]]);
  });
});
