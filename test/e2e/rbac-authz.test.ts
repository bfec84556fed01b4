/**
 * RBAC end to end with the real kubectl and several kubeconfigs: bindings
 * made with `kubectl create rolebinding`, answers from `kubectl auth can-i`
 * (with and without --list), `--as`, `auth whoami`, and kubectl's own
 * Forbidden text where a user has no grant.
 */
import { CoreV1Api, KubeConfig, makeInformer, type V1Pod } from "@kubernetes/client-node";
import { describe, expect, inject, it } from "vitest";
import { kubectl, kubectlOk, manifest, until } from "./kubectl.ts";
import { kubeconfigFor } from "./users.ts";

const server = inject("server");
const admin = kubectlOk(() => server.kubeconfig);
const suffix = crypto.randomUUID().slice(0, 6);
const a = `rbac-a-${suffix}`;
const b = `rbac-b-${suffix}`;

let aliceConfig = "";

const podYaml = (name: string, ns: string) => manifest(`apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}}
spec: {containers: [{name: c, image: busybox}]}
`);

describe("RBAC with the real kubectl", () => {
  it("an edit user works in its namespace and gets kubectl's Forbidden text elsewhere; a view user reads but cannot delete", async () => {
    admin("create", "namespace", a);
    admin("create", "namespace", b);
    const alice = await kubeconfigFor(server, `alice-${suffix}`, ["team-a"]);
    aliceConfig = alice;
    const victor = await kubeconfigFor(server, `victor-${suffix}`);
    admin("create", "rolebinding", "team-edit", "--clusterrole=edit", "--group=team-a", "-n", a);
    admin("create", "rolebinding", "victor-view", "--clusterrole=view", `--user=victor-${suffix}`, "-n", a);

    const who = kubectl(alice, ["auth", "whoami"]);
    expect(who.stdout).toMatch(new RegExp(`^Username\\s+alice-${suffix}$`, "m"));

    await until("alice's binding to take effect", () => kubectl(alice, ["get", "pods", "-n", a]).code === 0, 10_000);
    const created = kubectl(alice, ["create", "-f", podYaml("web", a)]);
    expect(created.code, created.stderr).toBe(0);
    const elsewhere = kubectl(alice, ["create", "-f", podYaml("web", b)]);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain(`pods is forbidden: User "alice-${suffix}" cannot create resource "pods" in API group "" in the namespace "${b}"`);
    const listB = kubectl(alice, ["get", "pods", "-n", b]);
    expect(listB.stderr.trim()).toBe(`Error from server (Forbidden): pods is forbidden: User "alice-${suffix}" cannot list resource "pods" in API group "" in the namespace "${b}"`);

    expect(kubectl(victor, ["get", "pod", "web", "-n", a]).code).toBe(0);
    const del = kubectl(victor, ["delete", "pod", "web", "-n", a]);
    expect(del.code).toBe(1);
    expect(del.stderr.trim()).toBe(`Error from server (Forbidden): pods "web" is forbidden: User "victor-${suffix}" cannot delete resource "pods" in API group "" in the namespace "${a}"`);
  });

  it("auth can-i answers truly, --list lists the grants, --as acts as another user", () => {
    const alice = kubectl(server.kubeconfig, ["auth", "can-i", "create", "pods", "-n", a, `--as=alice-${suffix}`, "--as-group=team-a"]);
    expect(alice.stdout.trim()).toBe("yes");
    const notB = kubectl(server.kubeconfig, ["auth", "can-i", "create", "pods", "-n", b, `--as=alice-${suffix}`, "--as-group=team-a"]);
    expect(notB.stdout.trim()).toBe("no");
    expect(notB.code).toBe(1);
    expect(kubectl(server.kubeconfig, ["auth", "can-i", "get", "pods", "--subresource=log", "-n", a, `--as=victor-${suffix}`]).stdout.trim()).toBe("yes");
    const list = kubectl(server.kubeconfig, ["auth", "can-i", "--list", "-n", a, `--as=victor-${suffix}`]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs/m);
    expect(list.stdout).toMatch(/^pods\s+\[\]\s+\[\]\s+\[get list watch\]/m);
    const asVictor = kubectl(server.kubeconfig, ["get", "pods", "-n", b, `--as=victor-${suffix}`]);
    expect(asVictor.stderr.trim()).toBe(`Error from server (Forbidden): pods is forbidden: User "victor-${suffix}" cannot list resource "pods" in API group "" in the namespace "${b}"`);
    const whoAs = kubectl(server.kubeconfig, ["auth", "whoami", `--as=victor-${suffix}`, "--as-group=g1"]);
    expect(whoAs.stdout).toMatch(new RegExp(`^Username\\s+victor-${suffix}$`, "m"));
    expect(whoAs.stdout).toMatch(/^Groups\s+\[g1 system:authenticated\]$/m);
  });

  it("an edit user's informer in its namespace lists and watches; a cluster-wide one is refused with 403", async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(aliceConfig);
    const core = kc.makeApiClient(CoreV1Api);
    const seen: string[] = [];
    const local = makeInformer<V1Pod>(kc, `/api/v1/namespaces/${a}/pods`, () => core.listNamespacedPod({ namespace: a }));
    local.on("add", (p) => seen.push(p.metadata?.name ?? ""));
    const errors: unknown[] = [];
    const cluster = makeInformer<V1Pod>(kc, "/api/v1/pods", () => core.listPodForAllNamespaces());
    cluster.on("error", (err) => errors.push(err));
    try {
      await local.start();
      await until("the informer to list web", () => seen.includes("web"), 10_000);
      admin("create", "-f", podYaml("late", a));
      await until("the informer to watch late arrive", () => seen.includes("late"), 10_000);
      await cluster.start().catch((err: unknown) => errors.push(err));
      await until("the cluster-wide informer to fail", () => errors.length > 0, 10_000);
      expect(JSON.stringify(errors[0], Object.getOwnPropertyNames(errors[0] ?? {}))).toMatch(/403|Forbidden|forbidden/);
    } finally {
      await local.stop();
      await cluster.stop();
    }
  });
});
