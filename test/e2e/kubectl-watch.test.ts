/**
 * The real kubectl's watch-driven commands: get -w, wait, delete --wait.
 */
import { spawn } from "node:child_process";
import { describe, expect, inject, it } from "vitest";
import { kubectl as run, kubectlOk, manifest, until } from "./kubectl.ts";
import { api } from "./rest.ts";

const server = inject("server");
const ok = kubectlOk(() => server.kubeconfig);

/** Starts kubectl in the background; resolves with its output when it exits (or is stopped). */
function background(args: string[]): { done: Promise<{ code: number; stdout: string; stderr: string }>; stop: () => void; output: () => string } {
  const child = spawn("/usr/bin/kubectl", args, { env: { ...process.env, KUBECONFIG: server.kubeconfig } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code) => resolve({ code: code ?? -1, stdout, stderr })));
  return { done, stop: () => child.kill("SIGINT"), output: () => stdout };
}

const untilTrue = (check: () => boolean): Promise<void> => until("the condition", check, 15_000);

const NS = "e2e-watch";
const vmi = (name: string): string => `apiVersion: kubevirt.io/v1
kind: VirtualMachineInstance
metadata:
  name: ${name}
spec:
  domain:
    devices: {}
    resources:
      requests:
        memory: 64Mi
`;

describe("kubectl watch commands", () => {
  it("get pods -w prints rows as pods change", async () => {
    ok("create", "namespace", NS);
    const cache = `--cache-dir=/tmp/duraplane-watch-cache-${process.pid}`;
    const w = background([cache, "-n", NS, "get", "pods", "-w"]);
    await untilTrue(() => w.output().includes("No resources found") || w.output().length >= 0);
    await new Promise((r) => setTimeout(r, 1500));
    ok("-n", NS, "run", "w1", "--image=nginx");
    await untilTrue(() => /^w1\s+0\/1\s+Pending\s+0\s+\S+$/m.test(w.output()));
    await api(server, "PATCH", `/api/v1/namespaces/${NS}/pods/w1/status`, { status: { phase: "Running" } }, "application/merge-patch+json");
    await untilTrue(() => /^w1\s+0\/1\s+Running\s+0\s+\S+$/m.test(w.output()));
    w.stop();
    const out = await w.done;
    expect(out.stdout).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
  });

  it("get vmi -w prints VMI rows with phase", async () => {
    const w = background(["-n", NS, "get", "vmi", "-w"]);
    await new Promise((r) => setTimeout(r, 1500));
    ok("-n", NS, "create", "-f", manifest(vmi("watched")));
    await untilTrue(() => /^watched\s+\S+\s+Pending\s*$/m.test(w.output()));
    w.stop();
    await w.done;
  });

  it("wait --for=condition=Ready returns when another client sets it, and not for another VMI", async () => {
    ok("-n", NS, "create", "-f", manifest(vmi("target")));
    ok("-n", NS, "create", "-f", manifest(vmi("other")));
    const wait = background(["-n", NS, "wait", "--for=condition=Ready", "vmi/target", "--timeout=30s"]);
    await new Promise((r) => setTimeout(r, 1500));
    const ready = { status: { phase: "Running", conditions: [{ type: "Ready", status: "True" }] } };
    await api(server, "PATCH", `/apis/kubevirt.io/v1/namespaces/${NS}/virtualmachineinstances/other/status`, ready, "application/merge-patch+json");
    await new Promise((r) => setTimeout(r, 1500));
    expect(wait.output()).toBe("");
    await api(server, "PATCH", `/apis/kubevirt.io/v1/namespaces/${NS}/virtualmachineinstances/target/status`, ready, "application/merge-patch+json");
    const res = await wait.done;
    expect(res.code).toBe(0);
    expect(res.stdout).toBe("virtualmachineinstance.kubevirt.io/target condition met\n");

    const timeout = run(server.kubeconfig, ["-n", NS, "wait", "--for=condition=Paused", "vmi/target", "--timeout=2s"]);
    expect(timeout.code).toBe(1);
    expect(timeout.stderr).toContain("timed out waiting for the condition on virtualmachineinstances/target");
  });

  it("wait --for=delete and delete --wait return when a finalizer is removed", async () => {
    ok("-n", NS, "create", "-f", manifest(`apiVersion: v1
kind: Pod
metadata:
  name: held
  finalizers:
  - example.com/hold
spec:
  containers:
  - name: c
    image: busybox
`));
    const del = background(["-n", NS, "delete", "pod", "held", "--timeout=30s"]);
    const waitDel = background(["-n", NS, "wait", "--for=delete", "pod/held", "--timeout=30s"]);
    await untilTrue(() => del.output().includes('pod "held" deleted'));
    await new Promise((r) => setTimeout(r, 1500));
    expect((await Promise.race([del.done, new Promise((r) => setTimeout(() => r("pending"), 200))]))).toBe("pending");
    await api(server, "PATCH", `/api/v1/namespaces/${NS}/pods/held`, { metadata: { finalizers: null } }, "application/merge-patch+json");
    const [d, w] = await Promise.all([del.done, waitDel.done]);
    expect(d.code).toBe(0);
    expect(w.code).toBe(0);
    expect(w.stdout).toBe("pod/held condition met\n");
    expect(run(server.kubeconfig, ["-n", NS, "get", "pod", "held"]).code).toBe(1);
  });
});
