import { describe, expect, it } from "vitest";
import { decodeKubernetesProtobuf } from "./decode";

// Bodies captured from the real kubectl v1.32.4 (`-v=9` hex dump of the request body,
// Content-Type: application/vnd.kubernetes.protobuf) against a local duraplane.
const CAPTURED: Record<string, string> = {
  /** kubectl create role pod-reader2 --verb=get,list --resource=pods -n x */
  role:
    "azhzAAokChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgRSb2xlEjMKHAoLcG9kLXJlYWRlcjISABoBeCIAKgAyADgAQgASEwoDZ2V0CgRsaXN0EgAaBHBvZHMaACIA",
  /** kubectl create role named --verb=get --resource=pods --resource-name=web --resource-name=db -n x */
  roleNames:
    "azhzAAokChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgRSb2xlEjAKFgoFbmFtZWQSABoBeCIAKgAyADgAQgASFgoDZ2V0EgAaBHBvZHMiA3dlYiICZGIaACIA",
  /** kubectl create role multi --verb=get,list,watch --resource=replicasets.apps,pods/log,virtualmachines.kubevirt.io -n x */
  roleMulti:
    "azhzAAokChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgRSb2xlEpEBChYKBW11bHRpEgAaAXgiACoAMgA4AEIAEh4KA2dldAoEbGlzdAoFd2F0Y2gSABoIcG9kcy9sb2cSJQoDZ2V0CgRsaXN0CgV3YXRjaBIEYXBwcxoLcmVwbGljYXNldHMSMAoDZ2V0CgRsaXN0CgV3YXRjaBILa3ViZXZpcnQuaW8aD3ZpcnR1YWxtYWNoaW5lcxoAIgA=",
  /** kubectl create clusterrole urls --verb=get --non-resource-url=/healthz --non-resource-url='/apis/*' */
  clusterRoleUrls:
    "azhzAAorChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgtDbHVzdGVyUm9sZRIwChQKBHVybHMSABoAIgAqADIAOABCABIYCgNnZXQqCC9oZWFsdGh6KgcvYXBpcy8qGgAiAA==",
  /** kubectl create clusterrole agg --aggregation-rule=rbac.example.com/aggregate-to-monitoring=true */
  clusterRoleAgg:
    "azhzAAorChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgtDbHVzdGVyUm9sZRJLChMKA2FnZxIAGgAiACoAMgA4AEIAGjQKMgowCihyYmFjLmV4YW1wbGUuY29tL2FnZ3JlZ2F0ZS10by1tb25pdG9yaW5nEgR0cnVlGgAiAA==",
  /** kubectl create rolebinding rb3 --clusterrole=view --user=alice --group=team-a --serviceaccount=x:ci -n x */
  roleBinding:
    "azhzAAorChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgtSb2xlQmluZGluZxK7AQoUCgNyYjMSABoBeCIAKgAyADgAQgASKgoEVXNlchIZcmJhYy5hdXRob3JpemF0aW9uLms4cy5pbxoFYWxpY2UiABIsCgVHcm91cBIZcmJhYy5hdXRob3JpemF0aW9uLms4cy5pbxoGdGVhbS1hIgASGQoOU2VydmljZUFjY291bnQSABoCY2kiAXgaLgoZcmJhYy5hdXRob3JpemF0aW9uLms4cy5pbxILQ2x1c3RlclJvbGUaBHZpZXcaACIA",
  /** kubectl create rolebinding rb2 --role=pod-reader -n x (no subjects) */
  roleBindingBare:
    "azhzAAorChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEgtSb2xlQmluZGluZxJFChQKA3JiMhIAGgF4IgAqADIAOABCABotChlyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvEgRSb2xlGgpwb2QtcmVhZGVyGgAiAA==",
  /** kubectl create clusterrolebinding crb2 --clusterrole=edit --user=bob --serviceaccount=x:ci */
  clusterRoleBinding:
    "azhzAAoyChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEhJDbHVzdGVyUm9sZUJpbmRpbmcSiwEKFAoEY3JiMhIAGgAiACoAMgA4AEIAEigKBFVzZXISGXJiYWMuYXV0aG9yaXphdGlvbi5rOHMuaW8aA2JvYiIAEhkKDlNlcnZpY2VBY2NvdW50EgAaAmNpIgF4Gi4KGXJiYWMuYXV0aG9yaXphdGlvbi5rOHMuaW8SC0NsdXN0ZXJSb2xlGgRlZGl0GgAiAA==",
};

function decode(name: string): unknown {
  const text = CAPTURED[name] ?? "";
  return decodeKubernetesProtobuf(Uint8Array.from(atob(text), (c) => c.charCodeAt(0)));
}

const RBAC = "rbac.authorization.k8s.io";
const API_VERSION = `${RBAC}/v1`;

describe("decodeKubernetesProtobuf: RBAC bodies captured from kubectl 1.32", () => {
  it("kubectl create role", () => {
    expect(decode("role")).toStrictEqual({
      apiVersion: API_VERSION, kind: "Role",
      metadata: { name: "pod-reader2", namespace: "x" },
      rules: [{ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }],
    });
  });

  it("kubectl create role --resource-name", () => {
    expect(decode("roleNames")).toStrictEqual({
      apiVersion: API_VERSION, kind: "Role",
      metadata: { name: "named", namespace: "x" },
      rules: [{ verbs: ["get"], apiGroups: [""], resources: ["pods"], resourceNames: ["web", "db"] }],
    });
  });

  it("kubectl create role with resources of several groups and a subresource", () => {
    expect(decode("roleMulti")).toStrictEqual({
      apiVersion: API_VERSION, kind: "Role",
      metadata: { name: "multi", namespace: "x" },
      rules: [
        { verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods/log"] },
        { verbs: ["get", "list", "watch"], apiGroups: ["apps"], resources: ["replicasets"] },
        { verbs: ["get", "list", "watch"], apiGroups: ["kubevirt.io"], resources: ["virtualmachines"] },
      ],
    });
  });

  it("kubectl create clusterrole --non-resource-url", () => {
    expect(decode("clusterRoleUrls")).toStrictEqual({
      apiVersion: API_VERSION, kind: "ClusterRole",
      metadata: { name: "urls" },
      rules: [{ verbs: ["get"], nonResourceURLs: ["/healthz", "/apis/*"] }],
    });
  });

  it("kubectl create clusterrole --aggregation-rule", () => {
    expect(decode("clusterRoleAgg")).toStrictEqual({
      apiVersion: API_VERSION, kind: "ClusterRole",
      metadata: { name: "agg" },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { "rbac.example.com/aggregate-to-monitoring": "true" } }] },
    });
  });

  it("kubectl create rolebinding with a user, a group and a service account", () => {
    expect(decode("roleBinding")).toStrictEqual({
      apiVersion: API_VERSION, kind: "RoleBinding",
      metadata: { name: "rb3", namespace: "x" },
      subjects: [
        { kind: "User", apiGroup: RBAC, name: "alice" },
        { kind: "Group", apiGroup: RBAC, name: "team-a" },
        { kind: "ServiceAccount", name: "ci", namespace: "x" },
      ],
      roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "view" },
    });
  });

  it("kubectl create rolebinding --role without subjects", () => {
    expect(decode("roleBindingBare")).toStrictEqual({
      apiVersion: API_VERSION, kind: "RoleBinding",
      metadata: { name: "rb2", namespace: "x" },
      roleRef: { apiGroup: RBAC, kind: "Role", name: "pod-reader" },
    });
  });

  it("kubectl create clusterrolebinding", () => {
    expect(decode("clusterRoleBinding")).toStrictEqual({
      apiVersion: API_VERSION, kind: "ClusterRoleBinding",
      metadata: { name: "crb2" },
      subjects: [
        { kind: "User", apiGroup: RBAC, name: "bob" },
        { kind: "ServiceAccount", name: "ci", namespace: "x" },
      ],
      roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "edit" },
    });
  });
});

// Hand-built per the proto for what kubectl never sends.
type Bytes = number[];
const varint = (n: number): Bytes => {
  const out: Bytes = [];
  let v = n;
  do {
    const low = v & 0x7f;
    v >>>= 7;
    out.push(v > 0 ? low | 0x80 : low);
  } while (v > 0);
  return out;
};
const len = (field: number, payload: Bytes): Bytes => [...varint(field * 8 + 2), ...varint(payload.length), ...payload];
const str = (field: number, text: string): Bytes => len(field, [...new TextEncoder().encode(text)]);
const msg = (field: number, ...fields: Bytes[]): Bytes => len(field, fields.flat());
const body = (kind: string, raw: Bytes): Uint8Array =>
  new Uint8Array([0x6b, 0x38, 0x73, 0x00, ...msg(1, str(1, API_VERSION), str(2, kind)), ...len(2, raw)]);

describe("decodeKubernetesProtobuf: hand-built RBAC messages", () => {
  it("decodes matchExpressions, merges a repeated aggregationRule and skips unknown fields", () => {
    const selector = (k: string) => msg(1, msg(2, str(1, k), str(2, "In"), str(3, "a"), str(3, "b")));
    const raw = [...msg(1, str(1, "c")), ...msg(3, selector("x")), ...msg(3, selector("y")), ...str(9, "ignored")];
    expect(decodeKubernetesProtobuf(body("ClusterRole", raw))).toStrictEqual({
      apiVersion: API_VERSION, kind: "ClusterRole", metadata: { name: "c" },
      aggregationRule: {
        clusterRoleSelectors: [
          { matchExpressions: [{ key: "x", operator: "In", values: ["a", "b"] }] },
          { matchExpressions: [{ key: "y", operator: "In", values: ["a", "b"] }] },
        ],
      },
    });
  });

  it("gives a binding without roleRef the zero roleRef, as Go's JSON encoder would", () => {
    expect(decodeKubernetesProtobuf(body("ClusterRoleBinding", msg(1, str(1, "b"))))).toStrictEqual({
      apiVersion: API_VERSION, kind: "ClusterRoleBinding", metadata: { name: "b" },
      roleRef: { apiGroup: "", kind: "", name: "" },
    });
  });

  it("keeps kind and name of a subject even when empty (no omitempty)", () => {
    const raw = [...msg(1, str(1, "b")), ...msg(2, str(4, "ns"))];
    expect(decodeKubernetesProtobuf(body("RoleBinding", raw))).toMatchObject({ subjects: [{ kind: "", name: "", namespace: "ns" }] });
  });

  it("ignores a Role's field 3 (only ClusterRoles have aggregationRule)", () => {
    const raw = [...msg(1, str(1, "r")), ...msg(3, msg(1))];
    expect(decodeKubernetesProtobuf(body("Role", raw))).toStrictEqual({ apiVersion: API_VERSION, kind: "Role", metadata: { name: "r" } });
  });
});
