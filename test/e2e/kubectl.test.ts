/**
 * The real kubectl 1.32 against a server started as `npm start` starts it.
 * Assertions are on what kubectl prints, not only on its exit code.
 */
import { beforeAll, describe, expect, inject, it } from "vitest";
import { type KubectlResult, kubectl as run, kubectlOk, manifest } from "./kubectl.ts";

const server = inject("server");
const k = (...args: string[]): KubectlResult => run(server.kubeconfig, args);
const ok = kubectlOk(() => server.kubeconfig);

const NS = "e2e";

const podYaml = (image: string, extraLabel = ""): string => `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web${extraLabel ? `\n    extra: ${extraLabel}` : ""}
spec:
  containers:
  - name: web
    image: ${image}
    ports:
    - containerPort: 80
`;

const rsYaml = (replicas: number, image = "nginx:1.27"): string => `apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: frontend
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      tier: frontend
  template:
    metadata:
      labels:
        tier: frontend
    spec:
      containers:
      - name: php
        image: ${image}
`;

const vmYaml = (memory: string): string => `apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: testvm
  labels:
    kubevirt.io/vm: testvm
spec:
  runStrategy: Halted
  template:
    metadata:
      labels:
        kubevirt.io/domain: testvm
    spec:
      domain:
        devices:
          disks:
          - name: containerdisk
            disk:
              bus: virtio
        resources:
          requests:
            memory: ${memory}
            cpu: "1"
      volumes:
      - name: containerdisk
        containerDisk:
          image: quay.io/kubevirt/cirros-container-disk-demo
`;

const vmirsYaml = `apiVersion: kubevirt.io/v1
kind: VirtualMachineInstanceReplicaSet
metadata:
  name: testreplicaset
spec:
  replicas: 2
  selector:
    matchLabels:
      myvmi: myvmi
  template:
    metadata:
      labels:
        myvmi: myvmi
    spec:
      domain:
        devices: {}
        resources:
          requests:
            memory: 64M
`;

beforeAll(() => {
  ok("create", "-f", manifest(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${NS}\n`));
});

describe("kubectl against duraplane", () => {
  it("creates a namespace (kubectl sends it as protobuf) and lists namespaces", () => {
    expect(ok("create", "namespace", "made-by-kubectl")).toBe("namespace/made-by-kubectl created\n");
    expect(ok("get", "namespace", "made-by-kubectl")).toMatch(/^made-by-kubectl\s+Active\s+\S+$/m);
    expect(ok("get", "namespaces", "-o", "name")).toContain("namespace/default\n");
  });

  it("version reports the 1.32 server", () => {
    const out = ok("version");
    expect(out).toMatch(/Client Version: v1\.32/);
    expect(out).toMatch(/Server Version: v1\.32\.4/);
  });

  it("api-resources lists every kind with short names and groups", () => {
    const out = ok("api-resources");
    expect(out).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/m);
    expect(out).toMatch(/^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
    expect(out).toMatch(/^replicasets\s+rs\s+apps\/v1\s+true\s+ReplicaSet$/m);
    expect(out).toMatch(/^virtualmachines\s+vm,vms\s+kubevirt\.io\/v1\s+true\s+VirtualMachine$/m);
    expect(out).toMatch(/^virtualmachineinstancereplicasets\s+vmirs,vmirss\s+kubevirt\.io\/v1\s+true\s+VirtualMachineInstanceReplicaSet$/m);
  });

  it("creates, applies (strategic for Pod) and gets a pod in every output format", () => {
    const file = manifest(podYaml("nginx:1.26"));
    expect(ok("-n", NS, "create", "-f", file)).toBe("pod/web created\n");
    const dup = k("-n", NS, "create", "-f", file);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('Error from server (AlreadyExists): error when creating "');
    expect(dup.stderr).toContain('pods "web" already exists');

    expect(ok("-n", NS, "apply", "-f", manifest(podYaml("nginx:1.27", "v2")))).toBe("pod/web configured\n");
    const yaml = ok("-n", NS, "get", "pod", "web", "-o", "yaml");
    expect(yaml).toContain("image: nginx:1.27");
    expect(yaml).toContain("extra: v2");
    expect(yaml).toContain("kubectl.kubernetes.io/last-applied-configuration");
    expect(yaml).toMatch(/phase: Pending/);

    const table = ok("-n", NS, "get", "pods");
    expect(table).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
    expect(table).toMatch(/^web\s+0\/1\s+Pending\s+0\s+\S+$/m);
    const wide = ok("-n", NS, "get", "pods", "-o", "wide");
    expect(wide).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/m);
    const all = ok("get", "pods", "-A");
    expect(all).toMatch(/^NAMESPACE\s+NAME\s+READY/m);
    expect(all).toMatch(new RegExp(`^${NS}\\s+web\\s+0/1`, "m"));
    expect(ok("-n", NS, "get", "pods", "-l", "extra=v2", "-o", "name")).toBe("pod/web\n");
    expect(ok("-n", NS, "get", "pods", "-l", "extra notin (v2)", "-o", "name")).toBe("");
    const byName = ok("-n", NS, "get", "pod", "web", "-o", "jsonpath={.spec.containers[0].image}");
    expect(byName).toBe("nginx:1.27");
  });

  it("applies a ReplicaSet, changes it (strategic) and scales it", () => {
    expect(ok("-n", NS, "apply", "-f", manifest(rsYaml(3)))).toBe("replicaset.apps/frontend created\n");
    expect(ok("-n", NS, "apply", "-f", manifest(rsYaml(3, "nginx:1.28")))).toBe("replicaset.apps/frontend configured\n");
    expect(ok("-n", NS, "get", "rs", "frontend", "-o", "jsonpath={.spec.template.spec.containers[0].image}")).toBe("nginx:1.28");
    expect(ok("-n", NS, "scale", "rs", "frontend", "--replicas=5")).toBe("replicaset.apps/frontend scaled\n");
    const rs = ok("-n", NS, "get", "rs", "frontend");
    expect(rs).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE$/m);
    expect(rs).toMatch(/^frontend\s+5\s+\d+\s+\d+\s+\S+$/m);
    expect(ok("-n", NS, "scale", "rs", "frontend", "--current-replicas=5", "--replicas=2")).toBe("replicaset.apps/frontend scaled\n");
    expect(ok("-n", NS, "get", "rs", "frontend", "-o", "jsonpath={.spec.replicas}")).toBe("2");
    const wrong = k("-n", NS, "scale", "rs", "frontend", "--current-replicas=9", "--replicas=1");
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("Expected replicas to be 9, was 2");
  });

  it("applies a VM (merge patch), server-side applies, and scales a VMIRS", () => {
    expect(ok("-n", NS, "apply", "-f", manifest(vmYaml("64M")))).toBe("virtualmachine.kubevirt.io/testvm created\n");
    expect(ok("-n", NS, "apply", "-f", manifest(vmYaml("128M")))).toBe("virtualmachine.kubevirt.io/testvm configured\n");
    expect(ok("-n", NS, "get", "vm", "testvm", "-o", "jsonpath={.spec.template.spec.domain.resources.requests.memory}")).toBe("128M");
    const vms = ok("-n", NS, "get", "vm");
    expect(vms).toMatch(/^NAME\s+AGE\s+STATUS\s+READY$/m);

    const ssa = manifest(vmirsYaml);
    expect(ok("-n", NS, "apply", "--server-side", "-f", ssa)).toBe("virtualmachineinstancereplicaset.kubevirt.io/testreplicaset serverside-applied\n");
    expect(ok("-n", NS, "apply", "--server-side", "-f", ssa)).toBe("virtualmachineinstancereplicaset.kubevirt.io/testreplicaset serverside-applied\n");
    expect(ok("-n", NS, "scale", "vmirs", "testreplicaset", "--replicas=4")).toBe("virtualmachineinstancereplicaset.kubevirt.io/testreplicaset scaled\n");
    const table = ok("-n", NS, "get", "vmirs");
    expect(table).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE$/m);
    expect(table).toMatch(/^testreplicaset\s+4\s+/m);
  });

  it("patches with all three types and the status subresource", () => {
    expect(ok("-n", NS, "patch", "pod", "web", "-p", '{"metadata":{"labels":{"p":"strategic"}}}')).toBe("pod/web patched\n");
    expect(ok("-n", NS, "patch", "pod", "web", "--type", "merge", "-p", '{"metadata":{"labels":{"p":"merge"}}}')).toBe("pod/web patched\n");
    expect(ok("-n", NS, "patch", "pod", "web", "--type", "json", "-p", '[{"op":"replace","path":"/metadata/labels/p","value":"json"}]')).toBe("pod/web patched\n");
    expect(ok("-n", NS, "get", "pod", "web", "-o", "jsonpath={.metadata.labels.p}")).toBe("json");
    const failedTest = k("-n", NS, "patch", "pod", "web", "--type", "json", "-p", '[{"op":"test","path":"/metadata/labels/p","value":"other"}]');
    expect(failedTest.code).toBe(1);
    expect(failedTest.stderr).toContain("The request is invalid");

    const smpVm = k("-n", NS, "patch", "vm", "testvm", "-p", '{"metadata":{"labels":{"a":"b"}}}');
    expect(smpVm.code).toBe(1);
    expect(smpVm.stderr).toContain("application/strategic-merge-patch+json is not supported by kubevirt.io/v1, Kind=VirtualMachine");

    expect(ok("-n", NS, "patch", "pod", "web", "--subresource=status", "--type", "merge", "-p",
      '{"status":{"phase":"Running","podIP":"10.0.0.7"},"spec":{"nodeName":"ignored"}}')).toBe("pod/web patched\n");
    expect(ok("-n", NS, "get", "pod", "web", "-o", "jsonpath={.status.phase}/{.status.podIP}/{.spec.nodeName}")).toBe("Running/10.0.0.7/");
  });

  it("replaces, describes and explains", () => {
    const current = ok("-n", NS, "get", "pod", "web", "-o", "json");
    const obj = JSON.parse(current) as { metadata: { labels: Record<string, string> } };
    obj.metadata.labels.replaced = "true";
    expect(run(server.kubeconfig, ["-n", NS, "replace", "-f", "-"], JSON.stringify(obj)).stdout).toBe("pod/web replaced\n");
    const stale = run(server.kubeconfig, ["-n", NS, "replace", "-f", "-"], current);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on pods "web": the object has been modified; please apply your changes to the latest version and try again');

    const describe = ok("-n", NS, "describe", "pod", "web");
    expect(describe).toMatch(/^Name:\s+web$/m);
    expect(describe).toMatch(/^Namespace:\s+e2e$/m);
    expect(describe).toMatch(/Image:\s+nginx:1\.27/);
    expect(ok("-n", NS, "describe", "rs", "frontend")).toMatch(/^Replicas:\s+\d+ current \/ 2 desired$/m);

    const explain = ok("explain", "pod");
    expect(explain).toMatch(/^KIND:\s+Pod$/m);
    expect(explain).toMatch(/^VERSION:\s+v1$/m);
    expect(explain).toContain("spec");
    expect(ok("explain", "pod.spec.containers")).toMatch(/image/);
    expect(ok("explain", "vm.spec")).toMatch(/runStrategy/);
  });

  it("prints upstream's errors for 404, 422 and bad input", () => {
    const missing = k("-n", NS, "get", "pod", "nope");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('Error from server (NotFound): pods "nope" not found\n');

    const bad = k("-n", NS, "create", "-f", manifest(`apiVersion: v1
kind: Pod
metadata:
  name: Bad_Name
spec:
  containers:
  - name: c
`));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('The Pod "Bad_Name" is invalid:');
    expect(bad.stderr).toContain("* metadata.name: Invalid value: \"Bad_Name\"");
    expect(bad.stderr).toContain("* spec.containers[0].image: Required value");

    const unknownField = k("-n", NS, "create", "-f", manifest(`apiVersion: v1
kind: Pod
metadata:
  name: strict
spec:
  bogus: 1
  containers:
  - name: c
    image: busybox
`));
    expect(unknownField.code).toBe(1);
    expect(unknownField.stderr).toContain('unknown field "spec.bogus"');

    const noNs = k("-n", "does-not-exist", "create", "-f", manifest(podYaml("nginx")));
    expect(noNs.code).toBe(1);
    expect(noNs.stderr).toContain('namespaces "does-not-exist" not found');
  });

  it("deletes and waits", () => {
    expect(ok("-n", NS, "delete", "pod", "web")).toBe('pod "web" deleted\n');
    expect(k("-n", NS, "get", "pod", "web").code).toBe(1);
    expect(ok("-n", NS, "delete", "vm", "testvm")).toBe('virtualmachine.kubevirt.io "testvm" deleted\n');
    const gone = k("-n", NS, "delete", "pod", "web");
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe('Error from server (NotFound): pods "web" not found\n');
  });

  it("the audit log tells who did what: kubectl get --raw reads it", () => {
    const raw = ok("get", "--raw", `/apis/audit.duraplane.io/v1/events?namespace=${NS}&resource=pods&name=web&user=admin&limit=100`);
    const list = JSON.parse(raw) as { kind: string; items: { verb: string; user: { username: string }; userAgent: string; sourceIPs: string[]; responseStatus: { code: number } }[] };
    expect(list.kind).toBe("EventList");
    // Newest first: the failed second delete, the delete, then what created and changed it.
    expect(list.items.slice(0, 2).map((e) => `${e.verb} ${e.responseStatus.code}`)).toEqual(["delete 404", "delete 200"]);
    expect(list.items.map((e) => e.verb)).toContain("create");
    const last = list.items[0];
    expect(last?.user.username).toBe("admin");
    expect(last?.userAgent).toMatch(/^kubectl\//);
    expect(last?.sourceIPs).toEqual(["127.0.0.1"]);
  });
});
