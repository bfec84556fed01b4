/**
 * Restarting `npm start` on the same state keeps every object and the
 * resourceVersion sequence; open watch streams end and resume without loss.
 */
import { afterAll, describe, expect, it } from "vitest";
import { kubectl, manifest } from "./kubectl.ts";
import { api } from "./rest.ts";
import { type LocalServer, startServer, stopServer } from "./server.ts";

let server: LocalServer | undefined;
afterAll(async () => {
  if (server) await stopServer(server);
});

type List = { metadata: { resourceVersion: string }; items: { metadata: { name: string; resourceVersion: string } }[] };

describe("restart", () => {
  it("keeps every object and continues the resourceVersion sequence", async () => {
    server = await startServer();
    const { port, state } = server;
    const ok = (...args: string[]): string => {
      const r = kubectl(server?.kubeconfig ?? "", args);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
      return r.stdout;
    };
    ok("create", "namespace", "keep");
    ok("-n", "keep", "create", "-f", manifest(`apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata:
  name: survivor
spec:
  runStrategy: Halted
  template:
    spec:
      domain:
        devices: {}
        resources:
          requests:
            memory: 64Mi
`));
    ok("-n", "keep", "run", "p1", "--image=nginx");
    const before = await api<List>(server, "GET", "/api/v1/namespaces/keep/pods");
    const vmBefore = ok("-n", "keep", "get", "vm", "survivor", "-o", "jsonpath={.metadata.uid}/{.metadata.resourceVersion}");

    await stopServer(server);
    server = await startServer({ port, state });

    expect(ok("-n", "keep", "get", "vm", "survivor", "-o", "jsonpath={.metadata.uid}/{.metadata.resourceVersion}")).toBe(vmBefore);
    const after = await api<List>(server, "GET", "/api/v1/namespaces/keep/pods");
    expect(after.body.items).toEqual(before.body.items);
    ok("-n", "keep", "run", "p2", "--image=nginx");
    const p2 = ok("-n", "keep", "get", "pod", "p2", "-o", "jsonpath={.metadata.resourceVersion}");
    expect(Number(p2)).toBeGreaterThan(Number(before.body.metadata.resourceVersion));
    expect(ok("get", "namespaces", "-o", "name")).toContain("namespace/keep");
    // Two server starts (each up to 90 s on a loaded 2-core machine) and a dozen kubectl runs.
  }, 240_000);
});
