import { chmodSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { tempDir as makeTempDir } from "../../test/e2e/temp-dir.ts";
import { join } from "node:path";
import { afterEach, describe, it } from "vitest";
import { HOSTS_API_PREFIX } from "../../shared/hosts/constants.ts";
import { newSigningSecret } from "../../shared/hosts/signature.ts";
import { credentialsPath, readCredentials, SecretsSource, writeCredentials } from "../config.ts";
import { sendJson, startServer, type TestServer } from "../test-support/http-server.ts";
import { joinCommand } from "./join.ts";
import { UsageError } from "./flags.ts";
import { rotateCommand } from "./rotate.ts";
import { runCommand } from "./run.ts";
import { tokenCommand } from "./token.ts";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const tempDir = (): string => makeTempDir("agent-cmd-");

describe("join", () => {
  it("exchanges the join token once, writes 0600 credentials, and is a no-op the second time", async ({ expect }) => {
    const secret = newSigningSecret();
    server = await startServer((req, res) => sendJson(res, 201, {
      kind: "HostCredentials", apiVersion: "hosts.duraplane.io/v1", nodeName: "n1", token: "node-token", signingSecret: secret,
      webhookPath: "/webhooks/v1/nodes/n1/reports",
    }));
    const state = join(tempDir(), "n1");
    const args = ["--server", server.url, "--join-token", "abcdef.0123456789abcdef", "--name", "n1", "--state", state, "--cpu", "8", "--memory", "32Gi", "--label", "zone=a"];
    expect(await joinCommand(args)).toBe(0);
    expect(await joinCommand(args)).toBe(0);
    expect(server.requests).toHaveLength(1);
    const req = server.requests[0];
    expect(req?.url.pathname).toBe(`${HOSTS_API_PREFIX}/join`);
    expect(req?.headers.authorization).toBe("Bearer abcdef.0123456789abcdef");
    expect(JSON.parse(req?.body ?? "{}")).toEqual(expect.objectContaining({ nodeName: "n1", labels: { zone: "a" }, capacity: expect.objectContaining({ cpu: "8", memory: "32Gi" }) }));
    expect(statSync(credentialsPath(state)).mode & 0o777).toBe(0o600);
    expect(readCredentials(state)).toEqual(expect.objectContaining({
      server: server.url, nodeName: "n1", token: "node-token", signingSecrets: [secret], webhookPath: "/webhooks/v1/nodes/n1/reports",
      insecureSkipTLSVerify: true, // a loopback server
    }));
    // Someone else's credentials in the folder: refuse rather than overwrite.
    expect(await joinCommand([...args.slice(0, 4), "--name", "n2", "--state", state])).toBe(1);
  });

  it("tries again through a restarting server and a dropped connection, with one request id", async ({ expect }) => {
    const secret = newSigningSecret();
    let calls = 0;
    server = await startServer((req, res) => {
      calls++;
      // wrangler's answer to a POST in flight while the worker restarts; then a connection cut before any answer.
      if (calls === 1) {
        res.writeHead(503, { "retry-after": "0", "content-type": "text/plain" });
        res.end("Your worker restarted mid-request. Please try sending the request again. Only GET or HEAD requests are retried automatically.");
      } else if (calls === 2) {
        res.destroy();
      } else {
        sendJson(res, 201, { kind: "HostCredentials", apiVersion: "hosts.duraplane.io/v1", nodeName: "n3", token: "node-token", signingSecret: secret, webhookPath: "/webhooks/v1/nodes/n3/reports" });
      }
    });
    const state = join(tempDir(), "n3");
    expect(await joinCommand(["--server", server.url, "--join-token", "abcdef.0123456789abcdef", "--name", "n3", "--state", state])).toBe(0);
    expect(server.requests).toHaveLength(3);
    const ids = server.requests.map((r) => (JSON.parse(r.body) as { requestId?: string }).requestId);
    expect(ids[0]).toMatch(/^[A-Za-z0-9_-]{22,128}$/);
    expect(new Set(ids).size).toBe(1);
    expect(readCredentials(state)?.token).toBe("node-token");
  });

  it("does not retry a refusal", async ({ expect }) => {
    server = await startServer((req, res) => sendJson(res, 401, { kind: "Status", apiVersion: "v1", status: "Failure", message: "join token is invalid, expired or already used", code: 401 }));
    expect(await joinCommand(["--server", server.url, "--join-token", "abcdef.0123456789abcdef", "--name", "n4", "--state", join(tempDir(), "n4")])).toBe(1);
    expect(server.requests).toHaveLength(1);
  });

  it("rejects a malformed join token before calling the server", async ({ expect }) => {
    await expect(joinCommand(["--server", "https://127.0.0.1:1", "--join-token", "nope", "--name", "n1", "--state", tempDir()])).rejects.toThrow(/join-token/);
  });
});

describe("token create", () => {
  it("reads server and admin token from a kubeconfig and prints the join token", async ({ expect }) => {
    server = await startServer((req, res) => sendJson(res, 201, { kind: "JoinToken", apiVersion: "hosts.duraplane.io/v1", token: "abcdef.0123456789abcdef", expiresAt: "2030-01-01T00:00:00Z" }));
    const kubeconfig = join(tempDir(), "kubeconfig");
    writeFileSync(kubeconfig, `apiVersion: v1
kind: Config
clusters: [{name: dp, cluster: {server: "${server.url}", insecure-skip-tls-verify: true}}]
users: [{name: admin, user: {token: admin-token}}]
contexts: [{name: dp, context: {cluster: dp, user: admin}}]
current-context: dp
`);
    expect(await tokenCommand(["create", "--kubeconfig", kubeconfig, "--ttl", "600"])).toBe(0);
    const req = server.requests[0];
    expect(req?.url.pathname).toBe(`${HOSTS_API_PREFIX}/jointokens`);
    expect(req?.headers.authorization).toBe("Bearer admin-token");
    expect(JSON.parse(req?.body ?? "{}")).toEqual({ ttlSeconds: 600 });
  });
});

describe("rotate", () => {
  it("puts the new secret first, keeps the previous one, and a running agent's SecretsSource sees it", async ({ expect }) => {
    const [oldSecret, newSecret] = [newSigningSecret(), newSigningSecret()];
    server = await startServer((req, res) => sendJson(res, 200, { kind: "SigningSecretRotation", nodeName: "n1", signingSecret: newSecret, previousValidUntil: "2030-01-01T00:00:00Z" }));
    const state = tempDir();
    writeCredentials(state, {
      server: server.url, nodeName: "n1", token: "node-token", signingSecrets: [oldSecret], webhookPath: "/webhooks/v1/nodes/n1/reports",
      insecureSkipTLSVerify: false, labels: {}, capacity: {},
    });
    const source = new SecretsSource(state, [oldSecret]);
    expect(source.current()).toEqual([oldSecret]);
    // mtime granularity: make sure the rewrite is seen as a change.
    await new Promise((r) => setTimeout(r, 20));
    expect(await rotateCommand(["--state", state])).toBe(0);
    expect(server.requests[0]?.url.pathname).toBe(`${HOSTS_API_PREFIX}/nodes/n1/rotate`);
    expect(server.requests[0]?.headers.authorization).toBe("Bearer node-token");
    expect(readCredentials(state)?.signingSecrets).toEqual([newSecret, oldSecret]);
    expect(source.current()).toEqual([newSecret, oldSecret]);
  });
});

describe("run --container-runtime", () => {
  function joined(): string {
    const state = tempDir();
    writeCredentials(state, {
      server: "https://127.0.0.1:1", nodeName: "n1", token: "node-token", signingSecrets: [newSigningSecret()], webhookPath: "/webhooks/v1/nodes/n1/reports",
      insecureSkipTLSVerify: true, labels: {}, capacity: {},
    });
    return state;
  }

  it("takes containerd or simulated, and names what is missing when containerd cannot be reached", async ({ expect }) => {
    const state = joined();
    await expect(runCommand(["--state", state, "--container-runtime", "docker"])).rejects.toThrow(new UsageError('--container-runtime must be "containerd" or "simulated", got "docker"'));
    await expect(runCommand(["--state", state, "--capacity", "big"])).rejects.toThrow(UsageError);
    const missing = runCommand(["--state", state, "--container-runtime", "containerd", "--containerd-address", join(state, "no.sock")]);
    await expect(missing).rejects.toThrow(UsageError);
    await expect(missing).rejects.toThrow(/--container-runtime containerd: (ctr is not installed: install the Debian packages "containerd" and "runc"|no containerd socket at .*no\.sock)/);
  });
});

describe("run --vm-runtime", () => {
  const joined = (): string => {
    const state = tempDir();
    writeCredentials(state, {
      server: "https://127.0.0.1:1", nodeName: "n1", token: "t", signingSecrets: [newSigningSecret()], webhookPath: "/webhooks/v1/nodes/n1/reports",
      insecureSkipTLSVerify: true, labels: {}, capacity: {},
    });
    return state;
  };

  it("refuses an unknown runtime", async ({ expect }) => {
    await expect(runCommand(["--state", joined(), "--vm-runtime", "xen"])).rejects.toThrow(/--vm-runtime must be one of simulated, libvirt, got "xen"/);
  });

  it("names the package to install when virsh is missing", async ({ expect }) => {
    const path = process.env.PATH;
    process.env.PATH = tempDir();
    try {
      await expect(runCommand(["--state", joined(), "--vm-runtime", "libvirt", "--vm-run-dir", tempDir()])).rejects.toThrow(UsageError);
      await expect(runCommand(["--state", joined(), "--vm-runtime", "libvirt", "--vm-run-dir", tempDir()])).rejects.toThrow(/virsh is not installed \(apt-get install libvirt-clients\)/);
    } finally {
      process.env.PATH = path;
    }
  });

  it("refuses a run directory QEMU's user cannot reach", async ({ expect }) => {
    const parent = tempDir();
    chmodSync(parent, 0o755);
    const closed = join(parent, "private");
    mkdirSync(closed, { mode: 0o700 });
    const path = process.env.PATH;
    // A stand-in virsh and qemu, so the check does not depend on the packages being here.
    const bin = tempDir();
    for (const p of ["virsh", "qemu-system-x86_64"]) writeFileSync(join(bin, p), "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    process.env.PATH = bin;
    try {
      await expect(runCommand(["--state", joined(), "--vm-runtime", "libvirt", "--vm-run-dir", join(closed, "vms")])).rejects.toThrow(/QEMU runs as its own user and cannot pass .*private/);
      // Reachable directory, but libvirt does not answer: the message says what to install and start.
      chmodSync(closed, 0o755);
      await expect(runCommand(["--state", joined(), "--vm-runtime", "libvirt", "--vm-run-dir", join(closed, "vms")])).rejects.toThrow(/cannot reach libvirt at qemu:\/\/\/system .*libvirt-daemon-system/);
    } finally {
      process.env.PATH = path;
    }
  });
});
