/**
 * ServiceAccounts with the real kubectl 1.32: `kubectl create serviceaccount`
 * and `kubectl create token` (both protobuf), then a kubeconfig holding that
 * token: `auth whoami` names the ServiceAccount and its groups, `get pods`
 * works, and once the ServiceAccount is deleted the token is refused with
 * kubectl's Unauthorized text.
 */
import { describe, expect, inject, it } from "vitest";
import { writeKubeconfig } from "../../scripts/local-cluster.ts";
import { kubectl, kubectlOk, until } from "./kubectl.ts";
import { tempDir } from "./temp-dir.ts";

const server = inject("server");
const admin = kubectlOk(() => server.kubeconfig);

describe("ServiceAccount tokens with kubectl", () => {
  it("create sa, create token, whoami and get pods as it, refused once the sa is deleted", async () => {
    // Another file may have made namespace "a" on this shared server already.
    const ns = kubectl(server.kubeconfig, ["create", "namespace", "a"]);
    expect(ns.code === 0 || ns.stderr.includes("AlreadyExists")).toBe(true);
    expect(admin("create", "serviceaccount", "ci", "-n", "a")).toContain("serviceaccount/ci created");
    const listed = admin("get", "sa", "-n", "a");
    expect(listed).toMatch(/NAME\s+SECRETS\s+AGE/);
    expect(listed).toMatch(/\bci\s+0\s+/);
    // The serviceaccounts controller adds the namespace's default account.
    await until("the default ServiceAccount", () => /\bdefault\s+0\s+/.test(admin("get", "serviceaccounts", "-n", "a")));

    const token = admin("create", "token", "ci", "-n", "a", "--duration=1h").trim();
    expect(token.split(".")).toHaveLength(3);
    const kubeconfig = writeKubeconfig(`${tempDir("duraplane-sa-")}/kubeconfig`, server.url, token);
    const as = kubectlOk(() => kubeconfig);

    const me = as("auth", "whoami");
    expect(me).toMatch(/Username\s+system:serviceaccount:a:ci/);
    expect(me).toMatch(/Groups\s+\[system:serviceaccounts system:serviceaccounts:a system:authenticated\]/);
    expect(me).toMatch(/UID\s+[0-9a-f-]{36}/);
    expect(me).toMatch(/authentication\.kubernetes\.io\/credential-id\s+\[JTI=[0-9a-f-]{36}\]/);
    // Nothing is granted yet: kubectl prints upstream's Forbidden.
    const before = kubectl(kubeconfig, ["get", "pods", "-n", "a"]);
    expect(before.stderr.trim()).toBe('Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:a:ci" cannot list resource "pods" in API group "" in the namespace "a"');
    admin("create", "rolebinding", "ci-edit", "--clusterrole=edit", "--serviceaccount=a:ci", "-n", "a");
    await until("the binding to count", () => kubectl(kubeconfig, ["get", "pods", "-n", "a"]).code === 0, 10_000);
    const pods = kubectl(kubeconfig, ["get", "pods", "-n", "a"]);
    expect(pods.code).toBe(0);
    expect(pods.stderr).toContain("No resources found in a namespace.");
    const made = kubectl(kubeconfig, ["run", "sa-made", "--image=busybox", "-n", "a"]);
    expect(made.code, made.stderr).toBe(0);
    const elsewhere = kubectl(kubeconfig, ["run", "sa-made", "--image=busybox", "-n", "default"]);
    expect(elsewhere.stderr.trim()).toBe('Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:a:ci" cannot create resource "pods" in API group "" in the namespace "default"');

    const short = kubectl(server.kubeconfig, ["create", "token", "ci", "-n", "a", "--duration=5m"]);
    expect(short.code).not.toBe(0);
    expect(short.stderr).toContain("may not specify a duration less than 10 minutes");

    expect(admin("delete", "sa", "ci", "-n", "a")).toContain('serviceaccount "ci" deleted');
    await until("the token to be refused", () => kubectl(kubeconfig, ["get", "pods", "-n", "a"]).code !== 0, 10_000);
    const refused = kubectl(kubeconfig, ["get", "pods", "-n", "a"]);
    expect(refused.stderr.trim()).toBe("error: You must be logged in to the server (Unauthorized)");
    const missing = kubectl(server.kubeconfig, ["create", "token", "ci", "-n", "a"]);
    expect(missing.stderr).toContain('serviceaccounts "ci" not found');
  });
});
