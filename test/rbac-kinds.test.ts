/**
 * The RBAC kinds served like every other kind: create, validation with
 * upstream's messages (including the immutable roleRef), Table columns,
 * discovery and field selectors.
 */
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../shared/k8s/object";
import { api, namespace, type StatusBody } from "./helpers";

const RBAC = "rbac.authorization.k8s.io";
const BASE = `/apis/${RBAC}/v1`;
const TABLE = { accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" };

interface Table {
  columnDefinitions: { name: string; type: string; priority: number }[];
  rows: { cells: unknown[] }[];
}

const role = (name: string, rules: unknown[]) => ({ apiVersion: `${RBAC}/v1`, kind: "Role", metadata: { name }, rules });
const binding = (kind: string, name: string, roleRef: unknown, subjects?: unknown[]) => ({
  apiVersion: `${RBAC}/v1`, kind, metadata: { name }, roleRef, ...(subjects ? { subjects } : {}),
});
const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

describe("Role and ClusterRole", () => {
  it("creates a Role and reads it back", async () => {
    const ns = await namespace("rbac");
    const rules = [{ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }];
    const res = await api<KubeObject>("POST", `${BASE}/namespaces/${ns}/roles`, role("pod-reader", rules));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: "Role", metadata: { name: "pod-reader", namespace: ns }, rules });
    expect((await api("GET", `${BASE}/namespaces/${ns}/roles/pod-reader`)).status).toBe(200);
  });

  it.each<[string, string, unknown[], { field: string; reason: string; message: string }[]]>([
    ["rules need verbs", "Role", [{ apiGroups: [""], resources: ["pods"] }], [
      { field: "rules[0].verbs", reason: "FieldValueRequired", message: "Required value: verbs must contain at least one value" },
    ]],
    ["a Role's rules may not name non-resource URLs", "Role", [{ verbs: ["get"], nonResourceURLs: ["/healthz"] }], [
      {
        field: "rules[0].nonResourceURLs", reason: "FieldValueInvalid",
        message: 'Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
      },
    ]],
    ["a rule needs resources or URLs", "ClusterRole", [{ verbs: ["get"] }], [
      { field: "rules[0].apiGroups", reason: "FieldValueRequired", message: "Required value: resource rules must supply at least one api group" },
      { field: "rules[0].resources", reason: "FieldValueRequired", message: "Required value: resource rules must supply at least one resource" },
    ]],
    ["not both resources and URLs", "ClusterRole", [{ verbs: ["get"], resources: ["pods"], nonResourceURLs: ["/x"] }], [
      {
        field: "rules[0].nonResourceURLs", reason: "FieldValueInvalid",
        message: 'Invalid value: []string{"/x"}: rules cannot apply to both regular resources and non-resource URLs',
      },
    ]],
    ["resource names with one resource only", "Role", [{ verbs: ["get"], apiGroups: [""], resources: ["pods", "events"], resourceNames: ["a"] }], [
      { field: "rules[0].resourceNames", reason: "FieldValueRequired", message: "Required value: resource names cannot apply to multiple resources" },
    ]],
  ])("refuses an invalid %s (422, upstream's message)", async (_what, kind, rules, causes) => {
    const ns = await namespace("rbac");
    const path = kind === "Role" ? `${BASE}/namespaces/${ns}/roles` : `${BASE}/clusterroles`;
    const name = unique("bad");
    const res = await api<StatusBody>("POST", path, { ...role(name, rules), kind });
    expect(res.status).toBe(422);
    expect(res.body.reason).toBe("Invalid");
    expect(res.body.details?.causes).toEqual(causes);
    // The project words every kind's 422 without its group (kubectl prints the causes from details).
    expect(res.body.message).toContain(`${kind} "${name}" is invalid: ${causes[0]?.field}: ${causes[0]?.message}`);
  });

  it("accepts names upstream's DNS rule would refuse (system:… names), but not '/' or '%'", async () => {
    const good = `system:${unique("ok")}`;
    const ok = await api("POST", `${BASE}/clusterroles`, { ...role(good, []), kind: "ClusterRole" });
    expect(ok.status).toBe(201);
    expect((await api("GET", `${BASE}/clusterroles/${encodeURIComponent(good)}`)).status).toBe(200);
    const bad = await api<StatusBody>("POST", `${BASE}/clusterroles`, { ...role("a%b", []), kind: "ClusterRole" });
    expect(bad.status).toBe(422);
    expect(bad.body.details?.causes).toEqual([
      { field: "metadata.name", reason: "FieldValueInvalid", message: `Invalid value: "a%b": may not contain '%'` },
    ]);
  });

  it("validates an aggregationRule's selectors", async () => {
    const empty = await api<StatusBody>("POST", `${BASE}/clusterroles`, {
      ...role(unique("agg"), []), kind: "ClusterRole", aggregationRule: {},
    });
    expect(empty.status).toBe(422);
    expect(empty.body.details?.causes).toEqual([{
      field: "aggregationRule.clusterRoleSelectors", reason: "FieldValueRequired",
      message: "Required value: at least one clusterRoleSelector required if aggregationRule is non-nil",
    }]);
    const badOp = await api<StatusBody>("POST", `${BASE}/clusterroles`, {
      ...role(unique("agg"), []), kind: "ClusterRole",
      aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: "a", operator: "Near" }] }] },
    });
    expect(badOp.status).toBe(422);
    expect(badOp.body.details?.causes?.[0]).toEqual({
      field: "aggregationRule.clusterRoleSelectors[0].matchExpressions[0].operator", reason: "FieldValueInvalid",
      message: 'Invalid value: "Near": not a valid selector operator',
    });
  });

  it("prints NAME and CREATED AT (a date column)", async () => {
    const ns = await namespace("rbac");
    await api("POST", `${BASE}/namespaces/${ns}/roles`, role("r1", [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }]));
    const res = await api<Table>("GET", `${BASE}/namespaces/${ns}/roles`, undefined, TABLE);
    expect(res.body.columnDefinitions.map((c) => [c.name, c.type])).toEqual([["Name", "string"], ["Created At", "date"]]);
    expect(res.body.rows).toHaveLength(1);
    expect(res.body.rows[0]?.cells[0]).toBe("r1");
    expect(res.body.rows[0]?.cells[1]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });
});

describe("RoleBinding and ClusterRoleBinding", () => {
  const subjects = [
    { kind: "User", name: "alice" },
    { kind: "Group", name: "team-a" },
    { kind: "ServiceAccount", name: "ci", namespace: "x" },
  ];

  it("defaults apiGroups, prints Role and the wide subject columns", async () => {
    const ns = await namespace("rbac");
    const res = await api<KubeObject>("POST", `${BASE}/namespaces/${ns}/rolebindings`,
      binding("RoleBinding", "rb", { kind: "ClusterRole", name: "view" }, subjects));
    expect(res.status).toBe(201);
    expect(res.body.roleRef).toEqual({ apiGroup: RBAC, kind: "ClusterRole", name: "view" });
    expect(res.body.subjects).toEqual([
      { kind: "User", apiGroup: RBAC, name: "alice" },
      { kind: "Group", apiGroup: RBAC, name: "team-a" },
      { kind: "ServiceAccount", name: "ci", namespace: "x" },
    ]);
    const table = await api<Table>("GET", `${BASE}/namespaces/${ns}/rolebindings`, undefined, TABLE);
    expect(table.body.columnDefinitions.map((c) => [c.name, c.priority])).toEqual([
      ["Name", 0], ["Role", 0], ["Age", 0], ["Users", 1], ["Groups", 1], ["ServiceAccounts", 1],
    ]);
    expect(table.body.rows[0]?.cells).toEqual(["rb", "ClusterRole/view", expect.any(String), "alice", "team-a", "x/ci"]);
  });

  it.each<[string, string, unknown, unknown[], { field: string; reason: string; message: string }[]]>([
    ["missing roleRef", "RoleBinding", undefined, [], [
      { field: "roleRef.kind", reason: "FieldValueNotSupported", message: 'Unsupported value: "": supported values: "Role", "ClusterRole"' },
      { field: "roleRef.name", reason: "FieldValueRequired", message: "Required value" },
    ]],
    ["a Role in a ClusterRoleBinding", "ClusterRoleBinding", { kind: "Role", name: "r" }, [], [
      { field: "roleRef.kind", reason: "FieldValueNotSupported", message: 'Unsupported value: "Role": supported values: "ClusterRole"' },
    ]],
    ["another roleRef group", "RoleBinding", { apiGroup: "example.com", kind: "Role", name: "r" }, [], [
      { field: "roleRef.apiGroup", reason: "FieldValueNotSupported", message: `Unsupported value: "example.com": supported values: "${RBAC}"` },
    ]],
    ["a cluster-wide ServiceAccount without namespace", "ClusterRoleBinding", { kind: "ClusterRole", name: "view" },
      [{ kind: "ServiceAccount", name: "ci" }],
      [{ field: "subjects[0].namespace", reason: "FieldValueRequired", message: "Required value" }]],
    ["a ServiceAccount with an apiGroup", "RoleBinding", { kind: "ClusterRole", name: "view" },
      [{ kind: "ServiceAccount", name: "ci", apiGroup: RBAC }],
      [{ field: "subjects[0].apiGroup", reason: "FieldValueNotSupported", message: `Unsupported value: "${RBAC}": supported values: ""` }]],
    ["an unknown subject kind", "RoleBinding", { kind: "ClusterRole", name: "view" }, [{ kind: "Robot", name: "r2" }], [
      { field: "subjects[0].kind", reason: "FieldValueNotSupported", message: 'Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"' },
    ]],
  ])("refuses %s (422, upstream's message)", async (_what, kind, roleRef, subjects, causes) => {
    const ns = await namespace("rbac");
    const path = kind === "RoleBinding" ? `${BASE}/namespaces/${ns}/rolebindings` : `${BASE}/clusterrolebindings`;
    const body = { apiVersion: `${RBAC}/v1`, kind, metadata: { name: unique("b") }, ...(roleRef ? { roleRef } : {}), subjects };
    const res = await api<StatusBody>("POST", path, body);
    expect(res.status).toBe(422);
    expect(res.body.details?.causes).toEqual(causes);
  });

  it("a user without a name gets both of upstream's causes", async () => {
    const ns = await namespace("rbac");
    const res = await api<StatusBody>("POST", `${BASE}/namespaces/${ns}/rolebindings`,
      binding("RoleBinding", "nameless", { kind: "ClusterRole", name: "view" }, [{ kind: "User", name: "" }]));
    expect(res.status).toBe(422);
    expect(res.body.message).toBe(
      'RoleBinding "nameless" is invalid: subjects[0].name: Required value, subjects[0].name: Invalid value: "": user name cannot be empty',
    );
  });

  for (const [kind, plural] of [["RoleBinding", "rolebindings"], ["ClusterRoleBinding", "clusterrolebindings"]] as const) {
    it(`${kind}: roleRef cannot change (PUT and merge patch), subjects can`, async () => {
      const ns = await namespace("rbac");
      const base = kind === "RoleBinding" ? `${BASE}/namespaces/${ns}/${plural}` : `${BASE}/${plural}`;
      const name = unique("imm");
      const created = await api<KubeObject>("POST", base, binding(kind, name, { kind: "ClusterRole", name: "view" }, [{ kind: "User", name: "a" }]));
      expect(created.status).toBe(201);
      const put = await api<StatusBody>("PUT", `${base}/${name}`, { ...created.body, roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "edit" } });
      expect(put.status).toBe(422);
      expect(put.body.details?.causes).toEqual([{
        field: "roleRef", reason: "FieldValueInvalid",
        message: `Invalid value: rbac.RoleRef{APIGroup:"${RBAC}", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef`,
      }]);
      expect(put.body.message).toBe(
        `${kind} "${name}" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:"${RBAC}", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef`,
      );
      const patch = await api<StatusBody>("PATCH", `${base}/${name}`, { roleRef: { name: "admin" } }, { "content-type": "application/merge-patch+json" });
      expect(patch.status).toBe(422);
      const subjects = await api<KubeObject>("PATCH", `${base}/${name}`, { subjects: [{ kind: "User", name: "b", apiGroup: RBAC }] },
        { "content-type": "application/merge-patch+json" });
      expect(subjects.status).toBe(200);
      expect(subjects.body.roleRef).toEqual({ apiGroup: RBAC, kind: "ClusterRole", name: "view" });
    });
  }

  it("filters by metadata.name", async () => {
    const ns = await namespace("rbac");
    for (const name of ["one", "two"]) {
      await api("POST", `${BASE}/namespaces/${ns}/rolebindings`, binding("RoleBinding", name, { kind: "Role", name: "r" }));
    }
    const res = await api<{ items: KubeObject[] }>("GET", `${BASE}/namespaces/${ns}/rolebindings?fieldSelector=metadata.name%3Dtwo`);
    expect(res.body.items.map((i) => i.metadata.name)).toEqual(["two"]);
  });
});

describe("discovery", () => {
  it("serves the four kinds in rbac.authorization.k8s.io/v1 without short names", async () => {
    const res = await api<{ resources: { name: string; namespaced: boolean; kind: string; shortNames: string[] }[] }>("GET", BASE);
    const main = res.body.resources.filter((r) => !r.name.includes("/"));
    expect(main.map((r) => [r.name, r.kind, r.namespaced, r.shortNames])).toEqual([
      ["roles", "Role", true, []],
      ["rolebindings", "RoleBinding", true, []],
      ["clusterroles", "ClusterRole", false, []],
      ["clusterrolebindings", "ClusterRoleBinding", false, []],
    ]);
  });
});
