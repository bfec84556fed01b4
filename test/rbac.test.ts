import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createToken } from "../workers/api/auth";
import { loseTurnForTest } from "../workers/client/list-cache";
import { RBAC_RESOURCES } from "../workers/rbac/rbac-snapshot";
import { api, namespace, pod, readResponse, send } from "./helpers";

const RBAC = "/apis/rbac.authorization.k8s.io/v1";
const AUTHZ = "/apis/authorization.k8s.io/v1";

async function as<T = Record<string, unknown>>(token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers } };
  if (body !== undefined) init.body = JSON.stringify(body);
  return readResponse<T & { message?: string }>(await send(new Request(`https://duraplane.test${path}`, init)));
}

async function user(name: string, ...groups: string[]): Promise<string> {
  const token = `${name}-${crypto.randomUUID()}`;
  await createToken(env, token, { username: name, groups });
  return token;
}

function roleBinding(name: string, roleRef: { kind: string; name: string }, subjects: object[]) {
  return { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name }, roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef }, subjects };
}

const suffix = () => crypto.randomUUID().slice(0, 8);

describe("RBAC on every request", () => {
  it("denies what nothing grants with upstream's words, allows what a binding grants, and follows binding changes at once", async () => {
    const a = await namespace("rbac-a");
    const b = await namespace("rbac-b");
    const alice = await user(`alice-${suffix()}`, "team-a");
    const aliceName = (await as<{ status: { userInfo: { username: string; groups: string[] } } }>(alice, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {})).body.status.userInfo;
    expect(aliceName.groups).toEqual(["team-a", "system:authenticated"]);
    const denied = await as(alice, "GET", `/api/v1/namespaces/${a}/pods`);
    expect(denied.status).toBe(403);
    expect(denied.body.message).toBe(`pods is forbidden: User "${aliceName.username}" cannot list resource "pods" in API group "" in the namespace "${a}"`);

    const reader = `pod-reader-${suffix()}`;
    expect((await api("POST", `${RBAC}/clusterroles`, {
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: reader },
      rules: [{ apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list", "watch"] }],
    })).status).toBe(201);
    expect((await api("POST", `${RBAC}/namespaces/${a}/rolebindings`, roleBinding("team-read", { kind: "ClusterRole", name: reader }, [{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "team-a" }]))).status).toBe(201);
    expect((await api("POST", `/api/v1/namespaces/${a}/pods`, pod("web"))).status).toBe(201);

    expect((await as(alice, "GET", `/api/v1/namespaces/${a}/pods`)).status).toBe(200);
    expect((await as(alice, "GET", `/api/v1/namespaces/${a}/pods/web`)).status).toBe(200);
    expect((await as(alice, "GET", `/api/v1/namespaces/${b}/pods`)).status).toBe(403);
    const del = await as(alice, "DELETE", `/api/v1/namespaces/${a}/pods/web`);
    expect(del.status).toBe(403);
    expect(del.body.message).toBe(`pods "web" is forbidden: User "${aliceName.username}" cannot delete resource "pods" in API group "" in the namespace "${a}"`);
    expect((await api("GET", `/api/v1/namespaces/${a}/pods/web`)).status).toBe(200);

    expect((await api("DELETE", `${RBAC}/namespaces/${a}/rolebindings/team-read`)).status).toBe(200);
    expect((await as(alice, "GET", `/api/v1/namespaces/${a}/pods`)).status).toBe(403);
  });

  it("decides in bounded time when a load of the RBAC lists another caller started never ends", async () => {
    // A request or object cancelled while it loaded the RoleBindings leaves that load unsettled for
    // good (workerd drops its I/O); a decision waiting on it must not wait with it.
    const ns = await namespace("rbac-lost");
    const bob = await user(`bob-${suffix()}`, "team-lost");
    expect((await as(bob, "GET", `/api/v1/namespaces/${ns}/pods`)).status).toBe(403);
    try {
      expect(loseTurnForTest({ resource: RBAC_RESOURCES.roleBindings }, 300)).toBe(true);
      expect((await api("POST", `${RBAC}/namespaces/${ns}/rolebindings`, roleBinding("lost-view", { kind: "ClusterRole", name: "view" }, [{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "team-lost" }]))).status).toBe(201);
      const answer = await Promise.race([
        as(bob, "GET", `/api/v1/namespaces/${ns}/pods`),
        new Promise<"no answer">((resolve) => setTimeout(() => resolve("no answer"), 5_000)),
      ]);
      expect(answer === "no answer" ? answer : answer.status).toBe(200);
    } finally {
      loseTurnForTest({ resource: "/none" });
    }
  });

  it("answers access reviews truly for the caller, and subject reviews only to those allowed them", async () => {
    const ns = await namespace("rbac-review");
    const bob = await user(`bob-${suffix()}`);
    const role = `rs-scaler-${suffix()}`;
    await api("POST", `${RBAC}/namespaces/${ns}/roles`, {
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: role },
      rules: [{ apiGroups: ["apps"], resources: ["replicasets", "replicasets/scale"], verbs: ["get", "update"] }],
    });
    const bobName = (await as<{ status: { userInfo: { username: string } } }>(bob, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {})).body.status.userInfo.username;
    await api("POST", `${RBAC}/namespaces/${ns}/rolebindings`, roleBinding("bob", { kind: "Role", name: role }, [{ kind: "User", name: bobName }]));
    const review = (attrs: object) => as<{ status: { allowed: boolean; reason?: string } }>(bob, "POST", `${AUTHZ}/selfsubjectaccessreviews`, {
      apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", spec: { resourceAttributes: attrs },
    });
    const yes = await review({ namespace: ns, verb: "update", group: "apps", resource: "replicasets", subresource: "scale" });
    expect(yes.status).toBe(201);
    expect(yes.body.status.allowed).toBe(true);
    expect((await review({ namespace: ns, verb: "delete", group: "apps", resource: "replicasets" })).body.status.allowed).toBe(false);
    expect((await review({ verb: "get", group: "apps", resource: "replicasets" })).body.status.allowed).toBe(false);
    const bad = await as(bob, "POST", `${AUTHZ}/selfsubjectaccessreviews`, { spec: {} });
    expect(bad.status).toBe(422);

    const rules = await as<{ status: { resourceRules: { resources: string[]; verbs: string[] }[]; incomplete: boolean } }>(bob, "POST", `${AUTHZ}/selfsubjectrulesreviews`, { spec: { namespace: ns } });
    expect(rules.status).toBe(201);
    expect(rules.body.status.resourceRules).toContainEqual(expect.objectContaining({ resources: ["replicasets", "replicasets/scale"], verbs: ["get", "update"] }));

    const sar = { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec: { user: bobName, resourceAttributes: { namespace: ns, verb: "get", group: "apps", resource: "replicasets" } } };
    expect((await as(bob, "POST", `${AUTHZ}/subjectaccessreviews`, sar)).status).toBe(403);
    const answered = await api<{ status: { allowed: boolean } }>("POST", `${AUTHZ}/subjectaccessreviews`, sar);
    expect(answered.status).toBe(201);
    expect(answered.body.status.allowed).toBe(true);
    expect((await api("POST", `${AUTHZ}/subjectaccessreviews`, { spec: { resourceAttributes: { verb: "get" } } })).status).toBe(422);
  });

  it("lets only those allowed to impersonate do it, and then acts as the impersonated identity", async () => {
    const ns = await namespace("rbac-as");
    const carol = await user(`carol-${suffix()}`);
    const carolName = (await as<{ status: { userInfo: { username: string } } }>(carol, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {})).body.status.userInfo.username;
    const refused = await as(carol, "GET", `/api/v1/namespaces/${ns}/pods`, undefined, { "impersonate-user": "admin" });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe(`users "admin" is forbidden: User "${carolName}" cannot impersonate resource "users" in API group "" at the cluster scope`);
    expect((await as(carol, "GET", "/api", undefined, { "impersonate-group": "system:masters" })).status).toBe(400);

    // The admin may impersonate anyone: as dave (no grants) it is refused; whoami says who it acts as.
    const asDave = await api("GET", `/api/v1/namespaces/${ns}/pods`, undefined, { "impersonate-user": "dave", "impersonate-group": "devs" });
    expect(asDave.status).toBe(403);
    expect(asDave.body.message).toContain('User "dave" cannot list resource "pods"');
    const whoami = await api<{ status: { userInfo: { username: string; groups: string[] } } }>("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {}, { "impersonate-user": "system:serviceaccount:x:ci" });
    expect(whoami.body.status.userInfo).toEqual({ username: "system:serviceaccount:x:ci", groups: ["system:serviceaccounts", "system:serviceaccounts:x", "system:authenticated"] });

    // carol granted impersonate on the group "devs" only: the user part is still refused.
    const grant = `impersonate-${suffix()}`;
    await api("POST", `${RBAC}/clusterroles`, { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: grant }, rules: [{ apiGroups: [""], resources: ["users"], resourceNames: ["dave"], verbs: ["impersonate"] }] });
    await api("POST", `${RBAC}/clusterrolebindings`, { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: grant }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: grant }, subjects: [{ kind: "User", name: carolName }] });
    const asDaveByCarol = await as(carol, "GET", `/api/v1/namespaces/${ns}/pods`, undefined, { "impersonate-user": "dave" });
    expect(asDaveByCarol.body.message).toContain('User "dave" cannot list');
    const withGroup = await as(carol, "GET", `/api/v1/namespaces/${ns}/pods`, undefined, { "impersonate-user": "dave", "impersonate-group": "devs" });
    expect(withGroup.body.message).toBe(`groups "devs" is forbidden: User "${carolName}" cannot impersonate resource "groups" in API group "" at the cluster scope`);
  });

  it("prevents escalation: roles only with permissions held or escalate, bindings only with bind or the role's permissions", async () => {
    const ns = await namespace("rbac-esc");
    const erin = await user(`erin-${suffix()}`);
    const erinName = (await as<{ status: { userInfo: { username: string } } }>(erin, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", {})).body.status.userInfo.username;
    const manager = `rbac-manager-${suffix()}`;
    await api("POST", `${RBAC}/namespaces/${ns}/roles`, {
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: manager },
      rules: [
        { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: ["create", "update", "patch", "get"] },
        { apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] },
      ],
    });
    await api("POST", `${RBAC}/namespaces/${ns}/rolebindings`, roleBinding("erin", { kind: "Role", name: manager }, [{ kind: "User", name: erinName }]));
    const role = (name: string, verbs: string[]) => ({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name }, rules: [{ apiGroups: [""], resources: ["pods"], verbs }] });

    expect((await as(erin, "POST", `${RBAC}/namespaces/${ns}/roles`, role("readers", ["get"]))).status).toBe(201);
    const escalating = await as(erin, "POST", `${RBAC}/namespaces/${ns}/roles`, role("deleters", ["get", "delete"]));
    expect(escalating.status).toBe(403);
    expect(escalating.body.message).toBe(
      `roles.rbac.authorization.k8s.io "deleters" is forbidden: user "${erinName}" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}`,
    );
    // A patch is checked on the object it produces.
    const patched = await as(erin, "PATCH", `${RBAC}/namespaces/${ns}/roles/readers`, [{ op: "add", path: "/rules/0/verbs/-", value: "delete" }], { "content-type": "application/json-patch+json" });
    expect(patched.status).toBe(403);
    expect((await api<{ rules: { verbs: string[] }[] }>("GET", `${RBAC}/namespaces/${ns}/roles/readers`)).body.rules[0]?.verbs).toEqual(["get"]);

    // Binding a role erin holds every permission of works; binding one she does not is refused unless she may bind it.
    expect((await as(erin, "POST", `${RBAC}/namespaces/${ns}/rolebindings`, roleBinding("r", { kind: "Role", name: "readers" }, [{ kind: "User", name: "frank" }]))).status).toBe(201);
    const admin = `big-${suffix()}`;
    await api("POST", `${RBAC}/clusterroles`, { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: admin }, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }] });
    const bindBig = await as(erin, "POST", `${RBAC}/namespaces/${ns}/rolebindings`, roleBinding("big", { kind: "ClusterRole", name: admin }, [{ kind: "User", name: erinName }]));
    expect(bindBig.status).toBe(403);
    expect(bindBig.body.message).toContain("is attempting to grant RBAC permissions not currently held");
    await api("POST", `${RBAC}/namespaces/${ns}/roles`, { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "binder" }, rules: [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], resourceNames: [admin], verbs: ["bind"] }] });
    await api("POST", `${RBAC}/namespaces/${ns}/rolebindings`, roleBinding("erin-binds", { kind: "Role", name: "binder" }, [{ kind: "User", name: erinName }]));
    expect((await as(erin, "POST", `${RBAC}/namespaces/${ns}/rolebindings`, roleBinding("big", { kind: "ClusterRole", name: admin }, [{ kind: "User", name: "frank" }]))).status).toBe(201);
    // With escalate on roles, any role may be written.
    await api("POST", `${RBAC}/namespaces/${ns}/roles`, { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "escalator" }, rules: [{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["escalate"] }] });
    await api("POST", `${RBAC}/namespaces/${ns}/rolebindings`, roleBinding("erin-escalates", { kind: "Role", name: "escalator" }, [{ kind: "User", name: erinName }]));
    expect((await as(erin, "POST", `${RBAC}/namespaces/${ns}/roles`, role("deleters", ["get", "delete"]))).status).toBe(201);
  });
});
