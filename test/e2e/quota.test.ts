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

  it("lists the quota kinds in discovery and explains them", () => {
    const resources = ok("api-resources");
    expect(resources).toMatch(/^resourcequotas\s+quota\s+v1\s+true\s+ResourceQuota$/m);
    expect(resources).toMatch(/^limitranges\s+limits\s+v1\s+true\s+LimitRange$/m);
    expect(resources).toMatch(/^clusterresourcequotas\s+clusterquota\s+quota\.duraplane\.io\/v1\s+false\s+ClusterResourceQuota$/m);
    expect(ok("explain", "clusterquota.spec.selector")).toContain("labels");
  });

  it("shares a ClusterResourceQuota across two namespaces", async () => {
    for (const ns of ["pool-a", "pool-b"]) {
      ok("create", "namespace", ns);
      ok("label", "namespace", ns, "tenant=blue");
    }
    ok("apply", "-f", manifest(`apiVersion: quota.duraplane.io/v1
kind: ClusterResourceQuota
metadata:
  name: blue
spec:
  selector:
    labels:
      matchLabels:
        tenant: blue
  quota:
    hard:
      pods: "2"
`));
    ok("create", "-n", "pool-a", "-f", manifest(podYaml("a", "64Mi")));
    ok("create", "-n", "pool-b", "-f", manifest(podYaml("b", "64Mi")));
    const file = manifest(podYaml("c", "64Mi"));
    const refused = k("create", "-n", "pool-b", "-f", file);
    expect(refused.stderr.trim()).toBe(
      `Error from server (Forbidden): error when creating "${file}": pods "c" is forbidden: exceeded quota: blue, requested: pods=1, used: pods=2, limited: pods=2`,
    );
    await until("the cluster quota's total", () => ok("get", "clusterquota", "blue", "-o", "jsonpath={.status.total.used.pods}") === "2");
    expect(ok("get", "clusterquota")).toMatch(/^blue\s+\S+\s+pods: 2\/2\s*$/m);
  });

  it("applies a LimitRange's defaults and describes it", () => {
    ok("create", "namespace", "limits-e2e");
    ok("apply", "-n", "limits-e2e", "-f", manifest(`apiVersion: v1
kind: LimitRange
metadata:
  name: defaults
spec:
  limits:
  - type: Container
    max:
      memory: 1Gi
    default:
      memory: 512Mi
    defaultRequest:
      memory: 256Mi
`));
    expect(ok("get", "limits", "-n", "limits-e2e")).toMatch(/^NAME\s+CREATED AT\s*\ndefaults\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\s*$/m);
    expect(ok("describe", "limits", "defaults", "-n", "limits-e2e")).toMatch(/^\s*Container\s+memory\s+-\s+1Gi\s+256Mi\s+512Mi\s+-\s*$/m);
    ok("run", "web", "--image=nginx:1.27", "-n", "limits-e2e");
    expect(ok("get", "pod", "web", "-n", "limits-e2e", "-o", "jsonpath={.spec.containers[0].resources}"))
      .toBe('{"limits":{"memory":"512Mi"},"requests":{"memory":"256Mi"}}');
  });
});
