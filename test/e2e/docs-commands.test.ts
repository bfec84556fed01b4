/**
 * Every shell block of README.md, docs/*.md and agent/README.md is run, as
 * written, against a server started by `npm start` with three simulated
 * hosts: a doc that lies fails CI. A block that cannot run here is excused
 * in POLICY with the reason and the test that does what it shows; a new
 * block is neither, and fails until it is given one or the other.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DocBlock, shellBlocks, splitCommands } from "./doc-blocks.ts";
import { complaint, readerWorkdir, runBlock } from "./doc-runner.ts";
import { kubectl } from "./kubectl.ts";
import { type LocalServer, startServer, stopServer } from "./server.ts";

type Policy =
  /** Run it; `prelude` makes the state the doc's prose assumes (said in the doc). */
  | { run: true; prelude?: string; substitute?: Record<string, string> }
  | { excused: string };

/** What the docs' prose says exists before a block: a running VM named web in `default`. */
const VM_WEB = `kubectl apply -f - <<'YAML'
apiVersion: kubevirt.io/v1
kind: VirtualMachine
metadata: {name: web, namespace: default}
spec:
  runStrategy: Always
  template:
    spec:
      domain:
        devices: {}
        resources: {requests: {memory: 128Mi}}
YAML
kubectl wait --for=create vmi/web --timeout=90s
kubectl wait --for=condition=Ready vmi/web --timeout=90s`;

/** Each block, named by its file and first command. */
const POLICY: Record<string, Policy> = {
  "README.md: npm install && npm start": {
    excused: "how the suite itself runs: .ci/run does npm ci and npm test on a clean clone, and every e2e server is npm start",
  },
  "README.md: export KUBECONFIG=$PWD/.duraplane/kubeconfig": { run: true },
  "README.md: npm start -- --runtime real --hosts 1": {
    excused: "real VMs and containers need root and the daemons: test/e2e/vm-libvirt.test.ts and test/e2e/containerd.test.ts run the same under DURAPLANE_REAL_RUNTIMES=1",
  },
  "README.md: export KUBECONFIG=.duraplane/kubeconfig": {
    run: true,
    // The reader copies the id from `token list`; here, alice's.
    substitute: { "<id>": "$(npx duraplane token list | awk '$2 == \"alice\" {print $1}')" },
  },
  "docs/api-server.md: kubectl get --raw '/apis/audit.duraplane.io/v1/events?limit=20'": { run: true },
  "docs/host-maintenance.md: kubectl taint nodes host-2 maint=true:NoSchedule": {
    run: true,
    prelude: "kubectl create namespace web && kubectl -n web create deployment web --image=nginx --replicas=4 && kubectl -n web rollout status deployment/web --timeout=90s",
  },
  "docs/live-migration.md: kubectl create -f - <<EOF": { run: true, prelude: VM_WEB },
  "docs/metrics.md: export KUBECONFIG=$PWD/.duraplane/kubeconfig": { run: true },
  "docs/quotas.md: kubectl create namespace team-a": { run: true },
  "docs/security.md: kubectl create namespace team-a": { run: true },
  "docs/security.md: kubectl get flowschemas": { run: true },
  "docs/serviceaccounts.md: kubectl create serviceaccount ci -n a": { run: true, prelude: "kubectl create namespace a" },
  "docs/top.md: kubectl create namespace top-demo": { run: true },
  // The VM's usage is served two heartbeats (10 s each) after it runs, as the doc's prose says.
  "docs/top.md: kubectl get --raw /apis/metrics.k8s.io/v1beta1/virtualmachineinstances": { run: true, prelude: `${VM_WEB}\nsleep 25` },
  "agent/README.md: npm start": { run: true },
  "agent/README.md: sudo bash scripts/runtimes-up.sh": {
    excused: "installs packages and starts daemons as root: .ci/run runs scripts/runtimes-up.sh, then the real-runtime suites",
  },
  "agent/README.md: apt-get install qemu-system-x86 ovmf libvirt-daemon-system libvirt-clients busybox-static cpio": {
    excused: "installs packages as root: .ci/run's scripts/runtimes-up.sh does it",
  },
  "agent/README.md: npm run test:agent": { excused: "npm test runs the agent suite and the typecheck" },
  "agent/README.md: DURAPLANE_REAL_RUNTIMES=1 npx vitest run --config agent/vitest.config.ts agent/runtime/libvirt-vms.real.test.ts": {
    excused: ".ci/run runs the agent suite with DURAPLANE_REAL_RUNTIMES=1",
  },
  "docs/live-migration.md: sudo scripts/libvirt-peer.sh up /run/dp-peer 16510": {
    excused: "needs root, a second libvirtd and hand-made domains: agent/runtime/libvirt-migration.real.test.ts does the same under DURAPLANE_REAL_RUNTIMES=1",
  },
};

const DOCS = ["README.md", "agent/README.md", ...readdirSync("docs").filter((f) => f.endsWith(".md")).sort().map((f) => join("docs", f))];
const blocks: DocBlock[] = DOCS.flatMap((f) => shellBlocks(f));
const keyOf = (b: DocBlock): string => `${b.file}: ${b.first}`;

/** Namespaces a fresh server has; anything else was made by a block. */
const BUILTIN_NAMESPACES = new Set(["default", "kube-system", "kube-public", "kube-node-lease"]);

let server: LocalServer | undefined;
let workdir = "";

beforeAll(async () => {
  server = await startServer({ hosts: 3 });
  workdir = readerWorkdir(server.kubeconfig);
}, 180_000);

afterAll(async () => {
  if (server) await stopServer(server);
});

/** Namespaces one cleanUp already reported stuck: the next blocks do not wait for them again (one failure, not a cascade of timeouts). */
const stuck = new Set<string>();

/** What one block left behind goes before the next: its namespaces, and the VM the migration doc made. */
async function cleanUp(kubeconfig: string): Promise<void> {
  kubectl(kubeconfig, ["delete", "vm,vmim", "--all", "-n", "default", "--wait=false", "--ignore-not-found"]);
  kubectl(kubeconfig, ["uncordon", "host-1", "host-2", "host-3"]);
  const listed = kubectl(kubeconfig, ["get", "namespaces", "-o", "jsonpath={.items[*].metadata.name}"]);
  const extra = listed.stdout.split(/\s+/).filter((n) => n && !BUILTIN_NAMESPACES.has(n) && !stuck.has(n));
  if (extra.length === 0) return;
  kubectl(kubeconfig, ["delete", "namespace", ...extra, "--wait=false", "--ignore-not-found"]);
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const left = kubectl(kubeconfig, ["get", "namespaces", "-o", "jsonpath={.items[*].metadata.name}"]).stdout.split(/\s+/);
    if (!extra.some((n) => left.includes(n))) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  for (const n of extra) stuck.add(n);
  throw new Error(`namespaces ${extra.join(", ")} were not gone 90 s after their delete`);
}

describe("the docs' commands", () => {
  it("splits blocks as a reader reads them: continuations, heredocs, expected errors", () => {
    const cmds = splitCommands([
      "kubectl get pods   # prose",
      "kubectl apply -f - <<'YAML'",
      "kind: Pod # stays: it is YAML",
      "YAML",
      "kubectl run big \\",
      "  --image=nginx",
      "# Error from server (Forbidden): no",
    ], 10);
    expect(cmds.map((c) => c.text)).toEqual([
      "kubectl get pods",
      "kubectl apply -f - <<'YAML'\nkind: Pod # stays: it is YAML\nYAML",
      "kubectl run big \\\n  --image=nginx",
    ]);
    expect(cmds.map((c) => c.line)).toEqual([10, 11, 14]);
    expect(cmds[2]?.expectError).toBe("Error from server (Forbidden): no");
  });

  it("has a policy for every block, and no policy for a block that is gone", () => {
    const keys = blocks.map(keyOf);
    expect(keys.filter((k) => POLICY[k] === undefined), "blocks to run or excuse in POLICY").toEqual([]);
    expect(Object.keys(POLICY).filter((k) => !keys.includes(k)), "POLICY entries naming no block").toEqual([]);
  });

  for (const block of blocks) {
    const policy = POLICY[keyOf(block)];
    if (!policy || !("run" in policy)) continue;
    it(`${block.file}:${block.line} runs as written`, async () => {
      if (!server) throw new Error("no server");
      await cleanUp(server.kubeconfig);
      const results = await runBlock(block, {
        cwd: workdir, kubeconfig: join(workdir, ".duraplane", "kubeconfig"), serverHost: new URL(server.url).host,
        ...(policy.prelude !== undefined ? { prelude: policy.prelude } : {}),
        ...(policy.substitute !== undefined ? { substitute: policy.substitute } : {}),
      });
      const wrong = results.map(complaint).filter((c): c is string => c !== undefined);
      expect(wrong, `${block.file}:${block.line}`).toEqual([]);
      expect(results.length).toBeGreaterThan(0);
    }, 300_000);
  }
});
