/**
 * ResourceQuota with the real kubectl 1.32: `kubectl create quota` (a
 * protobuf body), creates beyond it print upstream's Forbidden text, and
 * `kubectl describe quota` / `get quota` show used against hard.
 */
import { describe, expect, inject, it } from "vitest";
import { type KubectlResult, kubectl as run, kubectlOk, manifest, until } from "./kubectl.ts";

const server = inject("server");
const k = (...args: string[]): KubectlResult => run(server.kubeconfig, args);
const ok = kubectlOk(() => server.kubeconfig);

const NS = "quota-e2e";

const podYaml = (name: string, memory: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  containers:
  - name: web
    image: nginx:1.27
    resources:
      requests:
        memory: ${memory}
`;

describe("kubectl and ResourceQuota", () => {
  it("creates a quota, refuses what exceeds it with upstream's message, and describes used/hard", async () => {
    ok("create", "namespace", NS);
    expect(ok("create", "quota", "q", "--hard=pods=2,requests.memory=1Gi", "-n", NS)).toContain("resourcequota/q created");
    ok("create", "-n", NS, "-f", manifest(podYaml("a", "512Mi")));
    ok("create", "-n", NS, "-f", manifest(podYaml("b", "512Mi")));
    const file = manifest(podYaml("c", "512Mi"));
    const refused = k("create", "-n", NS, "-f", file);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toBe(
      `Error from server (Forbidden): error when creating "${file}": pods "c" is forbidden: exceeded quota: q, ` +
        "requested: pods=1,requests.memory=512Mi, used: pods=2,requests.memory=1Gi, limited: pods=2,requests.memory=1Gi",
    );
    await until("the quota's status.used", () => ok("get", "quota", "q", "-n", NS, "-o", "jsonpath={.status.used.pods}") === "2");
    const described = ok("describe", "quota", "q", "-n", NS);
    expect(described).toMatch(/^Name:\s+q$/m);
    expect(described).toMatch(/^Namespace:\s+quota-e2e$/m);
    expect(described).toMatch(/^Resource\s+Used\s+Hard$/m);
    expect(described).toMatch(/^pods\s+2\s+2$/m);
    expect(described).toMatch(/^requests\.memory\s+1Gi\s+1Gi$/m);
    const table = ok("get", "quota", "-n", NS);
    expect(table).toMatch(/^NAME\s+AGE\s+REQUEST\s+LIMIT\s*$/m);
    expect(table).toMatch(/^q\s+\S+\s+pods: 2\/2, requests\.memory: 1Gi\/1Gi\s*$/m);
    ok("delete", "pod", "a", "-n", NS, "--wait=false", "--grace-period=0", "--force");
    await until("a freed slot", () => k("create", "-n", NS, "-f", manifest(podYaml("d", "512Mi"))).code === 0);
  });
});
