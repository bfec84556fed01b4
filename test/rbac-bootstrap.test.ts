/**
 * The default RBAC policy: the bootstrap ClusterRoles and bindings exist
 * from the first request on, reconciliation restores what was removed from
 * them unless they are annotated autoupdate "false", and the aggregation
 * controller keeps admin/edit/view the union of what is labelled into them.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import type { PolicyRule } from "../shared/schemas";
import {
  AGGREGATE_TO_VIEW,
  BOOTSTRAP_CLUSTER_ROLE_BINDING_NAMES,
  BOOTSTRAP_CLUSTER_ROLE_NAMES,
} from "../workers/rbac/bootstrap-policy";
import { reconcileBootstrapPolicy } from "../workers/rbac/bootstrap-ensure";
import { api, eventually } from "./helpers";

const RBAC = "rbac.authorization.k8s.io";
const BASE = `/apis/${RBAC}/v1`;
const MERGE = { "content-type": "application/merge-patch+json" };

const get = async (path: string) => (await api<KubeObject>("GET", `${BASE}/${path}`)).body;
const rules = (obj: KubeObject) => (obj.rules ?? []) as PolicyRule[];
const grants = (rs: PolicyRule[], group: string, resource: string, verb: string) =>
  rs.some((r) => r.apiGroups?.includes(group) && r.resources?.includes(resource) && r.verbs?.includes(verb));
const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

describe("bootstrap policy", () => {
  it("every default ClusterRole and ClusterRoleBinding exists, labelled and annotated as upstream", async () => {
    const roles = await api<{ items: KubeObject[] }>("GET", `${BASE}/clusterroles`);
    const names = roles.body.items.map((r) => r.metadata.name);
    for (const name of BOOTSTRAP_CLUSTER_ROLE_NAMES) expect(names).toContain(name);
    for (const name of ["cluster-admin", "admin", "edit", "view", "system:basic-user", "system:discovery", "kubevirt.io:edit"]) {
      expect(names).toContain(name);
    }
    const bindings = await api<{ items: KubeObject[] }>("GET", `${BASE}/clusterrolebindings`);
    for (const name of BOOTSTRAP_CLUSTER_ROLE_BINDING_NAMES) expect(bindings.body.items.map((b) => b.metadata.name)).toContain(name);

    const admin = await get("clusterroles/cluster-admin");
    expect(admin.metadata.labels).toEqual({ "kubernetes.io/bootstrapping": "rbac-defaults" });
    expect(admin.metadata.annotations).toEqual({ "rbac.authorization.kubernetes.io/autoupdate": "true" });
    expect(rules(admin)).toEqual([
      { verbs: ["*"], apiGroups: ["*"], resources: ["*"] },
      { verbs: ["*"], nonResourceURLs: ["*"] },
    ]);
    expect(await get("clusterrolebindings/cluster-admin")).toMatchObject({
      roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ kind: "Group", apiGroup: RBAC, name: "system:masters" }],
    });
    expect((await get("clusterrolebindings/system:public-info-viewer")).subjects).toEqual([
      { kind: "Group", apiGroup: RBAC, name: "system:authenticated" },
      { kind: "Group", apiGroup: RBAC, name: "system:unauthenticated" },
    ]);
    expect((await get("clusterroles/system:discovery")).rules).toEqual([{
      verbs: ["get"],
      nonResourceURLs: ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"],
    }]);
    expect((await get("clusterroles/view")).aggregationRule).toEqual({
      clusterRoleSelectors: [{ matchLabels: { [AGGREGATE_TO_VIEW]: "true" } }],
    });
  });

  it("admin, edit and view are filled by aggregation, KubeVirt's roles included", async () => {
    await eventually(async () => {
      const [view, edit, admin] = await Promise.all(["view", "edit", "admin"].map((n) => get(`clusterroles/${n}`)));
      if (!view || !edit || !admin) return false;
      return grants(rules(view), "", "pods", "get") && grants(rules(view), "kubevirt.io", "virtualmachines", "list") &&
        grants(rules(edit), "subresources.kubevirt.io", "virtualmachines/start", "update") &&
        grants(rules(edit), "", "serviceaccounts/token", "create") && grants(rules(edit), "", "pods/log", "get") &&
        grants(rules(admin), RBAC, "rolebindings", "create") && grants(rules(admin), "", "pods/exec", "create") &&
        grants(rules(admin), "authorization.k8s.io", "localsubjectaccessreviews", "create");
    }, 20_000);
    const view = rules(await get("clusterroles/view"));
    // view reads but never writes, and never reads secrets.
    expect(grants(view, "", "pods", "delete")).toBe(false);
    expect(grants(view, "", "secrets", "get")).toBe(false);
    expect(grants(rules(await get("clusterroles/edit")), RBAC, "roles", "create")).toBe(false);
  });

  it("restores a removed permission of an autoupdate role, and its label", async () => {
    const path = "clusterroles/system:basic-user";
    const before = await get(path);
    const patched = await api<KubeObject>("PATCH", `${BASE}/${path}`, {
      metadata: { labels: null },
      rules: [{ verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews"] }],
    }, MERGE);
    expect(patched.status).toBe(200);
    expect(grants(rules(patched.body), "authentication.k8s.io", "selfsubjectreviews", "create")).toBe(false);

    await reconcileBootstrapPolicy(env);
    const after = await get(path);
    expect(after.metadata.labels).toEqual(before.metadata.labels);
    // What was kept stays first; the missing permissions come back as atomic rules, as upstream appends them.
    expect(rules(after)).toEqual([
      { verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews"] },
      { verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectrulesreviews"] },
      { verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"] },
    ]);
    // A second reconcile changes nothing.
    const rv = after.metadata.resourceVersion;
    await reconcileBootstrapPolicy(env);
    expect((await get(path)).metadata.resourceVersion).toBe(rv);
  });

  it("restores a removed subject, and recreates a default binding whose roleRef was replaced", async () => {
    const path = "clusterrolebindings/system:public-info-viewer";
    await api("PATCH", `${BASE}/${path}`, { subjects: [{ kind: "Group", apiGroup: RBAC, name: "system:authenticated" }] }, MERGE);
    await reconcileBootstrapPolicy(env);
    expect((await get(path)).subjects).toEqual([
      { kind: "Group", apiGroup: RBAC, name: "system:authenticated" },
      { kind: "Group", apiGroup: RBAC, name: "system:unauthenticated" },
    ]);

    const discovery = "clusterrolebindings/system:discovery";
    const old = await get(discovery);
    expect((await api("DELETE", `${BASE}/${discovery}`)).status).toBe(200);
    const replaced = await api("POST", `${BASE}/clusterrolebindings`, {
      apiVersion: `${RBAC}/v1`, kind: "ClusterRoleBinding", metadata: { name: "system:discovery" },
      roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "view" }, subjects: [{ kind: "User", name: "carol" }],
    });
    expect(replaced.status).toBe(201);
    await reconcileBootstrapPolicy(env);
    const now = await get(discovery);
    expect(now.metadata.uid).not.toBe(old.metadata.uid);
    expect(now.roleRef).toEqual({ apiGroup: RBAC, kind: "ClusterRole", name: "system:discovery" });
    expect(now.subjects).toEqual([
      { kind: "User", apiGroup: RBAC, name: "carol" },
      { kind: "Group", apiGroup: RBAC, name: "system:authenticated" },
    ]);
  });

  it("recreates a deleted default role", async () => {
    expect((await api("DELETE", `${BASE}/clusterroles/system:public-info-viewer`)).status).toBe(200);
    await reconcileBootstrapPolicy(env);
    expect(rules(await get("clusterroles/system:public-info-viewer"))).toEqual([
      { verbs: ["get"], nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"] },
    ]);
  });

  it('leaves a role annotated autoupdate "false" as its administrator made it', async () => {
    const path = "clusterroles/system:discovery";
    const mine = [{ verbs: ["get"], nonResourceURLs: ["/version"] }];
    const patched = await api<KubeObject>("PATCH", `${BASE}/${path}`, {
      metadata: { annotations: { "rbac.authorization.kubernetes.io/autoupdate": "false" }, labels: null },
      rules: mine,
    }, MERGE);
    expect(patched.status).toBe(200);
    await reconcileBootstrapPolicy(env);
    const after = await get(path);
    expect(after.rules).toEqual(mine);
    expect(after.metadata.labels).toBeUndefined();
    expect(after.metadata.resourceVersion).toBe(patched.body.metadata.resourceVersion);
  });
});

describe("ClusterRole aggregation", () => {
  it("a ClusterRole labelled aggregate-to-view flows into view, edit and admin, and leaves when the label goes", async () => {
    const name = unique("widget-viewer");
    const resource = unique("widgets");
    const created = await api("POST", `${BASE}/clusterroles`, {
      apiVersion: `${RBAC}/v1`, kind: "ClusterRole", metadata: { name, labels: { [AGGREGATE_TO_VIEW]: "true" } },
      rules: [{ verbs: ["get", "list"], apiGroups: ["example.com"], resources: [resource] }],
    });
    expect(created.status).toBe(201);
    const hasIt = async (role: string) => grants(rules(await get(`clusterroles/${role}`)), "example.com", resource, "list");
    await eventually(async () => (await hasIt("view")) && (await hasIt("edit")) && (await hasIt("admin")), 15_000);

    // A rule change of the labelled role flows too.
    await api("PATCH", `${BASE}/clusterroles/${name}`, {
      rules: [{ verbs: ["watch"], apiGroups: ["example.com"], resources: [resource] }],
    }, MERGE);
    const hasWatch = async () => grants(rules(await get("clusterroles/view")), "example.com", resource, "watch");
    await eventually(async () => (await hasWatch()) && !(await hasIt("view")), 15_000);

    await api("PATCH", `${BASE}/clusterroles/${name}`, { metadata: { labels: { [AGGREGATE_TO_VIEW]: null } } }, MERGE);
    await eventually(async () => !(await hasWatch()) && !grants(rules(await get("clusterroles/admin")), "example.com", resource, "watch"), 15_000);
    // What the defaults grant is still there.
    expect(grants(rules(await get("clusterroles/view")), "", "pods", "get")).toBe(true);
  });

  it("a user's own aggregated ClusterRole is filled, and direct edits of its rules are stomped", async () => {
    const label = `example.com/${unique("agg")}`;
    const name = unique("mine");
    await api("POST", `${BASE}/clusterroles`, {
      apiVersion: `${RBAC}/v1`, kind: "ClusterRole", metadata: { name },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [label]: "true" } }] },
    });
    for (const [part, resource] of [["a", "things"], ["b", "others"]] as const) {
      await api("POST", `${BASE}/clusterroles`, {
        apiVersion: `${RBAC}/v1`, kind: "ClusterRole", metadata: { name: `${name}-${part}`, labels: { [label]: "true" } },
        rules: [
          { verbs: ["get"], apiGroups: ["example.com"], resources: [resource] },
          { verbs: ["get"], apiGroups: ["example.com"], resources: ["shared"] },
        ],
      });
    }
    const want = [
      { verbs: ["get"], apiGroups: ["example.com"], resources: ["things"] },
      { verbs: ["get"], apiGroups: ["example.com"], resources: ["shared"] },
      { verbs: ["get"], apiGroups: ["example.com"], resources: ["others"] },
    ];
    await eventually(async () => JSON.stringify(rules(await get(`clusterroles/${name}`))) === JSON.stringify(want), 15_000);
    await api("PATCH", `${BASE}/clusterroles/${name}`, { rules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }] }, MERGE);
    await eventually(async () => JSON.stringify(rules(await get(`clusterroles/${name}`))) === JSON.stringify(want), 15_000);
  });
});
