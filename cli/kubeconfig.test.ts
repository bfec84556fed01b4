import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../test/e2e/temp-dir.ts";
import { kubeconfigFiles, loadKubeconfig } from "./kubeconfig.ts";

function write(dir: string, name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const FIRST = `apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: prod
  cluster:
    server: https://prod.example:6443
    certificate-authority: certs/ca.pem
    tls-server-name: api.prod
users:
- name: admin
  user:
    tokenFile: admin.token
contexts:
- name: prod
  context: {cluster: prod, user: admin}
`;

const SECOND = `apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: prod
  cluster: {server: https://shadowed.example}
- name: dev
  cluster:
    server: https://127.0.0.1:8787
    insecure-skip-tls-verify: true
users:
- name: admin
  user: {token: shadowed}
- name: dev-admin
  user: {token: dev-token}
contexts:
- name: dev
  context: {cluster: dev, user: dev-admin}
`;

describe("kubeconfig loading, as kubectl's rules", () => {
  it("merges $KUBECONFIG's files: the first to set a value wins; paths are relative to their file", () => {
    const dir = tempDir("duraplane-kc-");
    mkdirSync(join(dir, "certs"));
    write(join(dir, "certs"), "ca.pem", "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n");
    write(dir, "admin.token", "file-token\n");
    const first = write(dir, "first", FIRST);
    const second = write(dir, "second", SECOND);
    const env = { KUBECONFIG: [join(dir, "missing"), first, second].join(":"), HOME: dir };
    expect(kubeconfigFiles(undefined, env)).toEqual([first, second]);
    const prod = loadKubeconfig(undefined, undefined, env);
    expect(prod).toMatchObject({
      context: "prod", clusterName: "prod", server: "https://prod.example:6443", token: "file-token",
      tlsServerName: "api.prod", insecureSkipTLSVerify: false,
    });
    expect(prod.ca).toMatch(/BEGIN CERTIFICATE/);
    // --context picks another context; its entries come from the second file.
    expect(loadKubeconfig(undefined, "dev", env)).toMatchObject({ server: "https://127.0.0.1:8787", token: "dev-token", insecureSkipTLSVerify: true });
  });

  it("--kubeconfig alone, else ~/.kube/config; says what is missing", () => {
    const dir = tempDir("duraplane-kc-");
    const second = write(dir, "second", SECOND);
    expect(kubeconfigFiles(second, { KUBECONFIG: "/elsewhere" })).toEqual([second]);
    mkdirSync(join(dir, ".kube"));
    const home = write(join(dir, ".kube"), "config", SECOND);
    expect(kubeconfigFiles(undefined, { HOME: dir })).toEqual([home]);
    expect(() => loadKubeconfig(join(dir, "nope"))).toThrow("the kubeconfig " + join(dir, "nope") + " does not exist");
    expect(() => loadKubeconfig(second, "nowhere")).toThrow(/context "nowhere" not found/);
  });

  it("reads certificate-authority-data", () => {
    const dir = tempDir("duraplane-kc-");
    const file = write(dir, "kc", `current-context: c
clusters: [{name: c, cluster: {server: "https://x", certificate-authority-data: ${Buffer.from("PEM").toString("base64")}}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
`);
    expect(loadKubeconfig(file)).toMatchObject({ ca: "PEM", token: "t", server: "https://x" });
  });
});
