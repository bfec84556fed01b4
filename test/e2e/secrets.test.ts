/**
 * Secrets with the real kubectl 1.32: `kubectl create secret generic` and
 * `docker-registry` (protobuf bodies), the table kubectl prints, the data
 * read back and decoded, `describe` showing sizes only, and an immutable
 * Secret's data refused with upstream's message; `kubectl create configmap`.
 */
import { describe, expect, inject, it } from "vitest";
import { kubectl, kubectlOk } from "./kubectl.ts";

const server = inject("server");
const admin = kubectlOk(() => server.kubeconfig);
const NS = "e2e-secrets";

describe("Secrets with kubectl", () => {
  it("create generic and docker-registry, get, read back, describe, and keep an immutable one", () => {
    admin("create", "namespace", NS);
    try {
      expect(admin("-n", NS, "create", "secret", "generic", "db", "--from-literal=password=s3cr3t", "--from-literal=user=alice"))
        .toContain("secret/db created");
      expect(admin("-n", NS, "create", "secret", "docker-registry", "reg", "--docker-server=registry.example",
        "--docker-username=u", "--docker-password=p")).toContain("secret/reg created");
      const table = admin("-n", NS, "get", "secrets");
      expect(table).toMatch(/NAME\s+TYPE\s+DATA\s+AGE/);
      expect(table).toMatch(/\bdb\s+Opaque\s+2\s+/);
      expect(table).toMatch(/\breg\s+kubernetes\.io\/dockerconfigjson\s+1\s+/);
      const encoded = admin("-n", NS, "get", "secret", "db", "-o", "jsonpath={.data.password}");
      expect(Buffer.from(encoded, "base64").toString()).toBe("s3cr3t");
      const dockerConfig = admin("-n", NS, "get", "secret", "reg", "-o", "jsonpath={.data.\\.dockerconfigjson}");
      expect(JSON.parse(Buffer.from(dockerConfig, "base64").toString())).toMatchObject({ auths: { "registry.example": { username: "u", password: "p" } } });
      const described = admin("-n", NS, "describe", "secret", "db");
      expect(described).toMatch(/password:\s+6 bytes/);
      expect(described).not.toContain("s3cr3t");

      expect(admin("-n", NS, "create", "secret", "generic", "frozen", "--from-literal=a=b")).toContain("created");
      admin("-n", NS, "patch", "secret", "frozen", "-p", '{"immutable":true}');
      const refused = kubectl(server.kubeconfig, ["-n", NS, "patch", "secret", "frozen", "-p", '{"stringData":{"a":"c"}}']);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('The Secret "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set');
      expect(Buffer.from(admin("-n", NS, "get", "secret", "frozen", "-o", "jsonpath={.data.a}"), "base64").toString()).toBe("b");

      expect(admin("-n", NS, "create", "configmap", "app", "--from-literal=mode=fast", "--from-literal=level=3")).toContain("configmap/app created");
      expect(admin("-n", NS, "get", "cm")).toMatch(/\bapp\s+2\s+/);
      expect(admin("-n", NS, "get", "configmap", "app", "-o", "jsonpath={.data.mode}")).toBe("fast");
    } finally {
      kubectl(server.kubeconfig, ["delete", "namespace", NS, "--wait=false"]);
    }
  });
});
