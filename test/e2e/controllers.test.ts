/**
 * ReplicaSet and VMIRS controllers through the real kubectl: create 5,
 * scale to 50 and to 2, delete a child and see it replaced.
 */
import { describe, expect, inject, it } from "vitest";
import { kubectl as run, kubectlOk, manifest, until } from "./kubectl.ts";

const server = inject("server");
const ok = kubectlOk(() => server.kubeconfig);
/** Scaling to 50 on a loaded machine can take a while. */
const untilLong = (what: string, check: () => boolean): Promise<void> => until(what, check, 90_000);
const NS = "e2e-controllers";


const names = (resource: string, selector: string): string[] =>
  ok("-n", NS, "get", resource, "-l", selector, "-o", "name").split("\n").filter((l) => l !== "");

describe("controllers through kubectl", () => {
  it("a ReplicaSet of 5 scales to 50 and to 2, and replaces a deleted pod", async () => {
    ok("create", "namespace", NS);
    ok("-n", NS, "apply", "-f", manifest(`apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web
spec:
  replicas: 5
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
`));
    await untilLong("5 pods", () => names("pods", "app=web").length === 5);
    await untilLong("status 5", () => /^web\s+5\s+5\s+0\s+\S+$/m.test(ok("-n", NS, "get", "rs", "web")));
    ok("-n", NS, "scale", "rs", "web", "--replicas=50");
    await untilLong("50 pods", () => names("pods", "app=web").length === 50);
    ok("-n", NS, "scale", "rs", "web", "--replicas=2");
    await untilLong("2 pods", () => names("pods", "app=web").length === 2);
    const [victim] = names("pods", "app=web");
    ok("-n", NS, "delete", victim ?? "", "--wait=false");
    await untilLong("a replacement", () => {
      const now = names("pods", "app=web");
      return now.length === 2 && !now.includes(victim ?? "");
    });
    await untilLong("status 2", () => /^web\s+2\s+2\s+0\s+\S+$/m.test(ok("-n", NS, "get", "rs", "web")));
    expect(ok("-n", NS, "describe", "rs", "web")).toMatch(/^Replicas:\s+2 current \/ 2 desired$/m);
  });

  it("a VMIRS of 5 scales to 50 and to 2, and replaces a deleted VMI", async () => {
    ok("-n", NS, "apply", "-f", manifest(`apiVersion: kubevirt.io/v1
kind: VirtualMachineInstanceReplicaSet
metadata:
  name: vr
spec:
  replicas: 5
  selector:
    matchLabels: {app: vr}
  template:
    metadata:
      labels: {app: vr}
    spec:
      domain:
        devices: {}
        resources:
          requests: {memory: 64Mi}
`));
    await untilLong("5 VMIs", () => names("vmi", "app=vr").length === 5);
    ok("-n", NS, "scale", "vmirs", "vr", "--replicas=50");
    await untilLong("50 VMIs", () => names("vmi", "app=vr").length === 50);
    ok("-n", NS, "scale", "vmirs", "vr", "--replicas=2");
    await untilLong("2 VMIs", () => names("vmi", "app=vr").length === 2);
    const [victim] = names("vmi", "app=vr");
    ok("-n", NS, "delete", victim ?? "", "--wait=false");
    await untilLong("a replacement", () => {
      const now = names("vmi", "app=vr");
      return now.length === 2 && !now.includes(victim ?? "");
    });
    await untilLong("vmirs status", () => /^vr\s+2\s+2\s+0\s+\S+$/m.test(ok("-n", NS, "get", "vmirs", "vr")));
  });

  it("deletes an owner with each propagation policy", async () => {
    const rs = (name: string): string => manifest(`apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: ${name}
spec:
  replicas: 3
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: c
        image: busybox
`);
    for (const name of ["bg", "fg", "orph"]) ok("-n", NS, "apply", "-f", rs(name));
    for (const name of ["bg", "fg", "orph"]) await untilLong(`3 ${name} pods`, () => names("pods", `app=${name}`).length === 3);

    expect(ok("-n", NS, "delete", "rs", "bg")).toBe('replicaset.apps "bg" deleted\n');
    await untilLong("background dependents gone", () => names("pods", "app=bg").length === 0);

    expect(ok("-n", NS, "delete", "rs", "fg", "--cascade=foreground")).toBe('replicaset.apps "fg" deleted\n');
    expect(run(server.kubeconfig, ["-n", NS, "get", "rs", "fg"]).code).toBe(1);
    expect(names("pods", "app=fg")).toEqual([]);

    const orphans = names("pods", "app=orph");
    expect(ok("-n", NS, "delete", "rs", "orph", "--cascade=orphan")).toBe('replicaset.apps "orph" deleted\n');
    expect(run(server.kubeconfig, ["-n", NS, "get", "rs", "orph"]).code).toBe(1);
    expect(names("pods", "app=orph")).toEqual(orphans);
    for (const p of orphans) {
      expect(ok("-n", NS, "get", p, "-o", "jsonpath={.metadata.ownerReferences}")).toBe("");
    }
  });
});
