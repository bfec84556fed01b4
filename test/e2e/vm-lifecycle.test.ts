/**
 * VM start / stop / restart through `kubectl replace --raw` (virtctl's
 * requests), with `kubectl get vm` showing the right STATUS at each step.
 * Until host agents exist, the test plays the host's part through /status.
 */
import { describe, expect, inject, it } from "vitest";
import { kubectl as run, kubectlOk, manifest, until } from "./kubectl.ts";
import { api } from "./rest.ts";

const server = inject("server");
const ok = kubectlOk(() => server.kubeconfig);
const NS = "e2e-vm";
const empty = manifest("{}");
const raw = (verb: string) => run(server.kubeconfig, ["replace", "--raw", `/apis/subresources.kubevirt.io/v1/namespaces/${NS}/virtualmachines/testvm/${verb}`, "-f", empty]);

const statusIs = (s: string) => () => new RegExp(`^testvm\\s+\\S+\\s+${s}\\s+`, "m").test(ok("-n", NS, "get", "vm"));
const host = (phase: string, ready: boolean) =>
  api(server, "PATCH", `/apis/kubevirt.io/v1/namespaces/${NS}/virtualmachineinstances/testvm/status`,
    { status: { phase, conditions: ready ? [{ type: "Ready", status: "True" }] : [] } }, "application/merge-patch+json");

describe("VM lifecycle through kubectl replace --raw", () => {
  it("start, stop, restart with the STATUS column at each step", async () => {
    ok("create", "namespace", NS);
    ok("-n", NS, "apply", "-f", manifest(`apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: testvm
spec:
  runStrategy: Manual
  template:
    spec:
      domain:
        devices: {}
        resources:
          requests: {memory: 64Mi}
`));
    await until("Stopped", statusIs("Stopped"));
    expect(raw("start").code).toBe(0);
    await until("Starting", statusIs("Starting"));
    await host("Running", true);
    await until("Running", statusIs("Running"));
    expect(ok("-n", NS, "get", "vm", "testvm")).toMatch(/^testvm\s+\S+\s+Running\s+True$/m);
    const again = raw("start");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("VM is already running");

    expect(raw("restart").code).toBe(0);
    await until("Stopping", statusIs("Stopping"));
    await host("Succeeded", false);
    await until("a new VMI", () => /^testvm\s+\S+\s+Pending/m.test(ok("-n", NS, "get", "vmi")));
    await host("Running", true);
    await until("Running again", statusIs("Running"));

    expect(raw("stop").code).toBe(0);
    await until("Stopping", statusIs("Stopping"));
    await host("Succeeded", false);
    await until("Stopped", statusIs("Stopped"));
    const stopped = raw("stop");
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain("VM is not running");
  });
});
