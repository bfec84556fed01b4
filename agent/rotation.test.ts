import { tempDir } from "../test/e2e/temp-dir.ts";
import { afterEach, describe, it } from "vitest";
import { newSigningSecret } from "../shared/hosts/signature.ts";
import { readCredentials, writeCredentials } from "./config.ts";
import { memoryLogger } from "./log.ts";
import { rotateSigningSecret, SecretRotator } from "./rotation.ts";
import { sendJson, startServer, type TestServer, until } from "./test-support/http-server.ts";

let server: TestServer | undefined;
let rotator: SecretRotator | undefined;
afterEach(async () => {
  rotator?.stop();
  await server?.close();
  server = undefined;
});

describe("SecretRotator", () => {
  it("rotates on schedule, retries a failed rotation sooner, and keeps only the newest two secrets", async ({ expect }) => {
    const issued: string[] = [];
    let calls = 0;
    server = await startServer((_req, res) => {
      // The second call fails with an answer the HTTP client does not retry itself (a 503 it does):
      // the rotator retries instead of waiting a full period.
      if (++calls === 2) return sendJson(res, 500, { kind: "Status", code: 500, message: "internal error" });
      const secret = newSigningSecret();
      issued.push(secret);
      return sendJson(res, 200, { kind: "SigningSecretRotation", nodeName: "n1", signingSecret: secret, previousValidUntil: "2030-01-01T00:00:00Z" });
    });
    const state = tempDir("rotator-");
    const first = newSigningSecret();
    writeCredentials(state, {
      server: server.url, nodeName: "n1", token: "node-token", signingSecrets: [first], webhookPath: "/webhooks/v1/nodes/n1/reports",
      insecureSkipTLSVerify: false, labels: {}, capacity: {},
    });
    const log = memoryLogger();
    rotator = new SecretRotator({ everyMs: 600, retryMs: 10, rotate: () => rotateSigningSecret(state), log });
    rotator.start();
    // Three rotations done: the third secret issued is the one the credentials file leads with.
    await until(() => issued.length >= 3 && readCredentials(state)?.signingSecrets[0] === issued[2], 5000, "three rotations");
    rotator.stop();
    expect(server.requests.every((r) => r.url.pathname === "/apis/hosts.duraplane.io/v1/nodes/n1/rotate" && r.headers.authorization === "Bearer node-token")).toBe(true);
    expect(readCredentials(state)?.signingSecrets).toEqual([issued[2], issued[1]]);
    expect(log.lines.filter((l) => l.includes("rotating the webhook signing secret failed"))).toHaveLength(1);
    // The failed second call was retried after retryMs, not a full period of 600 ms.
    const times = server.requests.map((r) => r.at);
    expect((times[2] ?? 0) - (times[1] ?? 0)).toBeLessThan(400);
    const after = server.requests.length;
    await new Promise((r) => setTimeout(r, 800));
    expect(server.requests.length).toBe(after);
  });
});
