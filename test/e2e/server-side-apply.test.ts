/**
 * Server-side apply with the real kubectl 1.32: field managers, the conflict
 * kubectl prints when another manager changed an applied field, taking it
 * with `--force-conflicts`, the upgrade from client-side apply, removal of a
 * field dropped from the manifest, and managedFields shown by
 * `--show-managed-fields`.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type KubectlResult, kubectl as run, kubectlOk, manifest } from "./kubectl.ts";

const server = inject("server");
const k = (...args: string[]): KubectlResult => run(server.kubeconfig, args);
const ok = kubectlOk(() => server.kubeconfig);

const NS = "e2e-ssa";

const deployment = (opts: { tier?: boolean; image?: string } = {}): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web${opts.tier === false ? "" : "\n    tier: front"}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: ${opts.image ?? "nginx:1.27"}
`;

beforeAll(() => {
  ok("create", "namespace", NS);
});

afterAll(() => {
  delete process.env.KUBE_EDITOR;
  k("delete", "namespace", NS, "--wait=false");
});

describe("kubectl apply --server-side", () => {
  it("reports a conflict with the manager that changed an applied field; --force-conflicts takes it back", () => {
    const file = manifest(deployment());
    expect(ok("-n", NS, "apply", "--server-side", "-f", file)).toBe("deployment.apps/web serverside-applied\n");
    expect(ok("-n", NS, "scale", "deployment", "web", "--replicas=3")).toBe("deployment.apps/web scaled\n");

    const refused = k("-n", NS, "apply", "--server-side", "-f", file);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas');
    expect(refused.stderr).toContain("--force-conflicts");

    expect(ok("-n", NS, "apply", "--server-side", "--force-conflicts", "-f", file)).toBe("deployment.apps/web serverside-applied\n");
    expect(ok("-n", NS, "get", "deployment", "web", "-o", "jsonpath={.spec.replicas}")).toBe("2");
  });

  it("reports every field another manager (kubectl edit) changed", () => {
    process.env.KUBE_EDITOR = "sed -i -e s/nginx:1.27/nginx:1.28/ -e s/replicas:.2/replicas:\\ 4/";
    expect(ok("-n", NS, "edit", "deployment", "web")).toBe("deployment.apps/web edited\n");
    delete process.env.KUBE_EDITOR;
    const refused = k("-n", NS, "apply", "--server-side", "-f", manifest(deployment()));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain([
      'Apply failed with 2 conflicts: conflicts with "kubectl-edit" using apps/v1:',
      "- .spec.replicas",
      '- .spec.template.spec.containers[name="web"].image',
    ].join("\n"));
    // Applying the edited values shares them instead: no conflict.
    const shared = deployment({ image: "nginx:1.28" }).replace("replicas: 2", "replicas: 4");
    expect(ok("-n", NS, "apply", "--server-side", "-f", manifest(shared))).toBe("deployment.apps/web serverside-applied\n");
  });

  it("upgrades an object from client-side apply without conflicts on kubectl's own fields", () => {
    const csa = deployment().replace("name: web", "name: upgraded");
    expect(ok("-n", NS, "apply", "-f", manifest(csa))).toBe("deployment.apps/upgraded created\n");
    const changed = csa.replace("replicas: 2", "replicas: 3");
    expect(ok("-n", NS, "apply", "--server-side", "-f", manifest(changed))).toBe("deployment.apps/upgraded serverside-applied\n");
    expect(ok("-n", NS, "get", "deployment", "upgraded", "-o", "jsonpath={.spec.replicas}")).toBe("3");
  });

  it("removes a field dropped from the manifest, and shows the managers with --show-managed-fields", () => {
    const file = manifest(deployment({ tier: false, image: "nginx:1.28" }).replace("replicas: 2", "replicas: 4"));
    expect(ok("-n", NS, "apply", "--server-side", "-f", file)).toBe("deployment.apps/web serverside-applied\n");
    expect(ok("-n", NS, "get", "deployment", "web", "-o", "jsonpath={.metadata.labels}")).toBe('{"app":"web"}');

    const hidden = ok("-n", NS, "get", "deployment", "web", "-o", "yaml");
    expect(hidden).not.toContain("managedFields");
    const shown = ok("-n", NS, "get", "deployment", "web", "-o", "yaml", "--show-managed-fields");
    expect(shown).toMatch(/managedFields:\n {2}- apiVersion: apps\/v1\n {4}fieldsType: FieldsV1\n {4}fieldsV1:\n/);
    expect(shown).toMatch(/ {4}manager: kubectl\n {4}operation: Apply\n/);
    expect(shown).toMatch(/ {4}manager: kubectl-edit\n {4}operation: Update\n/);
    expect(shown).toContain("f:replicas: {}");
    expect(shown).toContain('k:{"name":"web"}:');
  });
});
